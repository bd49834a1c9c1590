import Foundation
import LedgerStore

extension Ledger {
    /// Makes a new ledger at `destination` from this ledger's log alone: every event replayed, in
    /// order, through the recording rules, with its own sequence number and recordedAt. Nothing of
    /// the other tables is read, so a ledger whose derived rows were damaged or edited is repaired,
    /// and an auditor sees that the log is all a ledger needs.
    ///
    ///     let report = try ledger.rebuild(to: "/srv/acme/rebuilt.sqlite")
    ///     report.isIntact           // false: the log itself is broken; nothing was created
    ///
    /// The new file is built under a temporary name in the same directory and appears only once
    /// complete. It has the same events, outcomes and hashes (events an older version hashed
    /// without recordedAt get the current format, so such a ledger gets a new head), and every
    /// query and report answers as on this one.
    ///
    /// - Returns: the hash chain's report on this ledger and the replay's problems; when it has
    ///   any, the new file is not created.
    /// - Throws: `LedgerError` `INVALID_FIELD` (field `--to`) when `destination` exists.
    public func rebuild(to destination: String) throws -> VerificationReport {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError(.invalidField, field: "--to", "\(destination) exists; rebuild makes a new file")
        }
        return try queue.read { db in
            var report = VerificationReport()
            try ChainVerifier(db: db).verify(into: &report)
            guard report.isIntact else { return report }
            let directory = (destination as NSString).deletingLastPathComponent
            let scratch = try TemporaryDatabase(
                prefix: "invite-ledger-rebuild", directory: directory.isEmpty ? "." : directory)
            defer { scratch.remove() }
            try LedgerSchema.migrator().migrate(scratch.db)
            try db.withCacheSize(kibibytes: LogReplay.sourceCacheKiB) {
                try replay(from: db, into: scratch.db, report: &report)
            }
            guard report.isIntact else { return report }
            let head = try HeadWitness.head(scratch.db)
            report.headHash = head?.hash
            try scratch.move(to: destination)
            if let head, let witness = HeadWitness(databasePath: destination) {
                try witness.write(head)
            }
            return report
        }
    }

    /// Every event of `db` replayed into `target`; an event the replay does not give back as it
    /// was recorded is a problem of `report`.
    private func replay(from db: Database, into target: Database, report: inout VerificationReport) throws {
        try LogReplay(source: db, target: target).run { event, result in
            report.replayedEvents += 1
            let problem: String
            switch result {
            case .recorded(let outcome, let text) where outcome.status == .recorded:
                guard text != event.outcome else { return }
                problem = "replaying it gives \(text), not its outcome \(event.outcome)"
            case .recorded(let outcome, _):
                problem = "its eventId was already recorded at seq \(outcome.seq)"
            case .unreadable(let error), .rejected(let error):
                problem = "it cannot be replayed: \(error)"
            }
            if report.problems.count < 20 {
                report.problems.append(.init(kind: .event, seq: event.seq, message: "event \(event.seq): \(problem)"))
            }
        }
    }
}
