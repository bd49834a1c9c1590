/// A row of `signup`: a signup sent to the broker's backend, completed by `user.created`.
public struct SignupRecord: Sendable, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var signupId: String
    public var partnerId: String?
    public var holderRowId: Int64?
    public var visitorId: String?
    public var clickRowId: Int64?
    public var submittedAt: Int64
    public var userRowId: Int64?
    public var eventSeq: Int64

    static let columns = """
        id, brokerId, signupId, partnerId, holderRowId, visitorId, clickRowId, submittedAt, userRowId, eventSeq
        """

    private static let selectBySignupId = "SELECT \(columns) FROM signup WHERE brokerId = ? AND signupId = ?"

    private static let selectById = "SELECT \(columns) FROM signup WHERE id = ?"

    private static let selectByUserRowId = "SELECT \(columns) FROM signup WHERE userRowId = ?"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        signupId = try row.required(2)
        partnerId = row[3]
        holderRowId = row[4]
        visitorId = row[5]
        clickRowId = row[6]
        submittedAt = try row.required(7)
        userRowId = row[8]
        eventSeq = try row.required(9)
    }

    public static func fetch(_ db: Database, brokerId: Int64, signupId: String) throws -> SignupRecord? {
        try db.cachedStatement(sql: Self.selectBySignupId)
            .fetchFirst(arguments: [brokerId, signupId]) { try SignupRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> SignupRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try SignupRecord($0) }
    }

    /// The signup a user completed, if any.
    public static func fetch(_ db: Database, userRowId: Int64) throws -> SignupRecord? {
        try db.cachedStatement(sql: Self.selectByUserRowId)
            .fetchFirst(arguments: [userRowId]) { try SignupRecord($0) }
    }

    public static func insert(
        _ db: Database, brokerId: Int64, signupId: String, partnerId: String?, holderRowId: Int64?,
        visitorId: String?, clickRowId: Int64?, submittedAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO signup (brokerId, signupId, partnerId, holderRowId, visitorId, clickRowId, submittedAt, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                brokerId, signupId, partnerId, holderRowId, visitorId, clickRowId, submittedAt, eventSeq,
            ])
        return db.lastInsertedRowID
    }

    /// Records the user who completed the signup.
    public static func complete(_ db: Database, id: Int64, userRowId: Int64) throws {
        try db.cachedStatement(sql: "UPDATE signup SET userRowId = ? WHERE id = ? AND userRowId IS NULL")
            .execute(arguments: [userRowId, id])
    }
}
