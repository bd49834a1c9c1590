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
        let tables = try ledger.queue.inDatabase { try ReplayVerifier.tables($0) }
        #expect(Set(tables) == Set(Self.types.map { $0.tableName }))
    }
}
