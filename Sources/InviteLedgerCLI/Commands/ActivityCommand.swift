import Foundation
import InviteLedger

enum ActivityCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["activity"],
        abstract: "Add to each activity row (deal, volume, deposit) the upline its trader had at the row's time.",
        discussion: """
            Reads CSV with a header (or NDJSON with --input-format ndjson) and writes every row back
            in input order, its columns as they were, followed by attributed (true, or false when
            the trader had no partner at that time) and levelNUserId, levelNPartnerId for levels 1
            to --levels: the partners as the tree stood at the row's time (validFrom <= time <
            validTo of each attribution on the way up). Each row names its trader by userId or by
            ctidTraderAccountId (--user-column, --account-column) and its time (--time-column,
            RFC 3339). A row that cannot be attributed (UNKNOWN_USER, UNKNOWN_ACCOUNT,
            MISSING_FIELD, INVALID_FIELD, INVALID_JSON) is left out and reported on stderr as
            {"error":{code, field, message}, "line"}; exit status 3 when some were. With
            --stop-on-error the first one stops the run (exit status 2, and --output leaves no file).
            CSV is written with CRLF line ends. The tree is read once into memory from one snapshot
            (it grows with the users, never with the rows) and the ledger is only read: an
            auditor's read-only copy works.
            --from/--to keep the rows of a period (the others are skipped and counted). With
            --sum COLUMNS (comma-separated numeric columns) the output is the totals instead of the
            rows: per level and partner (an empty partner for rows with none at that level), the
            rows, the distinct traders and the exact sum of each column (decimal arithmetic,
            nothing rounded: each total has as many decimals as the most precise value of its
            column; at most 18 decimals and 38 digits; NDJSON totals are strings).
            """,
        options: [QueryOptions.broker, levels, inputFormat, timeColumn, userColumn, accountColumn, from, to, sum,
                  stopOnError, output, printSummary],
        positionals: [.init(name: "FILE", help: "The activity file, or - for standard input.")]
    )

    static let levels = Option.integer(
        "--levels", "N", "Upline levels to add, 1 to 20", in: 1...Int64(ReportOptions.maximumLevels), default: 3)
    static let inputFormat = Option.choice(
        "--input-format", "FORMAT", "csv or ndjson (the output has the same)", default: ActivityOptions.Format.csv)
    static let timeColumn = Option.string("--time-column", "NAME", "The column holding each row's time", default: "at")
    static let userColumn = Option.string("--user-column", "NAME", "The column holding the trader's userId", default: "userId")
    static let accountColumn = Option.string(
        "--account-column", "NAME", "The column holding the trader's trading account", default: "ctidTraderAccountId")
    static let from = ReportCommand.from
    static let to = ReportCommand.to
    static let sum = Option.string("--sum", "COLUMNS", "Write totals per level and partner of these numeric columns (comma-separated)")
    static let stopOnError = Option.flag("--stop-on-error", "Stop at the first row that cannot be attributed")
    static let output = ReportCommand.output
    static let printSummary = Option.flag(
        "--print-summary", "Print {\"rows\",\"written\",\"unattributed\",\"rejected\",\"outsidePeriod\",\"snapshotSeq\"} on stderr at the end")

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let options = ActivityOptions(
            broker: try arguments[QueryOptions.broker], levels: Int(try arguments[levels]),
            format: try arguments[inputFormat], timeColumn: try arguments[timeColumn], userColumn: try arguments[userColumn],
            accountColumn: try arguments[accountColumn], stopAtFirstError: try arguments[stopOnError],
            from: try arguments[from], to: try arguments[to],
            sums: (try arguments[sum]).map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) } ?? [])
        var reader = try NDJSONReader.open(path: arguments.positionals[0])
        defer { reader.close() }
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let errors = context.errors
        let onRejection: (ActivityRejection) -> Void = { errors.writeLine($0.json.serialized()) }
        let summary: ActivitySummary
        do {
            summary = try ReportCommand.writing(to: try arguments[output], context) { write in
                try ledger.attributeActivity(&reader, options: options, write: write, onRejection: onRejection)
            }
        } catch let rejection as ActivityRejection {
            context.output.flush()
            errors.writeLine(rejection.json.serialized())
            return .rejected
        }
        if try arguments[printSummary] {
            errors.writeLine(summary.json.serialized())
        }
        return summary.rejected > 0 ? .someLinesRejected : .success
    }
}
