/// A row of `partnerIdAssignment`: a partnerId active on its holder during [validFrom, validTo).
public struct AssignmentRecord: TableRecord, Equatable {
    public var id: Int64
    public var holderRowId: Int64
    public var level: HolderRecord.Level
    public var userRowId: Int64
    public var accountRowId: Int64?
    public var partnerRowId: Int64?
    public var validFrom: Int64
    public var validTo: Int64?
    public var eventSeq: Int64
    public var endEventSeq: Int64?

    public init(
        id: Int64, holderRowId: Int64, level: HolderRecord.Level, userRowId: Int64, accountRowId: Int64?,
        partnerRowId: Int64?, validFrom: Int64, validTo: Int64?, eventSeq: Int64, endEventSeq: Int64?
    ) {
        self.id = id
        self.holderRowId = holderRowId
        self.level = level
        self.userRowId = userRowId
        self.accountRowId = accountRowId
        self.partnerRowId = partnerRowId
        self.validFrom = validFrom
        self.validTo = validTo
        self.eventSeq = eventSeq
        self.endEventSeq = endEventSeq
    }

    public static let tableName = "partnerIdAssignment"

    private static let selectActiveByUser = select(where: "userRowId = ? AND level = 'user' AND validTo IS NULL")
    private static let selectActiveByAccount = select(where: "accountRowId = ? AND level = 'account' AND validTo IS NULL")
    private static let selectCovering = select(where: """
        holderRowId = ? AND validFrom <= ? AND (validTo IS NULL OR validTo > ?) ORDER BY validFrom DESC LIMIT 1
        """)
    private static let selectByHolder = select(where: "holderRowId = ? ORDER BY validFrom, id")

    /// The active user-level assignment of a user.
    public static func fetchActive(_ db: Database, userRowId: Int64) throws -> AssignmentRecord? {
        try fetchFirst(db, sql: selectActiveByUser, userRowId)
    }

    /// The active assignment of a trading account.
    public static func fetchActive(_ db: Database, accountRowId: Int64) throws -> AssignmentRecord? {
        try fetchFirst(db, sql: selectActiveByAccount, accountRowId)
    }

    /// The assignment of a holder in force at `at` (validFrom <= at < validTo), if any.
    public static func fetchCovering(_ db: Database, holderRowId: Int64, at: Int64) throws -> AssignmentRecord? {
        try fetchFirst(db, sql: selectCovering, holderRowId, at, at)
    }

    /// Every assignment of a holder, oldest first.
    public static func fetchAll(_ db: Database, holderRowId: Int64) throws -> [AssignmentRecord] {
        try fetchAll(db, sql: selectByHolder, holderRowId)
    }
}
