import CSQLite

/// A prepared statement. Its owner finalizes it: the statement itself on `deinit`, or the
/// database for the statements it caches.
///
///     let statement = try db.makeStatement(sql: "SELECT userId FROM ctidUser WHERE brokerId = ?")
///     for userId in try Int64.fetchAll(statement, arguments: [brokerId]) { ... }
///
/// Not `Sendable`: a statement belongs to its connection's thread of use.
public final class Statement {
    /// The SQL the statement was prepared from.
    public let sql: String
    let handle: OpaquePointer
    unowned let database: Database

    init(database: Database, sql: String) throws {
        var handle: OpaquePointer?
        var tail: UnsafePointer<CChar>?
        let code = sql.withCString { sqlite3_prepare_v3(database.handle, $0, -1, 0, &handle, &tail) }
        guard code == SQLITE_OK else {
            throw DatabaseError.last(on: database.handle, code: code, sql: sql)
        }
        guard let handle else {
            throw DatabaseError(extendedResultCode: SQLITE_MISUSE, message: "empty statement", sql: sql)
        }
        if let tail, tail.pointee != 0, !String(cString: tail).allSatisfy(\.isWhitespace) {
            sqlite3_finalize(handle)
            throw DatabaseError(
                extendedResultCode: SQLITE_MISUSE,
                message: "more than one statement; use Database.execute(sql:) for a script", sql: sql)
        }
        self.sql = sql
        self.handle = handle
        self.database = database
    }

    deinit {
        sqlite3_finalize(handle)
    }

    /// The names of the result columns.
    public var columnNames: [String] {
        (0..<sqlite3_column_count(handle)).map { String(cString: sqlite3_column_name(handle, $0)) }
    }

    public var columnCount: Int { Int(sqlite3_column_count(handle)) }

    /// True when the statement does not write (`SELECT`, most `PRAGMA`s).
    public var isReadOnly: Bool { sqlite3_stmt_readonly(handle) != 0 }

    /// Resets the statement and binds new arguments, one per `?` parameter.
    public func bind(_ arguments: StatementArguments) throws {
        sqlite3_reset(handle)
        sqlite3_clear_bindings(handle)
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard arguments.values.count == expected else {
            throw DatabaseError(
                extendedResultCode: SQLITE_RANGE,
                message: "wrong number of arguments: \(arguments.values.count) given, \(expected) expected", sql: sql)
        }
        for (offset, value) in arguments.values.enumerated() {
            let index = Int32(offset + 1)
            let code = value.map { $0.bind(to: handle, at: index) } ?? sqlite3_bind_null(handle, index)
            guard code == SQLITE_OK else {
                throw DatabaseError.last(on: database.handle, code: code, sql: sql)
            }
        }
    }

    /// Advances to the next row. Returns false when the statement is done.
    func step() throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW:
            return true
        case SQLITE_DONE:
            return false
        case let code:
            let error = DatabaseError.last(on: database.handle, code: code, sql: sql)
            sqlite3_reset(handle)
            throw error
        }
    }

    /// Resets the statement so that it holds no read lock and can run again.
    public func reset() {
        sqlite3_reset(handle)
    }

    /// Runs the statement to completion, ignoring any rows.
    public func execute(arguments: StatementArguments = []) throws {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// The current row, copied.
    func currentRow(columnNames: [String]) -> Row {
        Row(columnNames: columnNames,
            values: (0..<Int32(columnNames.count)).map { DatabaseValue(statement: handle, column: $0) })
    }

    /// A cursor over the rows of the statement with these arguments.
    public func fetchCursor(arguments: StatementArguments = []) throws -> RowCursor {
        try bind(arguments)
        return RowCursor(statement: self)
    }

    public func fetchAll(arguments: StatementArguments = []) throws -> [Row] {
        let cursor = try fetchCursor(arguments: arguments)
        var rows: [Row] = []
        while let row = try cursor.next() {
            rows.append(row)
        }
        return rows
    }

    public func fetchOne(arguments: StatementArguments = []) throws -> Row? {
        let cursor = try fetchCursor(arguments: arguments)
        defer { reset() }
        return try cursor.next()
    }

    /// Calls `body` for each row without copying it: the fastest way through a large result.
    ///
    ///     try statement.forEachRow(arguments: [brokerId]) { columns in
    ///         let userId: Int64? = columns[0]
    ///     }
    ///
    /// `columns` is valid only during the call.
    public func forEachRow(arguments: StatementArguments = [], _ body: (Columns) throws -> Void) throws {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        let columns = Columns(handle: handle)
        while try step() {
            try body(columns)
        }
    }

    /// The first row, read in place by `body`; nil when there is no row.
    ///
    ///     let user = try statement.fetchFirst(arguments: [brokerId, userId]) { try UserRecord($0) }
    public func fetchFirst<T>(arguments: StatementArguments = [], _ body: (Columns) throws -> T) throws -> T? {
        try bind(arguments)
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return try body(Columns(handle: handle))
    }

    /// Typed access to the columns of the current row of a statement, during `forEachRow`.
    public struct Columns {
        let handle: OpaquePointer

        /// The value of a NOT NULL column; a NULL or a value of another type is an error naming the
        /// column (it means the file was changed behind the ledger's back).
        public func required<Value: DatabaseValueConvertible>(_ index: Int, as type: Value.Type = Value.self) throws
            -> Value
        {
            guard let value = Value.decode(from: handle, column: Int32(index)) else {
                throw decodingError(index, expected: "\(Value.self)")
            }
            return value
        }

        /// The value of a column that may be NULL: nil for NULL, a value of another type an error
        /// naming the column.
        public func optional<Value: DatabaseValueConvertible>(_ index: Int, as type: Value.Type = Value.self) throws
            -> Value?
        {
            isNull(index) ? nil : try required(index, as: type)
        }

        /// The value of a column converted to `Value`; nil for NULL or a value that does not convert.
        public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value? {
            Value.decode(from: handle, column: Int32(index))
        }

        /// The error of a column whose value is not what a record's property holds: its name, what
        /// was expected and what was found.
        func decodingError(_ index: Int, expected: String) -> RowDecodingError {
            RowDecodingError(
                column: String(cString: sqlite3_column_name(handle, Int32(index))), expected: expected,
                found: DatabaseValue(statement: handle, column: Int32(index)).description)
        }

        public func isNull(_ index: Int) -> Bool {
            sqlite3_column_type(handle, Int32(index)) == SQLITE_NULL
        }

        /// The bytes of a blob column, without making an array; empty for NULL; valid only during the call.
        public func withBytes<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows
            -> Result
        {
            let pointer = sqlite3_column_blob(handle, Int32(index))
            let count = Int(sqlite3_column_bytes(handle, Int32(index)))
            return try body(UnsafeBufferPointer(
                start: pointer?.assumingMemoryBound(to: UInt8.self), count: pointer == nil ? 0 : count))
        }

        /// The raw UTF-8 bytes of a text column, without making a `String`; valid only during the call.
        public func withUTF8<Result>(_ index: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows
            -> Result
        {
            let pointer = sqlite3_column_text(handle, Int32(index))
            let count = Int(sqlite3_column_bytes(handle, Int32(index)))
            return try body(UnsafeBufferPointer(start: pointer, count: pointer == nil ? 0 : count))
        }
    }
}
