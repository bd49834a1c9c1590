import Foundation
import InviteLedger

enum RecordCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["record"],
        abstract: "Record one flow step given as JSON, and print its outcome as JSON.",
        discussion: """
            The step is the STEP argument, or standard input when STEP is - or absent. A rejected
            step prints {"error":{"code":...,"field":...,"message":...}} on stderr, exits 2 and
            changes nothing. Recording the same eventId with the same content again is a no-op
            ("status":"duplicate").
            """,
        positionals: [.init(name: "STEP", help: "The step as a JSON object, or - for standard input.", isOptional: true)]
    )

    static func run(_ context: CommandContext) throws -> ExitStatus {
        // The bytes as given, decoded by the same strict decoder as `ingest`: invalid UTF-8 or a
        // byte order mark is INVALID_JSON from both, never repaired.
        let bytes: [UInt8]
        if let argument = context.arguments.positionals.first, argument != "-" {
            bytes = context.bytes(of: argument)
        } else {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        let step = try Step(jsonBytes: bytes)
        let ledger = try context.openLedger(.readWrite)
        defer { try? ledger.close() }
        let outcome = try ledger.record(step)
        context.output.writeLine(outcome.json.serialized())
        return .success
    }
}
