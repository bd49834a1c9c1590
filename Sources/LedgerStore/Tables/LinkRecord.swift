/// A row of `link`: a referral link issued by the broker or a share link generated in the app.
public struct LinkRecord: TableRecord, Equatable {
    public enum Kind: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
        case referral
        case share
    }

    public var id: Int64
    public var brokerId: Int64
    public var linkId: String
    public var kind: Kind
    public var holderRowId: Int64
    public var url: String
    public var target: String?
    public var createdAt: Int64
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, linkId: String, kind: Kind, holderRowId: Int64, url: String, target: String?,
        createdAt: Int64, eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.linkId = linkId
        self.kind = kind
        self.holderRowId = holderRowId
        self.url = url
        self.target = target
        self.createdAt = createdAt
        self.eventSeq = eventSeq
    }

    /// Read by position: a query reads one per referral (see `TableRecord`).
    public init(row: Statement.Columns) throws {
        self.init(
            id: try row.required(0), brokerId: try row.required(1), linkId: try row.required(2), kind: try row.required(3),
            holderRowId: try row.required(4), url: try row.required(5), target: try row.optional(6),
            createdAt: try row.required(7), eventSeq: try row.required(8))
    }

    public static let tableName = "link"

    private static let selectByLinkId = select(where: "brokerId = ? AND linkId = ?")

    public static func fetch(_ db: Database, brokerId: Int64, linkId: String) throws -> LinkRecord? {
        try fetchFirst(db, sql: selectByLinkId, brokerId, linkId)
    }
}
