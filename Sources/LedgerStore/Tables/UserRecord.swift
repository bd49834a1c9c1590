/// A row of `ctidUser`: a cTID user known to a broker, a node of the tree.
public struct UserRecord: TableRecord, Equatable {
    /// Internal row id (`userRowId` elsewhere).
    public var id: Int64
    public var brokerId: Int64
    /// The cTID user id.
    public var userId: Int64
    public var brokerName: String?
    public var createdAt: Int64
    public var eventSeq: Int64

    public init(id: Int64, brokerId: Int64, userId: Int64, brokerName: String?, createdAt: Int64, eventSeq: Int64) {
        self.id = id
        self.brokerId = brokerId
        self.userId = userId
        self.brokerName = brokerName
        self.createdAt = createdAt
        self.eventSeq = eventSeq
    }

    /// Read by position: a query reads one per referral (see `TableRecord`).
    public init(row: Statement.Columns) throws {
        self.init(
            id: try row.required(0), brokerId: try row.required(1), userId: try row.required(2),
            brokerName: try row.optional(3), createdAt: try row.required(4), eventSeq: try row.required(5))
    }

    /// Written by position: a build writes every user (see `InsertableRecord`).
    public func encode(to row: inout StatementBinder) {
        row.bind(id, brokerId, userId, brokerName, createdAt, eventSeq)
    }

    public static let tableName = "ctidUser"

    private static let selectByUserId = select(where: "brokerId = ? AND userId = ?")

    public static func fetch(_ db: Database, brokerId: Int64, userId: Int64) throws -> UserRecord? {
        try fetchFirst(db, sql: selectByUserId, brokerId, userId)
    }
}
