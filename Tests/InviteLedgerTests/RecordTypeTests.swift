import LedgerStore
import Testing

@testable import InviteLedger

@Suite("Record types")
struct RecordTypeTests {
    static let types: [any InsertableRecord.Type] = [
        BrokerRecord.self, EventRecord.self, UserRecord.self, AccountRecord.self, PartnerRecord.self,
        HolderRecord.self, AssignmentRecord.self, LinkRecord.self, ClickRecord.self, SignupRecord.self,
        AttributionRecord.self, LineageTable.Path.self,
    ]

    @Test("each record type names its table's columns in the schema's order, and every ledger table has one")
    func columnsMatchTheSchema() throws {
        let ledger = try Fixtures.emptyLedger()
        for type in Self.types {
            let columns = try ledger.rows("SELECT name FROM pragma_table_info(?) ORDER BY cid", [type.tableName])
            #expect(columns == type.columnNames, "\(type.tableName)")
        }
        let tables = try ledger.queue.inDatabase { try LedgerSchema.tables($0) }
        #expect(Set(tables) == Set(Self.types.map { $0.tableName }))
    }

    /// The types read back as well as inserted.
    static let readTypes: [any TableRecord.Type] = [
        BrokerRecord.self, EventRecord.self, UserRecord.self, AccountRecord.self, PartnerRecord.self,
        HolderRecord.self, AssignmentRecord.self, LinkRecord.self, ClickRecord.self, SignupRecord.self,
        AttributionRecord.self,
    ]

    /// Each record type reads and writes the ledger's own rows: every property of a record read by
    /// `init(row:)` holds the column of its name, and `encode(to:)` writes each back into that
    /// column. Both come from the record's stored properties (`RowDecoder`, `RowEncoder`); a
    /// coder that skipped or swapped a column fails here, naming the column.
    @Test("init(row:), encode(to:) and the column names agree, column by column, on every row of a rich ledger")
    func ordersAgree() throws {
        // A varied ledger: row ids of different tables drift apart, so swapped columns show.
        // The fixtures give every table rows (links, CRM partners); the random history varies them.
        let lines = try ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"].flatMap(Fixtures.lines)
            + RecordingPathsTests.history(seed: 1, users: 300)
        let (ledger, _) = try Fixtures.ingested(lines, batchSize: 500)
        let copy = try Database(path: ":memory:")
        try LedgerSchema.migrator().migrate(copy)
        try copy.setForeignKeysEnforced(false)
        var checked = 0
        for type in Self.readTypes {
            checked += try ledger.queue.inDatabase { db in try Self.check(type, in: db, copy: copy) }
        }
        #expect(checked > 10_000)
    }

    /// Checks one type on every row of its table; returns how many values were compared.
    static func check<Record: TableRecord>(_ type: Record.Type, in db: Database, copy: Database) throws -> Int {
        let table = Record.tableName
        let records = try Record.fetchAll(db, sql: "SELECT \(Record.selection) FROM \(table) ORDER BY rowid")
        let rows = try db.fetchAll(sql: "SELECT * FROM \(table) ORDER BY rowid")
        #expect(!records.isEmpty, "\(table) has no row to check")
        var compared = 0
        for (record, row) in zip(records, rows) {
            for child in Mirror(reflecting: record).children {
                guard let label = child.label?.trimmingCharacters(in: ["`"]) else { continue }
                let value = try #require(child.value as? any DatabaseValueConvertible, "\(table).\(label)")
                #expect(value.databaseValue == row[label] as DatabaseValue?, "\(table): property \(label) does not hold column \(label)")
                compared += 1
            }
        }
        try Record.insert(records, copy)
        #expect(try copy.fetchAll(sql: "SELECT * FROM \(table) ORDER BY rowid").map(\.values)
                == rows.map(\.values), "\(table): encode(to:) does not write back what init(row:) read")
        return compared
    }
}
