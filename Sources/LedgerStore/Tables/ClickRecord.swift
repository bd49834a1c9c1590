/// A row of `click`: someone opened the signup screen through a partnerId.
public struct ClickRecord: Sendable, Equatable {
    public var id: Int64
    public var brokerId: Int64
    public var partnerId: String
    public var holderRowId: Int64?
    public var linkRowId: Int64?
    public var visitorId: String?
    public var clickedAt: Int64
    public var eventSeq: Int64

    static let columns = "id, brokerId, partnerId, holderRowId, linkRowId, visitorId, clickedAt, eventSeq"

    private static let selectById = "SELECT \(columns) FROM click WHERE id = ?"

    private static let selectLastClick = """
        SELECT \(columns) FROM click
        WHERE brokerId = ? AND visitorId = ? AND clickedAt <= ? AND partnerId = ?
        ORDER BY clickedAt DESC, id DESC LIMIT 1
        """

    private static let selectAll = """
        SELECT \(columns) FROM click WHERE brokerId = ? AND visitorId = ? ORDER BY clickedAt, id
        """

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        partnerId = try row.required(2)
        holderRowId = row[3]
        linkRowId = row[4]
        visitorId = row[5]
        clickedAt = try row.required(6)
        eventSeq = try row.required(7)
    }

    public static func fetch(_ db: Database, id: Int64) throws -> ClickRecord? {
        try db.cachedStatement(sql: Self.selectById)
            .fetchFirst(arguments: [id]) { try ClickRecord($0) }
    }

    /// The visitor's last click on a partnerId at or before `at`: the click a signup came from.
    public static func fetchLast(
        _ db: Database, brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64
    ) throws -> ClickRecord? {
        try db.cachedStatement(sql: Self.selectLastClick).fetchFirst(arguments: [brokerId, visitorId, at, partnerId]) { try ClickRecord($0) }
    }

    /// Every click of a visitor, oldest first.
    public static func fetchAll(_ db: Database, brokerId: Int64, visitorId: String) throws -> [ClickRecord] {
        var clicks: [ClickRecord] = []
        try db.cachedStatement(sql: Self.selectAll).forEachRow(arguments: [brokerId, visitorId]) { clicks.append(try ClickRecord($0)) }
        return clicks
    }

    public static func insert(
        _ db: Database, brokerId: Int64, partnerId: String, holderRowId: Int64?, linkRowId: Int64?,
        visitorId: String?, clickedAt: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO click (brokerId, partnerId, holderRowId, linkRowId, visitorId, clickedAt, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [brokerId, partnerId, holderRowId, linkRowId, visitorId, clickedAt, eventSeq])
        return db.lastInsertedRowID
    }
}
