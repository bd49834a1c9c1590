import Foundation
import InviteLedger

/// The options and the output handling both reports share.
enum ReportCommand {
    static let from = Option.time(
        "--from", "Start of the period, inclusive (RFC 3339, or a date: its start, UTC; default: the beginning)")
    static let to = Option.time("--to", "End of the period, exclusive (RFC 3339, or a date: its start, UTC; default: no end)")
    static let format = Option.choice("--format", "FORMAT", "csv or ndjson", default: ReportFormat.csv)
    static let output = Option.string(
        "--output", "FILE",
        "Write to FILE (a regular file: a temporary file renamed at the end; a device or pipe: in place; -: stdout); default: stdout")
    static let printSummary = Option.flag("--print-summary", "Print {\"rows\":N,\"snapshotSeq\":S} on stderr at the end")

    /// A report's options, with its own `--levels`.
    static func options(levels: Option<Int64>, _ own: [any DeclaredOption] = []) -> [any DeclaredOption] {
        [QueryOptions.broker, from, to, levels] + own + [format, output, printSummary]
    }

    typealias Runner = (Ledger, ReportOptions, (Int) -> Void, (UnsafeBufferPointer<UInt8>) throws -> Void) throws
        -> ReportSummary

    /// Runs `body` with where its bytes go: `path` written atomically (a temporary file renamed
    /// once `body` is done, removed when it throws), or standard output when nil.
    static func writing<Result>(
        to path: String?, _ context: CommandContext,
        _ body: ((UnsafeBufferPointer<UInt8>) throws -> Void) throws -> Result
    ) throws -> Result {
        guard let path else {
            let output = context.output
            return try body { output.write($0) }
        }
        let file = try AtomicFile(path: path, standardOutput: context.output)
        do {
            let result = try body { try file.write($0) }
            try file.commit()
            return result
        } catch {
            file.discard()
            throw error
        }
    }

    static func run(_ context: CommandContext, levels: Option<Int64>, _ runner: Runner) throws -> ExitStatus {
        let arguments = context.arguments
        let options = ReportOptions(
            broker: try arguments[QueryOptions.broker], from: try arguments[from], to: try arguments[to],
            levels: Int(try arguments[levels]), format: try arguments[format])
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let errors = context.errors
        let progress: (Int) -> Void = { rows in
            guard errors.isTerminal && !context.isQuiet else { return }
            errors.write("\r\u{1B}[K\(rows) rows")
            errors.flush()
        }
        let summary = try writing(to: try arguments[output], context) { write in
            try withoutActuallyEscaping(write) { try runner(ledger, options, progress, $0) }
        }
        if errors.isTerminal && !context.isQuiet {
            errors.write("\r\u{1B}[K")
        }
        if try arguments[printSummary] {
            errors.writeLine(JSONValue.object([
                ("rows", .integer(Int64(summary.rows))), ("snapshotSeq", .integer(summary.snapshotSeq)),
            ]).serialized())
        }
        return .success
    }
}

enum ReportAttributionsCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["report", "attributions"],
        abstract: "Every attribution decided in a period, with its upline, as CSV or NDJSON.",
        discussion: """
            One row per decision, ordered by time: by default every decision; --outcome accepted
            keeps those that changed the tree (ATTRIBUTED, REASSIGNED, DETACHED: what a payout runs
            on), --outcome rejected the refused ones. Level 1 is the partner the user has once the
            decision is made: the new one when accepted, the one it kept when refused (the refused
            partnerId is in refusedPartnerId), none when detached. A REASSIGNED or DETACHED row
            names the partner it replaced and that attribution's interval (previous* columns).
            Columns: \(AttributionReport.columns(levels: 2).joined(separator: ", ")), ... up to
            --levels. Rows stream as they are read from one snapshot of the ledger; memory stays flat.
            """,
        options: ReportCommand.options(levels: levels, [outcome])
    )

    static let outcome = Option.choice(
        "--outcome", "OUTCOME", "accepted, rejected or all", default: AttributionReport.Outcomes.all)

    static let levels = Option.integer(
        "--levels", "N", "Upline levels to include, 1 to 20", in: 1...Int64(ReportOptions.maximumLevels), default: 3)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let outcomes = try context.arguments[outcome]
        return try ReportCommand.run(context, levels: levels) { ledger, options, progress, write in
            try ledger.reportAttributions(options, outcomes: outcomes, progress: progress, write: write)
        }
    }
}

enum ReportPartnersCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["report", "partners"],
        abstract: "One row per partner: partnerIds, downline per level, new direct referrals in the period.",
        discussion: """
            Columns: \(PartnerReport.columns(levels: 2).joined(separator: ", ")), with one
            referralsLevelN column per level up to --levels. Downline counts are as of --to (or now);
            newDirectReferrals counts direct referrals attributed in [--from, --to).
            """,
        options: ReportCommand.options(levels: levels)
    )

    static let levels = Option.integer(
        "--levels", "N", "Downline levels to count, 1 to 20", in: 1...Int64(ReportOptions.maximumLevels), default: 3)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        try ReportCommand.run(context, levels: levels) { ledger, options, progress, write in
            try ledger.reportPartners(options, progress: progress, write: write)
        }
    }
}

enum ReportUplineIntervalsCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["report", "upline-intervals"],
        abstract: "Who was each user's partner at each level, and from when to when, as CSV or NDJSON.",
        discussion: """
            One row per (user, level, partner) interval that overlaps [--from, --to), ordered by
            userId, level, then validFrom. An interval ends at every change of the path to that
            level: a new partner of the user or of anyone between it and that partner (a move with
            a downline changes the deeper levels of everyone below). Intervals are half-open:
            validFrom <= t < validTo, validTo empty while current. A deal at time t is paid to the
            rows whose interval holds t. Columns: \(UplineIntervalReport.columns.joined(separator: ", ")).
            """,
        options: ReportCommand.options(levels: levels)
    )

    static let levels = Option.integer(
        "--levels", "N", "Upline levels to include, 1 to 20", in: 1...Int64(ReportOptions.maximumLevels), default: 3)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        try ReportCommand.run(context, levels: levels) { ledger, options, progress, write in
            try ledger.reportUplineIntervals(options, progress: progress, write: write)
        }
    }
}
