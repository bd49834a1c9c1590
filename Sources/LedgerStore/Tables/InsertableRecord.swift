/// A row type that is written to one table. Its columns are its stored properties, named once:
/// the compiler's `Codable` conformance visits them in their declared order, and that order gives
/// the column names (`ColumnNames`), the values bound by `encode(to:)` (`RowEncoder`) and, for a
/// ``TableRecord``, the values read by `init(row:)` (`RowDecoder`). A test compares the names with
/// `PRAGMA table_info`. ``TableRecord`` refines it for rows that are also read and updated by key;
/// a row that is only inserted (a closure path) is an `InsertableRecord` alone.
///
///     struct Path: InsertableRecord {
///         static let tableName = "lineage"
///         var ancestorRowId: Int64
///         var depth: Int64
///         ...
///     }
///     try path.insert(db)                     // INSERT INTO lineage (ancestorRowId, ...) VALUES (?, ...)
///     try LineageTable.Path.insert(paths, db) // the same, many rows per statement
public protocol InsertableRecord: Sendable, Codable {
    static var tableName: String { get }

    /// Binds the value of each column, in the order of `columnNames`, to the next parameters.
    ///
    /// Derived from the record's `Encodable` conformance (`RowEncoder`). A record written by the
    /// hundred thousand in a build (an event, a user, a click, a signup, an attribution) binds its
    /// own, by position, which is several times cheaper; `RecordTypeTests` writes every row of a
    /// rich ledger back through it, so an order that is wrong fails there.
    func encode(to row: inout StatementBinder)
}

extension InsertableRecord {
    /// Every column, in order: the stored properties' names, as declared.
    public static var columnNames: [String] { ColumnNames.of(Self.self) }

    /// Binds the value of each column through the record's `Encodable` conformance.
    public func encode(to row: inout StatementBinder) {
        RowEncoder.encode(self, to: &row)
    }

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
