/// A row of `partner`: a partner registration in the broker's CRM.
public struct PartnerRecord: TableRecord, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var crmPartnerRef: String
    public var userRowId: Int64?
    public var accountRowId: Int64?
    public var registeredAt: Int64
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, crmPartnerRef: String, userRowId: Int64?, accountRowId: Int64?, registeredAt: Int64,
        eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.crmPartnerRef = crmPartnerRef
        self.userRowId = userRowId
        self.accountRowId = accountRowId
        self.registeredAt = registeredAt
        self.eventSeq = eventSeq
    }

    public static let tableName = "partner"
    public static let columnNames = ["id", "brokerId", "crmPartnerRef", "userRowId", "accountRowId", "registeredAt", "eventSeq"]

    public init(row: Statement.Columns) throws {
        self.init(
            id: try row.required(0), brokerId: try row.required(1), crmPartnerRef: try row.required(2), userRowId: row[3],
            accountRowId: row[4], registeredAt: try row.required(5), eventSeq: try row.required(6))
    }

    public func encode(to row: inout StatementBinder) {
        row.bind(id, brokerId, crmPartnerRef, userRowId, accountRowId, registeredAt, eventSeq)
    }

    private static let selectByCrmPartnerRef = select(where: "brokerId = ? AND crmPartnerRef = ?")
    private static let selectByUserRowId = select(where: "userRowId = ?")
    private static let selectById = select(where: "id = ?")

    public static func fetch(_ db: Database, brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord? {
        try fetchFirst(db, sql: selectByCrmPartnerRef, brokerId, crmPartnerRef)
    }

    public static func fetch(_ db: Database, userRowId: Int64) throws -> PartnerRecord? {
        try fetchFirst(db, sql: selectByUserRowId, userRowId)
    }

    public static func fetch(_ db: Database, id: Int64) throws -> PartnerRecord? {
        try fetchFirst(db, sql: selectById, id)
    }
}
