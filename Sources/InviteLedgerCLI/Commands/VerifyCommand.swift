import InviteLedger
import LedgerStore

enum VerifyCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["verify"],
        abstract: "Prove the ledger from its log: hash chain, every row of every table, schema, file integrity.",
        discussion: """
            Opens the database read-only and checks, in one snapshot: the hash chain; SQLite's
            integrity and foreign-key checks; the tables, indexes and triggers against what the
            migrations create; then replays every event of the log into a scratch ledger (a
            temporary file, removed afterwards) and compares each outcome and every row of every
            table with the replay. Each problem names the sequence number, table, row key and
            column concerned. Exit status 4 when anything is wrong.
            --expect-head HASH also checks that the log still ends with the event whose hash you
            kept (a truncated log keeps a valid chain). The head witness beside the file
            (PATH-head) is checked the same way without the option. --chain-only recomputes the hash
            chain alone: much faster on a large file.
            A file that cannot be read at all is reported as an integrity problem (exit status 4).
            --accept-head makes the file's head the expected one (replaces the head witness) when
            nothing else is wrong: for a file restored from a backup on purpose.
            """,
        options: [chainOnly, expectHead, acceptHead, CommonOptions.format]
    )

    static let chainOnly = Option.flag("--chain-only", "Check the hash chain only (skip SQLite's checks and the derived tables)")
    static let expectHead = Option.string("--expect-head", "HASH", "The head hash printed by an earlier verify (hex)")
    static let acceptHead = Option.flag(
        "--accept-head", "When only the head witness disagrees, make this file's head the expected one")

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let format = try context.arguments[CommonOptions.format]
        if try context.arguments[Self.acceptHead] && context.arguments[Self.chainOnly] {
            throw UsageError("--accept-head needs the full verification: leave out --chain-only", field: acceptHead.name)
        }
        var report = VerificationReport()
        let ledger: Ledger
        do {
            ledger = try context.openLedger(.readOnly, checksHead: false)
        } catch let error as DatabaseError where error.isDamage {
            report.problems.append(.init(kind: .integrity, message: "\(context.databasePath) cannot be read: \(error.message)"))
            return show(report, context, format: format)
        }
        defer { try? ledger.close() }
        report = try ledger.verify(chainOnly: context.arguments[Self.chainOnly])
        if let expected = try context.arguments[Self.expectHead] {
            guard let bytes = [UInt8](hex: expected), bytes.count == 32 else {
                throw UsageError(
                    "option --expect-head: expected 64 hexadecimal digits, got \(expected.debugDescription)", field: expectHead.name)
            }
            if report.headHash != bytes {
                report.problems.append(VerificationReport.Problem(
                    kind: .chain,
                    message: "the log does not end with the expected head \(expected.lowercased()); it ends with \(report.headHash?.hex ?? "no event")"))
            }
        }
        if try context.arguments[Self.acceptHead] {
            if try ledger.acceptHead(of: report) {
                if !context.isQuiet {
                    context.errors.writeLine(
                        "accepted: the head witness now expects seq \(report.events) \(report.headHash?.hex ?? "(empty log)")")
                }
                report.problems.removeAll()
            } else if !report.isIntact {
                context.errors.writeLine("not accepted: the ledger has problems other than its head witness")
            }
        }
        return show(report, context, format: format)
    }

    static func show(_ report: VerificationReport, _ context: CommandContext, format: TableOrJSON) -> ExitStatus {
        if format == .json {
            context.output.writeLine(report.json.serialized())
        } else {
            context.output.writeLine("events: \(report.events)")
            context.output.writeLine("head hash: \(report.headHash?.hex ?? "none")")
            if report.isIntact {
                context.output.writeLine("intact: yes")
            } else {
                context.output.writeLine("intact: NO")
                if let first = report.firstBadSeq {
                    context.output.writeLine("first bad seq: \(first)")
                }
                context.output.write(ProblemTable.rendered(report.problems))
            }
        }
        return report.isIntact ? .success : .verificationFailed
    }
}
