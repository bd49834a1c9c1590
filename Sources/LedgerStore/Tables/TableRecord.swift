/// A row type of one table: its columns, read in order by `init(row:)` and written in order by
/// `databaseValues`, so each table's column list is written once (and a test compares it with
/// `PRAGMA table_info`).
///
///     struct UserRecord: TableRecord {
///         static let tableName = "ctidUser"
///         static let columnNames = ["id", "brokerId", "userId", ...]
///     }
///     try user.insert(db)          // INSERT INTO ctidUser (id, brokerId, ...) VALUES (?, ?, ...)
///     try user.update(db)          // UPDATE ctidUser SET brokerId = ?, ... WHERE id = ?
public protocol TableRecord: Sendable {
    static var tableName: String { get }
    /// Every column, in the order of `init(row:)` and `databaseValues`; the first is the key.
    static var columnNames: [String] { get }
    /// Reads a row selected with `selection`'s columns, in order.
    init(row: Statement.Columns) throws
    /// The value of each column, in the order of `columnNames`.
    var databaseValues: [(any DatabaseValueConvertible)?] { get }
}

extension TableRecord {
    /// `"id", "brokerId", ...`: the columns to select for `init(row:)`.
    public static var selection: String { columnNames.joined(separator: ", ") }

    /// `SELECT <columns> FROM <table> WHERE <condition>`.
    public static func select(where condition: String) -> String {
        "SELECT \(selection) FROM \(tableName) WHERE \(condition)"
    }

    /// The first row a cached statement finds, or nil.
    public static func fetchFirst(_ db: Database, sql: String, arguments: StatementArguments) throws -> Self? {
        try db.cachedStatement(sql: sql).fetchFirst(arguments: arguments) { try Self(row: $0) }
    }

    /// Every row a cached statement finds.
    public static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments) throws -> [Self] {
        var rows: [Self] = []
        try db.cachedStatement(sql: sql).forEachRow(arguments: arguments) { rows.append(try Self(row: $0)) }
        return rows
    }

    /// Inserts the row, its key included.
    public func insert(_ db: Database) throws {
        try db.cachedStatement(key: .init(Self.self, purpose: 0)) { Self.insertSQL }
            .execute(arguments: StatementArguments(databaseValues))
    }

    /// Writes every column of the row whose key (the first column) is this row's.
    public func update(_ db: Database) throws {
        let values = databaseValues
        try db.cachedStatement(key: .init(Self.self, purpose: 1)) { Self.updateSQL }
            .execute(arguments: StatementArguments(Array(values.dropFirst()) + [values[0]]))
    }

    static var insertSQL: String {
        "INSERT INTO \(tableName) (\(selection)) VALUES (\(columnNames.map { _ in "?" }.joined(separator: ", ")))"
    }

    static var updateSQL: String {
        "UPDATE \(tableName) SET \(columnNames.dropFirst().map { "\($0) = ?" }.joined(separator: ", ")) WHERE \(columnNames[0]) = ?"
    }
}
