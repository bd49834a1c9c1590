import CSQLite

/// An error reported by SQLite: the extended result code, SQLite's message, and the SQL that failed.
///
/// Bound values are deliberately left out: they can be personal data.
public struct DatabaseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The extended result code (`SQLITE_CONSTRAINT_UNIQUE`, `SQLITE_READONLY`, ...).
    public var extendedResultCode: Int32
    /// SQLite's message, from `sqlite3_errmsg` when there is a connection.
    public var message: String
    /// The SQL being prepared or run, when there is one.
    public var sql: String?

    public init(extendedResultCode: Int32, message: String, sql: String? = nil) {
        self.extendedResultCode = extendedResultCode
        self.message = message
        self.sql = sql
    }

    /// The primary result code: the low byte of the extended one (`SQLITE_CONSTRAINT`, `SQLITE_BUSY`).
    public var resultCode: Int32 { extendedResultCode & 0xFF }

    /// True when SQLite found the file damaged (`SQLITE_CORRUPT`) or not a database at all
    /// (`SQLITE_NOTADB`): it must not be written, and should be verified and restored.
    public var isDamage: Bool { resultCode == SQLITE_CORRUPT || resultCode == SQLITE_NOTADB }

    /// True when SQLite found no database in the file (`SQLITE_NOTADB`): its header is not SQLite's.
    public var isNotADatabase: Bool { resultCode == SQLITE_NOTADB }

    /// True when a read-only open failed because SQLite could not create or write what it needs
    /// beside the file (`SQLITE_READONLY`, `SQLITE_CANTOPEN`): a read-only directory without `-shm`.
    public var isReadOnlyFile: Bool { resultCode == SQLITE_READONLY || resultCode == SQLITE_CANTOPEN }

    /// True when the error is any kind of constraint violation.
    public var isConstraintViolation: Bool { resultCode == SQLITE_CONSTRAINT }

    public var description: String {
        var text = "SQLite error \(extendedResultCode) (\(String(cString: sqlite3_errstr(extendedResultCode)))): \(message)"
        if let sql {
            text += " - while executing `\(sql)`"
        }
        return text
    }

    /// The error of the last failed call on a connection.
    static func last(on handle: OpaquePointer?, code: Int32, sql: String? = nil) -> DatabaseError {
        let message = handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code))
        let extended = handle.map { sqlite3_extended_errcode($0) } ?? code
        // sqlite3_extended_errcode reports the last error of the connection; keep the call's own
        // code when they disagree (for example after an API misuse).
        let resolved = (extended & 0xFF) == (code & 0xFF) ? extended : code
        return DatabaseError(extendedResultCode: resolved, message: message, sql: sql)
    }
}

extension DatabaseError {
    /// Extended result codes that Swift cannot import from `sqlite3.h` (they are macro expressions).
    public enum ExtendedCode {
        public static let constraintCheck: Int32 = SQLITE_CONSTRAINT | (1 << 8)
        public static let constraintForeignKey: Int32 = SQLITE_CONSTRAINT | (3 << 8)
        public static let constraintNotNull: Int32 = SQLITE_CONSTRAINT | (5 << 8)
        public static let constraintPrimaryKey: Int32 = SQLITE_CONSTRAINT | (6 << 8)
        public static let constraintTrigger: Int32 = SQLITE_CONSTRAINT | (7 << 8)
        public static let constraintUnique: Int32 = SQLITE_CONSTRAINT | (8 << 8)
        public static let constraintDatatype: Int32 = SQLITE_CONSTRAINT | (12 << 8)
        public static let readOnlyDatabase: Int32 = SQLITE_READONLY
    }
}
