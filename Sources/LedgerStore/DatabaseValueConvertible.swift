import CSQLite

/// A Swift type that can be bound to a statement parameter and read from a result column.
///
/// Reading has a fast path straight from the statement (no intermediate `DatabaseValue`), used by
/// cursors over large results.
public protocol DatabaseValueConvertible {
    /// The value to bind.
    var databaseValue: DatabaseValue { get }

    /// The Swift value for a database value, or nil when it does not convert.
    static func fromDatabaseValue(_ value: DatabaseValue) -> Self?

    /// Reads the column of the current row of a statement; nil when it is NULL or does not convert.
    static func decode(from statement: OpaquePointer, column: Int32) -> Self?

    /// Binds the value to a statement parameter.
    func bind(to statement: OpaquePointer, at index: Int32) -> Int32
}

extension DatabaseValueConvertible {
    public static func decode(from statement: OpaquePointer, column: Int32) -> Self? {
        fromDatabaseValue(DatabaseValue(statement: statement, column: column))
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        databaseValue.bind(to: statement, at: index)
    }
}

extension DatabaseValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self }
    public static func fromDatabaseValue(_ value: DatabaseValue) -> DatabaseValue? { value }

    /// The value of a column of the current row of a statement.
    public init(statement: OpaquePointer, column: Int32) {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER:
            self = .integer(sqlite3_column_int64(statement, column))
        case SQLITE_FLOAT:
            self = .real(sqlite3_column_double(statement, column))
        case SQLITE_TEXT:
            self = .text(DatabaseValue.text(statement: statement, column: column))
        case SQLITE_BLOB:
            self = .blob(DatabaseValue.blob(statement: statement, column: column))
        default:
            self = .null
        }
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> DatabaseValue? {
        DatabaseValue(statement: statement, column: column)
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        switch self {
        case .null:
            return sqlite3_bind_null(statement, index)
        case .integer(let value):
            return sqlite3_bind_int64(statement, index, value)
        case .real(let value):
            return sqlite3_bind_double(statement, index, value)
        case .text(let value):
            var value = value
            return value.withUTF8 { buffer in
                buffer.withMemoryRebound(to: CChar.self) { characters in
                    // An empty string needs a non-NULL pointer, or SQLite stores NULL.
                    guard let base = characters.baseAddress else {
                        return "".withCString { sqlite3_bind_text(statement, index, $0, 0, csqlite_transient()) }
                    }
                    return sqlite3_bind_text(statement, index, base, Int32(characters.count), csqlite_transient())
                }
            }
        case .blob(let bytes):
            return bytes.withUnsafeBytes { buffer in
                // A zero-length blob needs a non-NULL pointer, or SQLite stores NULL.
                sqlite3_bind_blob(statement, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                                  Int32(buffer.count), csqlite_transient())
            }
        }
    }

    static func text(statement: OpaquePointer, column: Int32) -> String {
        guard let pointer = sqlite3_column_text(statement, column) else { return "" }
        let count = Int(sqlite3_column_bytes(statement, column))
        return String(decoding: UnsafeBufferPointer(start: pointer, count: count), as: UTF8.self)
    }

    static func blob(statement: OpaquePointer, column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let pointer = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
}

extension Int64: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Int64? {
        switch value {
        case .integer(let value): value
        case .real(let value): Int64(exactly: value)
        default: nil
        }
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> Int64? {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER: sqlite3_column_int64(statement, column)
        case SQLITE_FLOAT: Int64(exactly: sqlite3_column_double(statement, column))
        default: nil
        }
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self)
    }
}

extension Int: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(Int64(self)) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Int? {
        Int64.fromDatabaseValue(value).flatMap { Int(exactly: $0) }
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> Int? {
        Int64.decode(from: statement, column: column).flatMap { Int(exactly: $0) }
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, Int64(self))
    }
}

extension Bool: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .integer(self ? 1 : 0) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Bool? {
        Int64.fromDatabaseValue(value).map { $0 != 0 }
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        sqlite3_bind_int64(statement, index, self ? 1 : 0)
    }
}

extension Double: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .real(self) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Double? {
        switch value {
        case .integer(let value): Double(value)
        case .real(let value): value
        default: nil
        }
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> Double? {
        switch sqlite3_column_type(statement, column) {
        case SQLITE_INTEGER, SQLITE_FLOAT: sqlite3_column_double(statement, column)
        default: nil
        }
    }
}

extension String: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { .text(self) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> String? {
        if case .text(let text) = value { return text }
        return nil
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> String? {
        guard sqlite3_column_type(statement, column) == SQLITE_TEXT else { return nil }
        return DatabaseValue.text(statement: statement, column: column)
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        var text = self
        return text.withUTF8 { buffer in
            // An empty string needs a non-NULL pointer, or SQLite stores NULL.
            let base = buffer.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(("" as StaticString).utf8Start)
            return sqlite3_bind_text(
                statement, index, base.assumingMemoryBound(to: CChar.self), Int32(buffer.count), csqlite_transient())
        }
    }
}

extension Array: DatabaseValueConvertible where Element == UInt8 {
    public var databaseValue: DatabaseValue { .blob(self) }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> [UInt8]? {
        if case .blob(let bytes) = value { return bytes }
        return nil
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> [UInt8]? {
        guard sqlite3_column_type(statement, column) == SQLITE_BLOB else { return nil }
        return DatabaseValue.blob(statement: statement, column: column)
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        withUnsafeBytes { buffer in
            // A zero-length blob needs a non-NULL pointer, or SQLite stores NULL.
            sqlite3_bind_blob(statement, index, buffer.baseAddress ?? UnsafeRawPointer(bitPattern: 1),
                              Int32(buffer.count), csqlite_transient())
        }
    }
}

extension Optional: DatabaseValueConvertible where Wrapped: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { self?.databaseValue ?? .null }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Wrapped?? {
        if value.isNull { return .some(nil) }
        return Wrapped.fromDatabaseValue(value).map { .some($0) }
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> Wrapped?? {
        if sqlite3_column_type(statement, column) == SQLITE_NULL { return .some(nil) }
        return Wrapped.decode(from: statement, column: column).map { .some($0) }
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        guard let self else { return sqlite3_bind_null(statement, index) }
        return self.bind(to: statement, at: index)
    }
}
