/// A row of `ctidUser`: a cTID user known to a broker, a node of the tree.
public struct UserRecord: Sendable, Equatable {
    /// Internal row id (`userRowId` elsewhere).
    public var id: Int64
    public var brokerId: Int64
    /// The cTID user id.
    public var userId: Int64
    public var brokerName: String?
    public var createdAt: Int64
    public var eventSeq: Int64

    static let columns = "id, brokerId, userId, brokerName, createdAt, eventSeq"

    private static let selectByUserId = "SELECT \(columns) FROM ctidUser WHERE brokerId = ? AND userId = ?"

    private static let selectById = "SELECT \(columns) FROM ctidUser WHERE id = ?"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        userId = try row.required(2)
        brokerName = row[3]
        createdAt = try row.required(4)
        eventSeq = try row.required(5)
    }

    public static func fetch(_ db: Database, brokerId: Int64, userId: Int64) throws -> UserRecord? {
        try db.cachedStatement(sql: Self.selectByUserId)
            .fetchFirst(arguments: [brokerId, userId]) { try UserRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> UserRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try UserRecord($0) }
    }

    /// Inserts a user and returns its row id.
    public static func insert(
        _ db: Database, brokerId: Int64, userId: Int64, brokerName: String?, createdAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO ctidUser (brokerId, userId, brokerName, createdAt, eventSeq) VALUES (?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, userId, brokerName, createdAt, eventSeq])
        return db.lastInsertedRowID
    }
}
