/// A row of `traderAccount`: a trading account linked to one user.
public struct AccountRecord: TableRecord, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var ctidTraderAccountId: Int64
    public var userRowId: Int64
    public var traderLogin: Int64?
    public var linkedAt: Int64
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, ctidTraderAccountId: Int64, userRowId: Int64, traderLogin: Int64?, linkedAt: Int64,
        eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.ctidTraderAccountId = ctidTraderAccountId
        self.userRowId = userRowId
        self.traderLogin = traderLogin
        self.linkedAt = linkedAt
        self.eventSeq = eventSeq
    }

    public static let tableName = "traderAccount"

    private static let selectByCtidTraderAccountId = select(where: "brokerId = ? AND ctidTraderAccountId = ?")
    private static let selectByUser = select(where: "userRowId = ? ORDER BY ctidTraderAccountId")

    public static func fetch(_ db: Database, brokerId: Int64, ctidTraderAccountId: Int64) throws -> AccountRecord? {
        try fetchFirst(db, sql: selectByCtidTraderAccountId, brokerId, ctidTraderAccountId)
    }

    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [AccountRecord] {
        try fetchAll(db, sql: selectByUser, userRowId)
    }

    public static func count(_ db: Database, userRowId: Int64) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM traderAccount WHERE userRowId = ?"),
                           arguments: [userRowId]) ?? 0
    }
}
