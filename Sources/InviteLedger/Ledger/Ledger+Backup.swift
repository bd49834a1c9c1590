import Foundation
import LedgerStore

extension Ledger {
    /// How much of a backup copy to check before it is given its name.
    public enum BackupCheck: String, Sendable, CaseIterable {
        /// The hash chain and SQLite's `quick_check` of every page: seconds on a large ledger.
        case chain
        /// Everything `verify` checks, the replay of the log included: about as long as an ingest
        /// of the whole log.
        case full
    }

    /// Copies the ledger to `destination`, consistent while other processes keep writing: one
    /// read snapshot copied page by page (SQLite's online backup API) to a temporary file in the
    /// destination's directory, checked, synced, then given its name. The copy gets its own head
    /// witness.
    ///
    ///     let report = try ledger.backup(to: "/backups/acme-2026-11-25.sqlite")
    ///     report.events, report.headHash      // the copy's head: check it later with --expect-head
    ///
    /// - Returns: the copy's verification; when it has a problem the copy is removed.
    /// - Throws: `LedgerError` `INVALID_FIELD` (field `--to`) when `destination` exists.
    public func backup(to destination: String, check: BackupCheck = .chain) throws -> VerificationReport {
        guard !FileManager.default.fileExists(atPath: destination) else {
            throw LedgerError(.invalidField, field: "--to", "\(destination) exists; backup makes a new file")
        }
        let directory = (destination as NSString).deletingLastPathComponent
        let copy = try TemporaryDatabase(prefix: "invite-ledger-backup", directory: directory.isEmpty ? "." : directory)
        defer { copy.remove() }
        try queue.inDatabase { db in try db.backup(to: copy.db) }
        var report = VerificationReport()
        let migrations = try HeadWitness.migrationsDigest(copy.db)
        let schema = try HeadWitness.schemaDigest(copy.db)
        try copy.db.inTransaction(.deferred) {
            report = try Self.verify(copy.db, chainOnly: check == .chain)
            if check == .chain {
                for message in try String.fetchAll(copy.db, sql: "PRAGMA quick_check") where message != "ok" {
                    report.problems.append(.init(kind: .integrity, message: message))
                }
            }
            return .rollback
        }
        guard report.isIntact else { return report }
        try copy.move(to: destination)
        if let hash = report.headHash, let witness = HeadWitness(databasePath: destination) {
            try witness.write(HeadWitness.Head(seq: report.events, hash: hash, migrations: migrations, schema: schema))
        }
        return report
    }
}
