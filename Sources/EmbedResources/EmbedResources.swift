import Foundation
import PackagePlugin

/// Generates one Swift file per target from text files of the package, so that what the binary
/// needs at run time (the schema migrations, the demo flows) is compiled into it.
///
/// `LedgerStore` gets `Migrations/*.sql` as `EmbeddedMigrations`; `InviteLedgerCLI` gets
/// `Fixtures/flow-*.ndjson` as `EmbeddedFlows`. The directory is listed on every build, so a new
/// file is picked up without touching the manifest.
@main
struct EmbedResources: BuildToolPlugin {
    struct Embedding {
        var directory: String
        var fileExtension: String
        var namePrefix: String
        var typeName: String
    }

    func createBuildCommands(context: PluginContext, target: Target) throws -> [Command] {
        let embedding: Embedding
        switch target.name {
        case "LedgerStore":
            embedding = Embedding(
                directory: "Migrations", fileExtension: "sql", namePrefix: "", typeName: "EmbeddedMigrations")
        case "InviteLedgerCLI":
            embedding = Embedding(
                directory: "Fixtures", fileExtension: "ndjson", namePrefix: "flow-", typeName: "EmbeddedFlows")
        default:
            return []
        }
        let directory = context.package.directoryURL.appending(path: embedding.directory)
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path())
            .filter { $0.hasPrefix(embedding.namePrefix) && $0.hasSuffix("." + embedding.fileExtension) }
            .sorted()
        let inputs = names.map { directory.appending(path: $0) }
        let output = context.pluginWorkDirectoryURL.appending(path: "\(embedding.typeName).swift")
        return [
            .buildCommand(
                displayName: "Embedding \(names.count) \(embedding.directory) files into \(target.name)",
                executable: try context.tool(named: "ResourceEmbedder").url,
                arguments: [embedding.typeName, output.path()] + inputs.map { $0.path() },
                inputFiles: inputs,
                outputFiles: [output]
            )
        ]
    }
}
