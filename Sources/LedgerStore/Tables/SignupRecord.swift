/// A row of `signup`: a signup sent to the broker's backend, completed by `user.created`.
public struct SignupRecord: TableRecord, Equatable {
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

    public init(
        id: Int64, brokerId: Int64, signupId: String, partnerId: String?, holderRowId: Int64?, visitorId: String?,
        clickRowId: Int64?, submittedAt: Int64, userRowId: Int64?, eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.signupId = signupId
        self.partnerId = partnerId
        self.holderRowId = holderRowId
        self.visitorId = visitorId
        self.clickRowId = clickRowId
        self.submittedAt = submittedAt
        self.userRowId = userRowId
        self.eventSeq = eventSeq
    }

    /// Written by position: a build writes every signup (see `InsertableRecord`).
    public func encode(to row: inout StatementBinder) {
        row.bind(id, brokerId, signupId, partnerId, holderRowId, visitorId, clickRowId, submittedAt, userRowId, eventSeq)
    }

    public static let tableName = "signup"

    private static let selectBySignupId = select(where: "brokerId = ? AND signupId = ?")
    private static let selectByUserRowId = select(where: "userRowId = ?")

    public static func fetch(_ db: Database, brokerId: Int64, signupId: String) throws -> SignupRecord? {
        try fetchFirst(db, sql: selectBySignupId, brokerId, signupId)
    }

    /// The signup a user completed, if any.
    public static func fetch(_ db: Database, userRowId: Int64) throws -> SignupRecord? {
        try fetchFirst(db, sql: selectByUserRowId, userRowId)
    }
}
