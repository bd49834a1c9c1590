// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "invite-ledger",
    products: [
        .library(name: "InviteLedger", targets: ["InviteLedger"]),
        .library(name: "LedgerStore", targets: ["LedgerStore"]),
        .executable(name: "invite-ledger", targets: ["InviteLedgerCLI"]),
        .executable(name: "invite-ledger-bench", targets: ["InviteLedgerBenchmark"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // Turns Migrations/*.sql and the demo flows of Fixtures/ into Swift source at build time,
        // so the installed binary never reads the source tree.
        .executableTarget(
            name: "ResourceEmbedder",
            path: "Sources/ResourceEmbedder"
        ),
        .plugin(
            name: "EmbedResources",
            capability: .buildTool(),
            dependencies: ["ResourceEmbedder"],
            path: "Sources/EmbedResources"
        ),
        .target(
            name: "LedgerStore",
            dependencies: ["CSQLite"],
            plugins: ["EmbedResources"]
        ),
        .target(
            name: "InviteLedger",
            dependencies: ["LedgerStore"]
        ),
        .executableTarget(
            name: "InviteLedgerCLI",
            dependencies: ["InviteLedger", "LedgerStore"],
            plugins: ["EmbedResources"]
        ),
        // Synthetic forest generator and benchmark: `swift run -c release invite-ledger-bench`.
        .executableTarget(
            name: "InviteLedgerBenchmark",
            dependencies: ["InviteLedger", "LedgerStore"]
        ),
        .testTarget(
            name: "LedgerStoreTests",
            dependencies: ["LedgerStore", "CSQLite"]
        ),
        .testTarget(
            name: "InviteLedgerTests",
            dependencies: ["InviteLedger", "LedgerStore"]
        ),
        .testTarget(
            name: "InviteLedgerCLITests",
            dependencies: ["InviteLedgerCLI"]
        ),
    ],
    swiftLanguageModes: [.v6]
)
