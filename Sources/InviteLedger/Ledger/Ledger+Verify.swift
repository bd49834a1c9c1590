import Foundation
import LedgerStore

extension Ledger {
    /// Checks that the ledger is intact, in one read snapshot, and reports every problem found:
    ///
    /// 1. the hash chain, recomputed over every event (`ChainVerifier`);
    /// 2. SQLite's integrity and foreign-key checks (`StoreVerifier`), on a second connection
    ///    while the log is replayed, counted only when it read the same snapshot
    ///    (`BackgroundStoreCheck`), else again on this one;
    /// 3. the tables, indexes and triggers against what the migrations create (`SchemaVerifier`);
    /// 4. the log replayed into a scratch ledger: each event's outcome, then every row of every
    ///    table compared with the replay's (`ReplayVerifier`).
    ///
    /// A damaged file is a problem of the report (`integrity`), not an error. See Reliability.md
    /// for what this proves and what it cannot.
    ///
    /// - Parameter chainOnly: true to recompute the hash chain only: much faster on a large file,
    ///   as the other checks read every page and replay every event.
    public func verify(chainOnly: Bool = false) throws -> VerificationReport {
        // The witness is read before the snapshot begins: every event it names was committed
        // before, so the snapshot holds it, however far writers move the witness meanwhile.
        let witnessed = witness.map { witness in Result { () throws(HeadWitness.Mismatch) in try witness.read() } }
        // SQLite's checks of a file go on a second connection, beside the replay.
        let storePath = path == ":memory:" || path.hasPrefix("file:") ? nil : path
        return try queue.read { db in
            var report = try Self.verify(db, chainOnly: chainOnly, checkingStoreBeside: storePath)
            report.problems += migrationProblems.map {
                .init(kind: .schema, table: Migrator.tableName, message: $0)
            }
            try Self.reportingDamage(into: &report, "the head of the log") { report in
                if let witness, let witnessed, let mismatch = try witness.mismatch(db, witnessed: witnessed) {
                    report.problems.append(.init(
                        kind: .witness, message: "\(path): \(mismatch.message) (head witness \(witness.path))"))
                }
            }
            return report
        }
    }

    /// Refuses (`LedgerFileError`) a file that is not the ledger its head witness saw: a log cut
    /// short or an older copy put back, a swapped file, another database's `-wal`, a migrations
    /// table edited. Queries call it
    /// before they answer, so that such a file never answers as if it were the ledger; `verify`
    /// reports the same as a problem instead. Costs one read of the witness and one event.
    public func requireWitnessedHead() throws {
        if let problem = migrationProblems.first {
            throw LedgerFileError(path: path, reason: problem)
        }
        guard let witness else { return }
        try queue.read { db in
            try Self.requireIntact(db, path: path) { _ in try witness.mismatch(db)?.message }
        }
    }

    /// Makes the head of a report the one expected from now on: the head witness beside the file
    /// is replaced. For a file restored from a backup on purpose, after `verify` found nothing
    /// else wrong with it.
    ///
    /// - Returns: false, changing nothing, when the report has another problem than the witness's,
    ///   or the ledger is in memory.
    @discardableResult
    public func acceptHead(of report: VerificationReport) throws -> Bool {
        guard let witness, report.problems.allSatisfy({ $0.kind == .witness }) else { return false }
        guard let hash = report.headHash else {
            try? FileManager.default.removeItem(atPath: witness.path)
            return true
        }
        let (migrations, schema) = try queue.read { db in
            (try HeadWitness.migrationsDigest(db), try HeadWitness.schemaDigest(db))
        }
        try witness.write(HeadWitness.Head(seq: report.events, hash: hash, migrations: migrations, schema: schema))
        return true
    }

    /// The checks of `verify(chainOnly:)` on a connection already inside a transaction.
    ///
    /// - Parameter storePath: the file `db` reads, for SQLite's checks to run on a connection of
    ///   their own while the log is replayed (`BackgroundStoreCheck`); nil runs them on `db`.
    static func verify(
        _ db: Database, chainOnly: Bool = false, checkingStoreBeside storePath: String? = nil
    ) throws -> VerificationReport {
        var report = VerificationReport()
        var store: BackgroundStoreCheck?
        // The snapshot of `db` begins before the checks' own, so that they can only see it or a
        // later one (and then they are not used). A file too damaged to read its head is checked
        // on `db` alone.
        if !chainOnly, let storePath, (try? BackgroundStoreCheck.Snapshot(db)) != nil {
            store = BackgroundStoreCheck(path: storePath)
        }
        try reportingDamage(into: &report, "the event log") {
            try ChainVerifier(db: db).verify(into: &$0)
        }
        guard !chainOnly else { return report }
        let storeProblemsAt = report.problems.count
        try reportingDamage(into: &report, "the tables") {
            try ReplayVerifier(db: db).verify(into: &$0)
        }
        // SQLite's findings come before the replay's, as when they ran first.
        var checked = VerificationReport()
        if let problems = store?.findings(for: db) {
            checked.problems = problems
        } else {
            try reportingDamage(into: &checked, "the file") {
                try StoreVerifier(db: db).verify(into: &$0)
            }
        }
        report.problems.insert(contentsOf: checked.problems, at: storeProblemsAt)
        return report
    }

    /// Runs one check; SQLite finding the file damaged while reading becomes an `integrity`
    /// problem of the report, and the other checks go on.
    static func reportingDamage(
        into report: inout VerificationReport, _ what: String, _ check: (inout VerificationReport) throws -> Void
    ) rethrows {
        do {
            try check(&report)
        } catch let error as DatabaseError where error.isDamage {
            report.problems.append(.init(kind: .integrity, message: "reading \(what) failed: \(error.message)"))
        }
    }
}
