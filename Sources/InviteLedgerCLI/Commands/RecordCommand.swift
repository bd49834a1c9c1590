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
        let text: String
        if let argument = context.arguments.positionals.first, argument != "-" {
            text = argument
        } else {
            text = String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
        }
        let step = try Step(json: text)
        let ledger = try context.openLedger(.readWrite)
        defer { try? ledger.close() }
        let outcome = try ledger.record(step)
        context.output.writeLine(outcome.json.serialized())
        return .success
    }
}
