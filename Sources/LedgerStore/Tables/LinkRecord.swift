/// A row of `link`: a referral link issued by the broker or a share link generated in the app.
public struct LinkRecord: Sendable, Equatable {
    public enum Kind: String, Sendable, DatabaseValueConvertible {
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

    static let columns = "id, brokerId, linkId, kind, holderRowId, url, target, createdAt, eventSeq"

    private static let selectByLinkId = "SELECT \(columns) FROM link WHERE brokerId = ? AND linkId = ?"

    private static let selectById = "SELECT \(columns) FROM link WHERE id = ?"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        linkId = try row.required(2)
        kind = try row.required(3)
        holderRowId = try row.required(4)
        url = try row.required(5)
        target = row[6]
        createdAt = try row.required(7)
        eventSeq = try row.required(8)
    }

    public static func fetch(_ db: Database, brokerId: Int64, linkId: String) throws -> LinkRecord? {
        try db.cachedStatement(sql: Self.selectByLinkId)
            .fetchFirst(arguments: [brokerId, linkId]) { try LinkRecord($0) }
    }

    public static func fetch(_ db: Database, id: Int64) throws -> LinkRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try LinkRecord($0) }
    }

    public static func insert(
        _ db: Database, brokerId: Int64, linkId: String, kind: Kind, holderRowId: Int64, url: String, target: String?,
        createdAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO link (brokerId, linkId, kind, holderRowId, url, target, createdAt, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, linkId, kind, holderRowId, url, target, createdAt, eventSeq])
        return db.lastInsertedRowID
    }
}
