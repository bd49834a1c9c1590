import LedgerStore

/// SQLite's checks of the file (`StoreVerifier`: every page, every reference) run on a
/// connection and a thread of their own while `verify` replays the log on its own connection:
/// about a fifth of a full `verify`, done on the second core instead of after the chain.
///
/// Two connections cannot share one read snapshot, so the checks count only when they read the
/// snapshot `verify` reads: the same head of the log and the same schema (every write to a
/// ledger appends events, and only a migration changes its schema). Otherwise, or when the file
/// could not be opened a second time, `verify` runs them itself, as before (`findings(for:)` is
/// nil).
///
///     let store = BackgroundStoreCheck(path: ledger.path)
///     // ... the replay ...
///     let problems = try store.findings(for: db)   // nil: run `StoreVerifier` on `db`
final class BackgroundStoreCheck {
    /// What the checks found, and which snapshot they read.
    private struct Findings: Sendable {
        var head: Snapshot?
        var problems: [VerificationReport.Problem] = []
    }

    /// The head of the log and the schema's version, as one connection sees them.
    struct Snapshot: Sendable, Equatable {
        var seq: Int64?
        var hash: [UInt8]?
        var schemaVersion: Int64?

        init(_ db: Database) throws {
            let head = try db.fetchAll(sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1").first
            seq = head?["seq"]
            hash = head?["hash"]
            schemaVersion = try Int64.fetchOne(db, sql: "PRAGMA schema_version")
        }
    }

    /// The page cache of the checks' connection: they read each page about once, and a
    /// replay's two connections hold theirs besides.
    static let cacheSizeKiB = 8_192

    private let worker: ChunkWorker<String, Findings>

    /// Starts the checks of the ledger file at `path`; returns at once.
    init(path: String) {
        worker = ChunkWorker { paths in
            paths.map { path in
                do {
                    var configuration = Database.Configuration()
                    configuration.cacheSizeKiB = Self.cacheSizeKiB
                    let db = try Database(path: path, mode: .readOnly, configuration: configuration)
                    defer { try? db.close() }
                    var findings = Findings()
                    try db.inTransaction(.deferred) {
                        findings.head = try Snapshot(db)
                        var report = VerificationReport()
                        try Ledger.reportingDamage(into: &report, "the file") {
                            try StoreVerifier(db: db).verify(into: &$0)
                        }
                        findings.problems = report.problems
                        return .commit
                    }
                    return findings
                } catch {
                    return Findings()
                }
            }
        }
        worker.submit([path])
    }

    /// Ends the thread, after the checks if they are still running (a replay that threw).
    deinit { worker.stop() }

    /// Waits for the checks; their problems when they read the snapshot `db` reads, else nil.
    func findings(for db: Database) -> [VerificationReport.Problem]? {
        let findings = worker.take().first
        guard let head = findings?.head, head == (try? Snapshot(db)) else { return nil }
        return findings?.problems
    }
}
