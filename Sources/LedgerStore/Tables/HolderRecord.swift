/// A row of `partnerIdHolder`: the user, or the account, a partnerId belongs to for ever.
public struct HolderRecord: Sendable, Equatable {
    public enum Level: String, Sendable, DatabaseValueConvertible {
        case user
        case account
    }

    public var id: Int64
    public var brokerId: Int64
    public var partnerId: String
    public var level: Level
    public var userRowId: Int64
    public var accountRowId: Int64?
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, partnerId: String, level: Level, userRowId: Int64, accountRowId: Int64?,
        eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.partnerId = partnerId
        self.level = level
        self.userRowId = userRowId
        self.accountRowId = accountRowId
        self.eventSeq = eventSeq
    }

    static let columns = "id, brokerId, partnerId, level, userRowId, accountRowId, eventSeq"

    private static let selectByPartnerId = "SELECT \(columns) FROM partnerIdHolder WHERE brokerId = ? AND partnerId = ?"

    private static let selectById = "SELECT \(columns) FROM partnerIdHolder WHERE id = ?"

    private static let selectAll = "SELECT \(columns) FROM partnerIdHolder WHERE userRowId = ? ORDER BY id"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        partnerId = try row.required(2)
        level = try row.required(3)
        userRowId = try row.required(4)
        accountRowId = row[5]
        eventSeq = try row.required(6)
    }

    public static func fetch(_ db: Database, brokerId: Int64, partnerId: String) throws -> HolderRecord? {
        try db.cachedStatement(sql: Self.selectByPartnerId)
            .fetchFirst(arguments: [brokerId, partnerId]) { try HolderRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> HolderRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try HolderRecord($0) }
    }

    /// Every partnerId a user holds or held, at user and account level, oldest first.
    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [HolderRecord] {
        var holders: [HolderRecord] = []
        try db.cachedStatement(sql: Self.selectAll)
            .forEachRow(arguments: [userRowId]) { holders.append(try HolderRecord($0)) }
        return holders
    }

    public static func insert(
        _ db: Database, brokerId: Int64, partnerId: String, level: Level, userRowId: Int64, accountRowId: Int64?,
        eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO partnerIdHolder (brokerId, partnerId, level, userRowId, accountRowId, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, partnerId, level, userRowId, accountRowId, eventSeq])
        return db.lastInsertedRowID
    }
}
