import LedgerStore
import Testing

@testable import InviteLedger

/// SQLite's checks run on a connection of their own beside the replay of `verify`: they count
/// only when they read the snapshot `verify` reads.
@Suite("store checks beside the replay")
struct BackgroundStoreCheckTests {
    /// A ledger file of the fixtures, and a connection to it inside a read transaction.
    func withSnapshot(_ body: (Ledger, Database, String) throws -> Void) throws {
        let scratch = try ScratchDirectory("store-check")
        defer { scratch.remove() }
        let path = scratch.path("ledger.sqlite")
        let ledger = try Ledger(path: path, access: .create, clock: Fixtures.clock, brokers: .anyBroker)
        for line in try Fixtures.lines("flow-1.ndjson") + Fixtures.lines("flow-2.ndjson") {
            _ = try ledger.record(json: line)
        }
        let db = try Database(path: path, mode: .readOnly)
        defer { try? db.close() }
        try db.inTransaction(.deferred) {
            _ = try BackgroundStoreCheck.Snapshot(db)
            try body(ledger, db, path)
            return .commit
        }
    }

    @Test("on the snapshot verify reads, the checks' findings are the ones SQLite gives on it")
    func sameSnapshot() throws {
        try withSnapshot { ledger, db, path in
            #expect(BackgroundStoreCheck(path: path).findings(for: db) == [])
        }
        // A reference to a missing row, made behind the ledger's back, is found beside the replay
        // and reported once, before the replay's own findings.
        try withSnapshot { ledger, _, path in
            try ledger.tamper("PRAGMA foreign_keys = OFF; UPDATE click SET linkRowId = 99 WHERE id = 1")
            let report = try ledger.verify()
            let references = report.problems.filter { $0.kind == .foreignKey }
            #expect(references.map(\.message) == ["click row 1 points at a missing link row"])
            let first = try #require(report.problems.firstIndex { $0.kind == .foreignKey })
            #expect(report.problems[..<first].allSatisfy { $0.kind == .foreignKey || $0.kind == .integrity })
            #expect(report.problems.contains { $0.kind == .row && $0.table == "click" })
        }
    }

    @Test("after a write the snapshot verify reads does not hold, the checks' findings are not used")
    func laterSnapshot() throws {
        try withSnapshot { ledger, db, path in
            _ = try ledger.record(json: step("user.created", "late-1", ["userId": 77]))
            #expect(BackgroundStoreCheck(path: path).findings(for: db) == nil)
        }
    }
}
