/// A row of `traderAccount`: a trading account linked to one user.
public struct AccountRecord: Sendable, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var ctidTraderAccountId: Int64
    public var userRowId: Int64
    public var traderLogin: Int64?
    public var linkedAt: Int64
    public var eventSeq: Int64

    static let columns = "id, brokerId, ctidTraderAccountId, userRowId, traderLogin, linkedAt, eventSeq"

    private static let selectByCtidTraderAccountId = "SELECT \(columns) FROM traderAccount WHERE brokerId = ? AND ctidTraderAccountId = ?"

    private static let selectById = "SELECT \(columns) FROM traderAccount WHERE id = ?"

    private static let selectAll = "SELECT \(columns) FROM traderAccount WHERE userRowId = ? ORDER BY ctidTraderAccountId"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        ctidTraderAccountId = try row.required(2)
        userRowId = try row.required(3)
        traderLogin = row[4]
        linkedAt = try row.required(5)
        eventSeq = try row.required(6)
    }

    public static func fetch(_ db: Database, brokerId: Int64, ctidTraderAccountId: Int64) throws -> AccountRecord? {
        try db.cachedStatement(sql: Self.selectByCtidTraderAccountId)
            .fetchFirst(arguments: [brokerId, ctidTraderAccountId]) { try AccountRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> AccountRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try AccountRecord($0) }
    }

    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [AccountRecord] {
        var accounts: [AccountRecord] = []
        try db.cachedStatement(sql: Self.selectAll)
            .forEachRow(arguments: [userRowId]) { accounts.append(try AccountRecord($0)) }
        return accounts
    }

    public static func count(_ db: Database, userRowId: Int64) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT COUNT(*) FROM traderAccount WHERE userRowId = ?"),
                           arguments: [userRowId]) ?? 0
    }

    public static func insert(
        _ db: Database, brokerId: Int64, ctidTraderAccountId: Int64, userRowId: Int64, traderLogin: Int64?,
        linkedAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO traderAccount (brokerId, ctidTraderAccountId, userRowId, traderLogin, linkedAt, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, ctidTraderAccountId, userRowId, traderLogin, linkedAt, eventSeq])
        return db.lastInsertedRowID
    }

    public static func updateTraderLogin(_ db: Database, id: Int64, traderLogin: Int64) throws {
        try db.cachedStatement(sql: "UPDATE traderAccount SET traderLogin = ? WHERE id = ?")
            .execute(arguments: [traderLogin, id])
    }
}
