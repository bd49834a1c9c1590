import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// Every single-row deletion, every single-column change of every row, and every trigger and index
/// change of a ledger that holds every kind of row, found from the schema itself: a table, column,
/// index or trigger added by a later migration is tampered with without anyone listing it here.
///
/// Each change is made as an attacker with the `sqlite3` shell would (foreign keys not enforced,
/// the log's triggers dropped and put back exactly as they were), inside a transaction that is
/// rolled back afterwards; `verify` must then report a problem naming the table and the row's
/// key (or, for the log, its sequence number).
@Suite("tampering, driven by the schema")
struct TamperTests {
    /// Both flows, every attribution outcome (invites, reassignments, a detachment, deletions,
    /// rejected decisions, clicks, broker settings), and a second broker reusing the same ids.
    static func ledger() throws -> Ledger {
        let ledger = try Fixtures.ledger(["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"])
        for line in try Fixtures.lines("flow-1.ndjson") + Fixtures.lines("flow-2.ndjson") {
            _ = try ledger.record(json: line.replacingOccurrences(of: #""brokerCrmName":"acme""#, with: #""brokerCrmName":"zeta""#))
        }
        return ledger
    }

    /// A table as the schema defines it: its columns and primary key.
    struct Table {
        var name: String
        var columns: [String]
        var key: [String]

        init(_ name: String, _ db: Database) throws {
            self.name = name
            var key: [(Int64, String)] = []
            columns = []
            for row in try db.fetchAll(sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [name]) {
                let column: String = try row.decode(String.self, "name")
                columns.append(column)
                let position: Int64 = try row.decode(Int64.self, "pk")
                if position > 0 { key.append((position, column)) }
            }
            self.key = key.sorted { $0.0 < $1.0 }.map(\.1)
        }

        var whereKey: String { key.map { "\"\($0)\" IS ?" }.joined(separator: " AND ") }
    }

    /// The values of one row, by column.
    typealias Values = [String: DatabaseValue]

    /// Makes `change` in a transaction that is rolled back afterwards, and verifies in between.
    /// Returns nil when SQLite itself refuses the change (a CHECK, a unique index, STRICT types).
    static func verify(_ ledger: Ledger, after change: (Database) throws -> Void) throws -> VerificationReport? {
        try ledger.queue.inDatabase { db in
            var report: VerificationReport?
            try db.inTransaction(.immediate) {
                // What `PRAGMA foreign_keys = OFF` does for an attacker; that pragma is ignored in a transaction.
                try db.execute(sql: "PRAGMA defer_foreign_keys = ON")
                let triggers = try String.fetchAll(db, sql: "SELECT sql FROM sqlite_schema WHERE type = 'trigger'")
                var isRefused = false
                do {
                    try db.inSavepoint {
                        try db.execute(sql: "DROP TRIGGER event_no_update; DROP TRIGGER event_no_delete")
                        try change(db)
                        for trigger in triggers { try db.execute(sql: trigger) }
                        return .commit
                    }
                } catch is DatabaseError {
                    isRefused = true
                }
                if !isRefused {
                    report = try Ledger.verify(db)
                }
                return .rollback
            }
            return report
        }
    }

    static func show(_ value: DatabaseValue) -> String { TableComparison.show(value) }

    /// The values a cell is changed to, tried in turn until SQLite accepts one.
    static func replacements(for value: DatabaseValue, others: [DatabaseValue]) -> [DatabaseValue] {
        var candidates: [DatabaseValue]
        switch value {
        case .integer(let number): candidates = [.integer(number &+ 1), .integer(number &- 1), .null]
        case .real(let number): candidates = [.real(number + 1), .null]
        case .text(let text): candidates = [.text(text + "x"), .text(String(text.dropLast())), .null]
        case .blob(let bytes): candidates = [.blob([bytes.first.map { $0 ^ 1 } ?? 1] + bytes.dropFirst()), .null]
        case .null: candidates = [.integer(1), .text("x")]
        }
        return (candidates + others).filter { $0 != value }
    }

    @Test("every deleted row and every changed column of every table is reported, naming table and row")
    func rowsAndColumns() throws {
        let ledger = try Self.ledger()
        #expect(try ledger.verify().problems == [])
        let tables = try ledger.queue.inDatabase { db in
            try LedgerSchema.tables(db).map { try Table($0, db) }
        }
        // The test is driven by the schema; make sure the schema is what it drives.
        #expect(tables.map(\.name).contains("lineage") && tables.map(\.name).contains("event") && tables.count >= 12)
        var tried = 0
        var refusedCells: [String: Int] = [:]
        var coveredColumns: Set<String> = []
        var unnoticed: [String] = []
        for table in tables {
            let rows: [Values] = try ledger.queue.inDatabase { db in
                try db.fetchAll(sql: "SELECT * FROM \"\(table.name)\"").map { row in
                    Dictionary(uniqueKeysWithValues: zip(row.columnNames, row.values))
                }
            }
            #expect(!rows.isEmpty, "table \(table.name) has no row to tamper with: extend the ledger")
            let keyText = { (values: Values) in table.key.map { "\($0)=\(Self.show(values[$0]!))" }.joined(separator: ", ") }
            let keyValues = { (values: Values) -> [(any DatabaseValueConvertible)?] in table.key.map { values[$0]! } }
            func isNamed(_ report: VerificationReport, _ row: Values, _ changed: Values?) -> Bool {
                let keys = [keyText(row)] + (changed.map { [keyText($0)] } ?? [])
                let seqs = table.name == "event" ? [row["seq"]!, changed?["seq"]].compactMap { value -> Int64? in
                    if case .integer(let seq)? = value { return seq }
                    return nil
                } : []
                return report.problems.contains { problem in
                    (problem.table == table.name && problem.key.map(keys.contains) == true)
                        || (problem.seq.map(seqs.contains) == true)
                }
            }
            for row in rows {
                tried += 1
                let deleted = try Self.verify(ledger) { db in
                    try db.execute(sql: "DELETE FROM \"\(table.name)\" WHERE \(table.whereKey)", arguments: StatementArguments(keyValues(row)))
                }
                if let deleted, !isNamed(deleted, row, nil) {
                    unnoticed.append("delete \(table.name) \(keyText(row)): \(deleted.problems)")
                }
                for column in table.columns {
                    let others = Array(Set(rows.compactMap { $0[column] })).sorted { $0.description < $1.description }
                    var report: VerificationReport?
                    var changed = row
                    for candidate in Self.replacements(for: row[column]!, others: others) {
                        changed[column] = candidate
                        report = try Self.verify(ledger) { db in
                            try db.execute(
                                sql: "UPDATE \"\(table.name)\" SET \"\(column)\" = ? WHERE \(table.whereKey)",
                                arguments: StatementArguments([candidate] + keyValues(row)))
                        }
                        if report != nil { break }
                    }
                    tried += 1
                    guard let report else {
                        refusedCells["\(table.name).\(column)", default: 0] += 1
                        continue
                    }
                    coveredColumns.insert("\(table.name).\(column)")
                    if !isNamed(report, row, changed) {
                        unnoticed.append("\(table.name) \(keyText(row)) \(column) -> \(Self.show(changed[column]!)): \(report.problems)")
                    }
                }
            }
        }
        #expect(unnoticed == [])
        // Columns SQLite never lets change alone (a CHECK ties them to another column) are the
        // only ones not tampered with.
        let allColumns = Set(tables.flatMap { table in table.columns.map { "\(table.name).\($0)" } })
        #expect(allColumns.subtracting(coveredColumns).sorted() == [
            "partnerIdAssignment.level", "partnerIdHolder.level",
        ])
        print("tamper test: \(tried) single-row and single-column tampers, \(refusedCells.values.reduce(0, +)) refused by SQLite's constraints, every other one reported")
    }

    @Test("every dropped, replaced or added index and trigger is reported")
    func indexesAndTriggers() throws {
        let ledger = try Self.ledger()
        let objects = try ledger.queue.inDatabase { db in
            try db.fetchAll(sql: """
                SELECT type, name, tbl_name FROM sqlite_schema WHERE type IN ('index', 'trigger') AND sql IS NOT NULL ORDER BY name
                """).map { (try $0.decode(String.self, "type"), try $0.decode(String.self, "name"), try $0.decode(String.self, "tbl_name")) }
        }
        #expect(objects.count >= 15)
        var changes: [(String, String)] = [
            ("CREATE TRIGGER audit AFTER INSERT ON ctidUser BEGIN SELECT 1; END", "audit"),
            ("CREATE INDEX extra ON click (partnerId)", "extra"),
            ("CREATE TABLE notes (x)", "notes"),
        ]
        for (type, name, table) in objects {
            changes.append(("DROP \(type.uppercased()) \(name)", name))
            if type == "trigger" {
                changes.append(("DROP TRIGGER \(name); CREATE TRIGGER \(name) BEFORE UPDATE ON \(table) BEGIN SELECT 1; END", name))
            } else {
                let column = try ledger.rows("SELECT name FROM pragma_table_info(?) WHERE cid = 0", [table])[0]
                changes.append(("DROP INDEX \(name); CREATE INDEX \(name) ON \(table) (\(column))", name))
            }
        }
        var unnoticed: [String] = []
        for (sql, name) in changes {
            let report = try ledger.queue.inDatabase { db -> VerificationReport in
                var report = VerificationReport()
                try db.inTransaction(.immediate) {
                    try db.execute(sql: sql)
                    report = try Ledger.verify(db)
                    return .rollback
                }
                return report
            }
            if !report.problems.contains(where: { $0.kind == .schema && $0.message.contains(" \(name) ") }) {
                unnoticed.append("\(sql): \(report.problems)")
            }
        }
        #expect(unnoticed == [])
        print("tamper test: \(changes.count) index, trigger and table changes, every one reported")
    }
}
