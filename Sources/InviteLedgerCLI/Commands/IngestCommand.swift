import Foundation
import InviteLedger

enum IngestCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["ingest"],
        abstract: "Record NDJSON flow steps in bulk (one step per line).",
        discussion: """
            Lines are recorded in batches, one transaction each. A rejected line is reported on
            stderr as one JSON object ({"error":{code, field, message}, "line", "eventId"}) and skipped; the
            summary goes to stdout. Exit status 3 when some lines were rejected. Re-running a file
            changes nothing: every eventId is already recorded with the same content.
            With --atomic the whole file is one transaction: any rejected line rolls everything
            back (exit status 2).
            Before writing, the database is proven: its head must be the one last committed, its
            tables, indexes and triggers those its migrations create, SQLite's quick_check reads
            every page for damage, and the whole hash chain is recomputed (seconds on a file of
            gigabytes); a damaged or edited file is refused (exit status 5) with nothing written.
            --skip-file-check leaves out the pages and the whole chain (the chain since the head
            witness is still proven), for many small ingests into a large ledger.
            Into a ledger that holds no rows yet (a first load), the first lines are built the bulk
            way, in one transaction: every row decided in memory, each table written once in key
            order and its indexes made after it (faster; the bulk part ends when the rows held reach
            336 MiB, or at 8,000,000 lines, so memory stays under about 480 MiB).
            Killed during it, the ledger stays empty; --report-commits prints its first line once
            that transaction is committed. The lines after it go batch by batch, and ingest finds
            the eventIds, users and signups it did not write new without searching the file (until
            another process writes). --incremental records a first load batch by batch from the
            first line; --atomic and --outcomes do too. The rows and outcomes are the same either
            way. A killed ingest keeps every committed batch; run the same file again to go on.
            The ledger must exist (create it with `invite-ledger init`, or give --create), and each
            step must name a broker the ledger knows or one a broker.configured step introduces
            (any broker with --allow-new-brokers); --broker NAME refuses every other broker.
            """,
        options: [atomic, batchSize, incremental, skipFileCheck, reportCommits, outcomes, format, progress]
            + CommonOptions.writeOptions,
        positionals: [.init(name: "FILE", help: "The NDJSON file, or - for standard input.")]
    )

    static let atomic = Option.flag("--atomic", "All or nothing: record every line or none")
    static let batchSize = Option.integer("--batch-size", "N", "Lines per transaction", in: 1...1_000_000,
        default: Int64(Ledger.IngestOptions.defaultBatchSize))
    static let incremental = Option.flag(
        "--incremental", "Into an empty ledger too, record batch by batch from the first line (no bulk build)")
    static let skipFileCheck = Option.flag(
        "--skip-file-check", "Do not prove every page and the whole hash chain before writing (see --help)")
    static let reportCommits = Option.flag(
        "--report-commits", "Print {\"committedThroughLine\":N,...} on stdout after each committed batch")
    static let outcomes = Option.flag(
        "--outcomes", "Print each line's answer on stdout once its batch is committed, as record --stream does")
    static let format = Option.choice("--format", "FORMAT", "Summary as table or json", default: TableOrJSON.table)
    static let progress = Option.flag(
        "--progress", "Show progress on stderr even when it is not a terminal (one line per commit)")

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[Self.format]
        let options = Ledger.IngestOptions(
            batchSize: Int(try context.arguments[Self.batchSize]), isAtomic: try context.arguments[Self.atomic],
            checksFile: !(try context.arguments[Self.skipFileCheck]),
            firstLoadBulkLines: try context.arguments[Self.incremental] ? 0 : Ledger.IngestOptions.defaultFirstLoadBulkLines)
        let reportCommits = try context.arguments[Self.reportCommits]
        let printsOutcomes = try context.arguments[Self.outcomes]
        let path = context.arguments.positionals[0]
        var reader = try NDJSONReader.open(path: path)
        defer { reader.close() }
        let ledger = try context.openLedgerForWriting()
        defer { try? ledger.close() }
        // --quiet (every command's): no progress, and here no summary either.
        let isQuiet = context.isQuiet
        let showProgress = try !isQuiet && (context.errors.isTerminal || context.arguments[Self.progress])
        let onTerminal = context.errors.isTerminal
        let totalBytes = path == "-" ? nil : (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        let start = DispatchTime.now().uptimeNanoseconds
        let summary = try ledger.ingest(
            &reader, options: options,
            onRejection: { rejection in
                context.errors.writeLine(rejection.json.serialized())
            },
            onCommit: { summary in
                if reportCommits {
                    context.output.writeLine(JSONValue.object([
                        ("committedThroughLine", .integer(Int64(summary.committedThroughLine))),
                        ("recorded", .integer(Int64(summary.recorded))),
                        ("duplicates", .integer(Int64(summary.duplicates))),
                        ("rejected", .integer(Int64(summary.rejected))),
                    ]).serialized())
                    context.output.flush()
                }
                if showProgress {
                    let line = Self.progress(summary, totalBytes: totalBytes, seconds: Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
                    context.errors.write(onTerminal ? "\r\u{1B}[K" + line : line + "\n")
                    context.errors.flush()
                }
            },
            onAnswers: printsOutcomes ? { answers in
                for answer in answers {
                    context.output.writeLine(answer.json.serialized())
                }
            } : nil)
        if showProgress && onTerminal {
            context.errors.write("\r\u{1B}[K")
        }
        context.errors.flush()
        if isQuiet {
            // The exit status says it.
        } else if format == .json {
            context.output.writeLine(summary.json.serialized())
        } else {
            var text = "lines: \(summary.lines), recorded: \(summary.recorded), duplicates: \(summary.duplicates), rejected: \(summary.rejected)"
            if summary.refusedAttributions > 0 {
                text += " (\(summary.refusedAttributions) recorded with a refused attribution: see --outcomes or report attributions)"
            }
            if summary.rolledBack {
                text += " (--atomic: rolled back, nothing recorded)"
            }
            context.output.writeLine(text)
        }
        if summary.rolledBack { return .rejected }
        return summary.rejected > 0 ? .someLinesRejected : .success
    }

    /// `ingested 120000 lines (119998 recorded, 2 rejected), 14,210 lines/s, 31% of the input, about 2 min left`.
    static func progress(_ summary: Ledger.IngestSummary, totalBytes: Int?, seconds: Double) -> String {
        var line = "ingested \(summary.lines) lines (\(summary.recorded) recorded, \(summary.rejected) rejected)"
        guard seconds > 0 else { return line }
        line += ", \(Int(Double(summary.lines) / seconds)) lines/s"
        if let totalBytes, totalBytes > 0, summary.bytes > 0 {
            let done = min(1, Double(summary.bytes) / Double(totalBytes))
            line += ", \(Int(done * 100))% of the input"
            if done < 1 {
                let left = seconds / done * (1 - done)
                line += left >= 120 ? ", about \(Int(left / 60)) min left" : ", about \(Int(left)) s left"
            }
        }
        return line
    }
}
