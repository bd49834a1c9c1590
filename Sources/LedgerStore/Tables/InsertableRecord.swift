/// A row type that is written to one table: its columns, bound in order by `encode(to:)`.
/// ``TableRecord`` refines it for rows that are also read and updated by key; a row that is only
/// inserted (a closure path) is an `InsertableRecord` alone.
///
///     try path.insert(db)                     // INSERT INTO lineage (ancestorRowId, ...) VALUES (?, ...)
///     try LineageTable.Path.insert(paths, db) // the same, many rows per statement
public protocol InsertableRecord: Sendable {
    static var tableName: String { get }
    /// Every column, in the order of `encode(to:)` (and of `PRAGMA table_info`: a test compares them).
    static var columnNames: [String] { get }
    /// Binds the value of each column, in the order of `columnNames`.
    func encode(to row: inout StatementBinder)
}

extension InsertableRecord {
    /// `"id", "brokerId", ...`: every column, in order.
    public static var selection: String { columnNames.joined(separator: ", ") }

    /// Inserts the row.
    public func insert(_ db: Database) throws {
        try Self.insertStatement(db, rows: 1).execute { encode(to: &$0) }
    }

    /// Inserts rows in order, `insertChunk` rows per statement: SQLite opens the table and its
    /// indexes once per statement, not once per row.
    public static func insert<Rows: RandomAccessCollection<Self>>(_ rows: Rows, _ db: Database) throws {
        var rest = rows[...]
        while rest.count >= insertChunk {
            let chunk = rest.prefix(insertChunk)
            try insertStatement(db, rows: insertChunk).execute { binder in
                for row in chunk { row.encode(to: &binder) }
            }
            rest = rest.dropFirst(insertChunk)
        }
        for row in rest {
            try row.insert(db)
        }
    }

    /// Rows per statement of `insert(_:_:)`.
    public static var insertChunk: Int { 32 }

    private static func insertStatement(_ db: Database, rows: Int) throws -> Statement {
        try db.cachedStatement(key: .init(Self.self, purpose: rows == 1 ? 0 : 2)) { insertSQL(rows: rows) }
    }

    static func insertSQL(rows: Int) -> String {
        let row = "(" + Array(repeating: "?", count: columnNames.count).joined(separator: ", ") + ")"
        return "INSERT INTO \(tableName) (\(selection)) VALUES " + Array(repeating: row, count: rows).joined(separator: ", ")
    }
}
