/// A row of `partnerIdHolder`: the user, or the account, a partnerId belongs to for ever.
public struct HolderRecord: TableRecord, Equatable {
    public enum Level: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
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

    public static let tableName = "partnerIdHolder"

    private static let selectByPartnerId = select(where: "brokerId = ? AND partnerId = ?")
    private static let selectByUser = select(where: "userRowId = ? ORDER BY id")

    public static func fetch(_ db: Database, brokerId: Int64, partnerId: String) throws -> HolderRecord? {
        try fetchFirst(db, sql: selectByPartnerId, brokerId, partnerId)
    }

    /// Every partnerId a user holds or held, at user and account level, oldest first.
    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [HolderRecord] {
        try fetchAll(db, sql: selectByUser, userRowId)
    }
}
