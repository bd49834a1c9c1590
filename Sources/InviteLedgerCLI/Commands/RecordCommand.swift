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
            With --stream, one long-lived process records steps as another program writes them, one
            JSON object per line on stdin, and writes one answer per line on stdout, in input order,
            as soon as the step's transaction is committed: the outcome as above, or
            {"error":{"code":...,"field":...,"message":...},"line":N,"eventId":...} for a rejected
            step (it writes nothing). Steps waiting together are committed together (group commit):
            when no more input is waiting, or after --commit-steps steps, or --commit-ms
            milliseconds, whichever comes first. An answer means the step is committed. Blank lines
            get no answer. The process ends at the end of stdin (exit status 0).
            The ledger must exist (create it with `invite-ledger init`, or give --create), and a
            step must name a broker the ledger knows: a broker is introduced by a broker.configured
            step (or by any step with --allow-new-brokers), so a mistyped brokerCrmName is
            UNKNOWN_BROKER instead of a second broker. --broker NAME refuses every other broker.
            Before writing, the ledger is proven: its tables, indexes and triggers are those its
            migrations create, and its hash chain holds from the event its head witness names to
            its head (a damaged or edited ledger is refused, exit status 5, nothing written). With
            --stream, every page and the whole chain are proven too (--skip-file-check: not).
            """,
        options: [stream, commitSteps, commitMilliseconds, skipFileCheck, format] + CommonOptions.writeOptions,
        positionals: [.init(name: "STEP", help: "The step as a JSON object, or - for standard input.", isOptional: true)]
    )

    static let stream = Option.flag(
        "--stream", "Read steps line by line on stdin; answer each on stdout once committed (see below)")
    static let commitSteps = Option.integer(
        "--commit-steps", "N", "With --stream: commit after at most N steps", in: 1...1_000_000,
        default: Int64(Ledger.StreamOptions().maximumSteps))
    static let commitMilliseconds = Option.integer(
        "--commit-ms", "MS", "With --stream: commit after at most MS milliseconds of recording", in: 1...60_000,
        default: Int64(Ledger.StreamOptions().maximumMilliseconds))
    static let skipFileCheck = Option.flag(
        "--skip-file-check", "With --stream: do not prove every page and the whole hash chain before writing")
    /// Record prints JSON only; `--format json` is accepted so that every command takes it.
    enum Format: String, CaseIterable, Sendable { case json }
    static let format = Option.choice(
        "--format", "FORMAT", "json, the only format: every answer is one JSON object", default: Format.json)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        _ = try context.arguments[Self.format]
        if try context.arguments[Self.stream] {
            return try stream(context)
        }
        // The bytes as given, decoded by the same strict decoder as `ingest`: invalid UTF-8 or a
        // byte order mark is INVALID_JSON from both, never repaired.
        let bytes: [UInt8]
        if let argument = context.arguments.positionals.first, argument != "-" {
            bytes = context.bytes(of: argument)
        } else {
            bytes = [UInt8](FileHandle.standardInput.readDataToEndOfFile())
        }
        let step = try Step(jsonBytes: bytes)
        let ledger = try context.openLedgerForWriting()
        defer { try? ledger.close() }
        let outcome = try ledger.record(step)
        context.output.writeLine(outcome.json.serialized())
        return .success
    }

    /// `record --stream`: group-committed steps from stdin, answers on stdout.
    private static func stream(_ context: CommandContext) throws -> ExitStatus {
        guard context.arguments.positionals.isEmpty || context.arguments.positionals == ["-"] else {
            throw UsageError("--stream reads its steps from standard input: give no STEP")
        }
        let options = Ledger.StreamOptions(
            maximumSteps: Int(try context.arguments[Self.commitSteps]),
            maximumMilliseconds: Int(try context.arguments[Self.commitMilliseconds]),
            checksFile: !(try context.arguments[Self.skipFileCheck]))
        let ledger = try context.openLedgerForWriting()
        defer { try? ledger.close() }
        var reader = NDJSONReader(descriptor: 0)
        _ = try ledger.recordStream(&reader, options: options) { answers in
            for answer in answers {
                context.output.writeLine(answer.json.serialized())
            }
            context.output.flush()
        }
        return .success
    }
}
