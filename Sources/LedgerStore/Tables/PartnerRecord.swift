/// A row of `partner`: a partner registration in the broker's CRM.
public struct PartnerRecord: Sendable, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var crmPartnerRef: String
    public var userRowId: Int64?
    public var accountRowId: Int64?
    public var registeredAt: Int64
    public var eventSeq: Int64

    static let columns = "id, brokerId, crmPartnerRef, userRowId, accountRowId, registeredAt, eventSeq"

    private static let selectByCrmPartnerRef = "SELECT \(columns) FROM partner WHERE brokerId = ? AND crmPartnerRef = ?"

    private static let selectByUserRowId = "SELECT \(columns) FROM partner WHERE userRowId = ?"

    private static let selectById = "SELECT \(columns) FROM partner WHERE id = ?"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        crmPartnerRef = try row.required(2)
        userRowId = row[3]
        accountRowId = row[4]
        registeredAt = try row.required(5)
        eventSeq = try row.required(6)
    }

    public static func fetch(_ db: Database, brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord? {
        try db.cachedStatement(sql: Self.selectByCrmPartnerRef)
            .fetchFirst(arguments: [brokerId, crmPartnerRef]) { try PartnerRecord($0) }
    }

    public static func fetch(_ db: Database, userRowId: Int64) throws -> PartnerRecord? {
        try db.cachedStatement(sql: Self.selectByUserRowId)
            .fetchFirst(arguments: [userRowId]) { try PartnerRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> PartnerRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try PartnerRecord($0) }
    }

    public static func insert(
        _ db: Database, brokerId: Int64, crmPartnerRef: String, userRowId: Int64?, accountRowId: Int64?,
        registeredAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO partner (brokerId, crmPartnerRef, userRowId, accountRowId, registeredAt, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, crmPartnerRef, userRowId, accountRowId, registeredAt, eventSeq])
        return db.lastInsertedRowID
    }

    /// Records that the partner now has a cTID user.
    public static func linkUser(_ db: Database, id: Int64, userRowId: Int64) throws {
        try db.cachedStatement(sql: "UPDATE partner SET userRowId = ? WHERE id = ? AND userRowId IS NULL")
            .execute(arguments: [userRowId, id])
    }
}
