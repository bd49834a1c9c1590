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

    private static let selectByCrmPartnerRef = select(where: "brokerId = ? AND crmPartnerRef = ?")
    private static let selectByUserRowId = select(where: "userRowId = ?")

    public static func fetch(_ db: Database, brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord? {
        try fetchFirst(db, sql: selectByCrmPartnerRef, brokerId, crmPartnerRef)
    }

    public static func fetch(_ db: Database, userRowId: Int64) throws -> PartnerRecord? {
        try fetchFirst(db, sql: selectByUserRowId, userRowId)
    }
}
