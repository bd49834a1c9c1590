import Foundation
import InviteLedger

enum DemoCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["demo"],
        abstract: "Run the two seed flows on a fresh database and show what each step did and each answer.",
        discussion: """
            The flows are Fixtures/flow-1.ndjson and Fixtures/flow-2.ndjson, built into the binary.
            Without --db the database is in memory; with --db the file must not exist yet, and is
            kept for you to query afterwards. The demo records with a fixed clock (recordedAt
            2026-04-01T00:00:00Z), so its output, hashes included, is the same on every machine.
            """,
        options: [CommonOptions.format],
        databaseHelp: "A new file to keep the demo's ledger in (default: in memory; $INVITE_LEDGER_DB is not used)."
    )

    /// recordedAt of every demo step: hashed into the chain, so fixed for a reproducible output.
    static let clock = Ledger.Clock.fixed(Timestamp(milliseconds: 1_775_001_600_000))

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        var path = ":memory:"
        if let given = try context.arguments[CommonOptions.database] {
            guard !FileManager.default.fileExists(atPath: given) else {
                throw UsageError(
                    "the demo needs a fresh database, and \(given) exists; give another --db or none",
                    field: CommonOptions.database.name)
            }
            path = given
        }
        let ledger = try Ledger(path: path, access: .create, clock: Self.clock)
        defer { try? ledger.close() }
        var outcomes: [(flow: String, outcome: StepOutcome)] = []
        for flow in EmbeddedFlows.files {
            for line in flow.contents.split(separator: "\n") where !line.isEmpty {
                outcomes.append((flow.name, try ledger.record(json: String(line))))
            }
        }
        let report = try ledger.verify()
        let demo = Demo(ledger: ledger, outcomes: outcomes, verification: report)
        if format == .json {
            context.output.writeLine(try demo.json().serialized())
        } else {
            context.output.write(try demo.text())
        }
        return report.isIntact ? .success : .verificationFailed
    }
}
