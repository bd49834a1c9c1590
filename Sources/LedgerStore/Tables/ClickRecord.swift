/// A row of `click`: someone opened the signup screen through a partnerId.
public struct ClickRecord: TableRecord, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var partnerId: String
    public var holderRowId: Int64?
    public var linkRowId: Int64?
    public var visitorId: String?
    public var clickedAt: Int64
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, partnerId: String, holderRowId: Int64?, linkRowId: Int64?, visitorId: String?,
        clickedAt: Int64, eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.partnerId = partnerId
        self.holderRowId = holderRowId
        self.linkRowId = linkRowId
        self.visitorId = visitorId
        self.clickedAt = clickedAt
        self.eventSeq = eventSeq
    }

    /// Written by position: a build writes every click (see `InsertableRecord`).
    public func encode(to row: inout StatementBinder) {
        row.bind(id, brokerId, partnerId, holderRowId, linkRowId, visitorId, clickedAt, eventSeq)
    }

    public static let tableName = "click"

    private static let selectLastClick = select(where: """
        brokerId = ? AND visitorId = ? AND clickedAt <= ? AND partnerId = ? ORDER BY clickedAt DESC, id DESC LIMIT 1
        """)
    private static let selectByVisitor = select(where: "brokerId = ? AND visitorId = ? ORDER BY clickedAt, id")

    /// The visitor's last click on a partnerId at or before `at`: the click a signup came from.
    public static func fetchLast(
        _ db: Database, brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64
    ) throws -> ClickRecord? {
        try fetchFirst(db, sql: selectLastClick, brokerId, visitorId, at, partnerId)
    }

    /// Every click of a visitor, oldest first.
    public static func fetchAll(_ db: Database, brokerId: Int64, visitorId: String) throws -> [ClickRecord] {
        try fetchAll(db, sql: selectByVisitor, brokerId, visitorId)
    }
}
