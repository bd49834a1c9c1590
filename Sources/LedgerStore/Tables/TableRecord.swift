/// A row type of one table that is read and updated as well as inserted: its columns are its
/// stored properties (``InsertableRecord``), read in order by `init(row:)`; the first is the key.
///
/// `init(row:)` is derived from the record's `Decodable` conformance (`RowDecoder`). A record
/// that queries read by the thousand (an event, a user, a link, an attribution) writes its
/// own, reading the columns by position, which is several times cheaper; `RecordTypeTests`
/// checks every record's `init(row:)` against the columns of the same names on every row of a
/// rich ledger, so an order that is wrong fails there.
///
///     struct UserRecord: TableRecord {
///         static let tableName = "ctidUser"
///         var id: Int64
///         var brokerId: Int64
///         var userId: Int64
///         ...
///     }
///     try user.insert(db)          // INSERT INTO ctidUser (id, brokerId, ...) VALUES (?, ?, ...)
///     try UserRecord.insert(users, db)   // the same, many rows per statement
///     try user.update(db)          // UPDATE ctidUser SET brokerId = ?2, ... WHERE id = ?1
public protocol TableRecord: InsertableRecord {
    /// Reads a row selected with `selection`'s columns, in order.
    init(row: Statement.Columns) throws
}

extension TableRecord {
    /// Reads a row through the record's `Decodable` conformance.
    public init(row: Statement.Columns) throws {
        self = try RowDecoder.decode(Self.self, from: row)
    }

    /// `SELECT <columns> FROM <table> WHERE <condition>`.
    public static func select(where condition: String) -> String {
        "SELECT \(selection) FROM \(tableName) WHERE \(condition)"
    }

    /// The first row a cached statement finds with these parameter values, or nil.
    public static func fetchFirst<each Value: DatabaseValueConvertible>(
        _ db: Database, sql: String, _ values: repeat each Value
    ) throws -> Self? {
        try db.cachedStatement(sql: sql).fetchFirst(bindings: { $0.bind(repeat each values) }) { try Self(row: $0) }
    }

    /// Every row a cached statement finds with these parameter values.
    public static func fetchAll<each Value: DatabaseValueConvertible>(
        _ db: Database, sql: String, _ values: repeat each Value
    ) throws -> [Self] {
        var rows: [Self] = []
        try db.cachedStatement(sql: sql).forEachRow(bindings: { $0.bind(repeat each values) }) {
            rows.append(try Self(row: $0))
        }
        return rows
    }

    /// The row whose key (the first column) is `id`, or nil.
    public static func fetch(_ db: Database, id: Int64) throws -> Self? {
        try db.cachedStatement(key: .init(Self.self, purpose: 3)) { select(where: "\(columnNames[0]) = ?") }
            .fetchFirst(bindings: { $0.bind(id) }) { try Self(row: $0) }
    }

    /// Writes every column of the row whose key (the first column) is this row's.
    public func update(_ db: Database) throws {
        try db.cachedStatement(key: .init(Self.self, purpose: 1)) { Self.updateSQL }.execute { encode(to: &$0) }
    }

    /// `UPDATE t SET b = ?2, c = ?3 WHERE a = ?1`: numbered, so the columns bind in their order.
    static var updateSQL: String {
        let assignments = columnNames.enumerated().dropFirst().map { "\($0.element) = ?\($0.offset + 1)" }
        return "UPDATE \(tableName) SET \(assignments.joined(separator: ", ")) WHERE \(columnNames[0]) = ?1"
    }
}
