import CSQLite
import Foundation
import Testing

@testable import LedgerStore

@Suite("Database")
struct DatabaseTests {
    /// Each test runs in memory and on a WAL file.
    static let locations = ["memory", "file"]

    func open(_ location: String, _ directory: TemporaryDirectory) throws -> Database {
        try Database(path: location == "memory" ? ":memory:" : directory.path("db.sqlite"))
    }

    @Test("binds and reads back every storage class", arguments: locations)
    func bindsAndReadsEveryType(location: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try open(location, directory)
        try db.execute(sql: "CREATE TABLE t (i INTEGER, r REAL, s TEXT, b BLOB, n ANY) STRICT")
        let text = "caf\u{E9} \u{1F600} \"quoted\", comma\nnewline"
        let blob: [UInt8] = [0, 1, 2, 255, 0]
        try db.execute(
            sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            arguments: [Int64.max, 3.25, text, blob, nil])
        try db.execute(
            sql: "INSERT INTO t VALUES (?, ?, ?, ?, ?)",
            arguments: [Int64.min, -0.5, "", [UInt8](), DatabaseValue.null])
        let rows = try db.fetchAll(sql: "SELECT i, r, s, b, n FROM t ORDER BY rowid")
        #expect(rows.count == 2)
        #expect(rows[0].columnNames == ["i", "r", "s", "b", "n"])
        #expect(rows[0].values == [.integer(Int64.max), .real(3.25), .text(text), .blob(blob), .null])
        // An empty string and an empty blob stay empty, not NULL.
        #expect(rows[1].values == [.integer(Int64.min), .real(-0.5), .text(""), .blob([]), .null])
        let i: Int64? = rows[0]["i"]
        let r: Double? = rows[0]["R"]
        let s: String? = rows[0][2]
        let b: [UInt8]? = rows[0]["b"]
        let n: String? = rows[0]["n"]
        #expect(i == Int64.max)
        #expect(r == 3.25)
        #expect(s == text)
        #expect(b == blob)
        #expect(n == nil)
        #expect(try Int64.fetchOne(db, sql: "SELECT typeof(n) = 'null' FROM t WHERE i = ?", arguments: [Int64.min]) == 1)
        try db.close()
    }

    @Test("typed fetches: NULL is nil, a type mismatch does not convert, Optional binds NULL")
    func typedFetches() throws {
        let db = try Database(path: ":memory:")
        #expect(try Int64.fetchOne(db, sql: "SELECT NULL") == nil)
        #expect(try String.fetchOne(db, sql: "SELECT 42") == nil)
        #expect(try Int64.fetchOne(db, sql: "SELECT 2.0") == 2)
        #expect(try Int64.fetchOne(db, sql: "SELECT 2.5") == nil)
        #expect(try Bool.fetchOne(db, sql: "SELECT 1") == true)
        #expect(try Int.fetchAll(db, sql: "SELECT 1 UNION ALL SELECT NULL UNION ALL SELECT 3") == [1, 3])
        let missing: String? = nil
        #expect(try Int64.fetchOne(db, sql: "SELECT ? IS NULL", arguments: [missing]) == 1)
        #expect(try Int64.fetchOne(db, sql: "SELECT 1 WHERE 0") == nil)
        let row = try #require(try db.fetchOne(sql: "SELECT 1 AS a, NULL AS b"))
        #expect(throws: RowDecodingError(column: "b", expected: "Int64", found: "NULL")) {
            try row.decode(Int64.self, "b")
        }
        #expect(throws: RowDecodingError(column: "c", expected: "Int64", found: "no such column")) {
            try row.decode(Int64.self, "c")
        }
    }

    enum Color: String, DatabaseValueConvertible {
        case red, green
    }

    @Test("an enum binds and reads as its raw value; a value that is not a case is an error naming the column")
    func rawRepresentable() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, color TEXT NOT NULL) STRICT")
        try db.execute(sql: "INSERT INTO t (id, color) VALUES (1, ?), (2, 'blue')", arguments: [Color.green])
        #expect(try String.fetchOne(db, sql: "SELECT color FROM t WHERE id = 1") == "green")
        #expect(try Color.fetchOne(db, sql: "SELECT color FROM t WHERE id = 1") == .green)
        #expect(try Color.fetchOne(db, sql: "SELECT color FROM t WHERE id = 2") == nil)
        var colors: [Color] = []
        var failure: (any Error)?
        try db.makeStatement(sql: "SELECT color FROM t ORDER BY id").forEachRow { columns in
            do { colors.append(try columns.required(0)) } catch { failure = error }
        }
        #expect(colors == [.green])
        #expect(failure as? RowDecodingError == RowDecodingError(column: "color", expected: "Color", found: "blue"))
    }

    @Test("errors carry the extended code, SQLite's message and the SQL")
    func errorsCarryCodeMessageAndSQL() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: "CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE) STRICT")
        try db.execute(sql: "INSERT INTO t (name) VALUES (?)", arguments: ["a"])
        let insert = "INSERT INTO t (name) VALUES (?)"
        let error = try #require(throws: DatabaseError.self) {
            try db.execute(sql: insert, arguments: ["a"])
        }
        #expect(error.extendedResultCode == DatabaseError.ExtendedCode.constraintUnique)
        #expect(error.resultCode == SQLITE_CONSTRAINT)
        #expect(error.isConstraintViolation)
        #expect(error.message == "UNIQUE constraint failed: t.name")
        #expect(error.sql == insert)
        #expect(error.description.contains("`\(insert)`"))
        // The bound value is personal data: it is never in the error.
        #expect(!error.description.contains("'a'"))

        let syntax = try #require(throws: DatabaseError.self) { try db.makeStatement(sql: "SELEC 1") }
        #expect(syntax.extendedResultCode == SQLITE_ERROR)
        #expect(syntax.message == "near \"SELEC\": syntax error")
        #expect(syntax.sql == "SELEC 1")

        // Double-quoted strings are identifiers only: a typo fails instead of comparing to a string.
        let quoted = try #require(throws: DatabaseError.self) {
            try db.execute(sql: "SELECT * FROM t WHERE name = \"a\"")
        }
        #expect(quoted.message == "no such column: a")

        let strict = try #require(throws: DatabaseError.self) {
            try db.execute(sql: "INSERT INTO t (name) VALUES (?)", arguments: [[UInt8]([1, 2])])
        }
        #expect(strict.extendedResultCode == DatabaseError.ExtendedCode.constraintDatatype)

        let arity = try #require(throws: DatabaseError.self) {
            try db.execute(sql: "INSERT INTO t (name) VALUES (?)", arguments: ["x", "y"])
        }
        #expect(arity.extendedResultCode == SQLITE_RANGE)
        #expect(arity.message == "wrong number of arguments: 2 given, 1 expected")
    }

    @Test("foreign keys are enforced")
    func foreignKeys() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: """
            CREATE TABLE parent (id INTEGER PRIMARY KEY) STRICT;
            CREATE TABLE child (parentId INTEGER NOT NULL REFERENCES parent (id)) STRICT;
            """)
        let error = try #require(throws: DatabaseError.self) {
            try db.execute(sql: "INSERT INTO child VALUES (?)", arguments: [7])
        }
        #expect(error.extendedResultCode == DatabaseError.ExtendedCode.constraintForeignKey)
    }

    @Test("a failed transaction leaves nothing behind", arguments: locations)
    func failedTransactionLeavesNothing(location: String) throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try open(location, directory)
        try db.execute(sql: "CREATE TABLE t (name TEXT NOT NULL UNIQUE) STRICT")
        try db.execute(sql: "INSERT INTO t VALUES ('kept')")
        #expect(throws: DatabaseError.self) {
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: ["first"])
                try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: ["kept"])
                return .commit
            }
        }
        struct Abort: Error {}
        #expect(throws: Abort.self) {
            try db.inTransaction {
                try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: ["second"])
                throw Abort()
            }
        }
        try db.inTransaction {
            try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: ["third"])
            return .rollback
        }
        #expect(!db.isInsideTransaction)
        #expect(try String.fetchAll(db, sql: "SELECT name FROM t") == ["kept"])
    }

    @Test("a savepoint undoes only its own changes")
    func savepoints() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: "CREATE TABLE t (name TEXT NOT NULL UNIQUE) STRICT")
        try db.inTransaction {
            try db.execute(sql: "INSERT INTO t VALUES ('a')")
            try? db.inSavepoint {
                try db.execute(sql: "INSERT INTO t VALUES ('b')")
                try db.execute(sql: "INSERT INTO t VALUES ('a')")
                return .commit
            }
            try db.inSavepoint {
                try db.execute(sql: "INSERT INTO t VALUES ('c')")
                return .rollback
            }
            try db.inSavepoint {
                try db.execute(sql: "INSERT INTO t VALUES ('d')")
                return .commit
            }
            return .commit
        }
        #expect(try String.fetchAll(db, sql: "SELECT name FROM t ORDER BY name") == ["a", "d"])
    }

    @Test("a cursor streams rows and forEachRow reads columns in place")
    func cursors() throws {
        let db = try Database(path: ":memory:")
        let statement = try db.makeStatement(sql: """
            WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1000)
            SELECT i, 'row ' || i AS label FROM n WHERE i > ?
            """)
        let cursor = try statement.fetchCursor(arguments: [990])
        var seen: [Int64] = []
        while let row = try cursor.next() {
            seen.append(row["i"] ?? -1)
        }
        #expect(seen == Array(991...1000))
        #expect(try cursor.next() == nil)
        var labels: [String] = []
        try statement.forEachRow(arguments: [997]) { columns in
            labels.append(columns[1] ?? "?")
        }
        #expect(labels == ["row 998", "row 999", "row 1000"])
        var bytes: [[UInt8]] = []
        try db.makeStatement(sql: "SELECT x'00ff01', NULL, x''").forEachRow { columns in
            for index in 0..<3 {
                columns.withBytes(index) { bytes.append(Array($0)) }
            }
        }
        #expect(bytes == [[0, 255, 1], [], []])
    }

    @Test("a cached statement is reused and reset")
    func cachedStatements() throws {
        let db = try Database(path: ":memory:")
        let first = try db.cachedStatement(sql: "SELECT ?")
        #expect(try Int64.fetchOne(first, arguments: [1]) == 1)
        let second = try db.cachedStatement(sql: "SELECT ?")
        #expect(first === second)
        #expect(try Int64.fetchOne(second, arguments: [2]) == 2)
    }

    @Test("the page cache's size is set and read in KiB, whether SQLite holds it in KiB or in pages")
    func cacheSize() throws {
        var configuration = Database.Configuration()
        configuration.cacheSizeKiB = 2_048
        let db = try Database(path: ":memory:", configuration: configuration)
        #expect(try db.cacheSizeKiB() == 2_048)
        try db.setCacheSize(kibibytes: 512)
        #expect(try Int64.fetchOne(db, sql: "PRAGMA cache_size") == -512)
        try db.execute(sql: "PRAGMA cache_size = 100")
        let pageSize = try #require(try Int.fetchOne(db, sql: "PRAGMA page_size"))
        #expect(try db.cacheSizeKiB() == 100 * pageSize / 1_024)
    }

    @Test("closing names the statements still open")
    func closeNamesOpenStatements() throws {
        let db = try Database(path: ":memory:")
        var statement: Statement? = try db.makeStatement(sql: "SELECT 42")
        let error = try #require(throws: DatabaseError.self) { try db.close() }
        #expect(error.extendedResultCode == SQLITE_BUSY)
        #expect(error.message == "cannot close :memory:: 1 statement(s) still open: `SELECT 42`")
        statement = nil
        _ = statement
        try db.close()
    }

    @Test("a file connection uses WAL with synchronous NORMAL, foreign keys and a busy timeout")
    func connectionSetUp() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let db = try Database(path: directory.path("db.sqlite"))
        #expect(try String.fetchOne(db, sql: "PRAGMA journal_mode") == "wal")
        #expect(try Int64.fetchOne(db, sql: "PRAGMA synchronous") == 1)
        #expect(try Int64.fetchOne(db, sql: "PRAGMA foreign_keys") == 1)
        #expect(try Int64.fetchOne(db, sql: "PRAGMA busy_timeout") == 30_000)
        try db.close()
    }

    @Test("a read-only connection refuses writes")
    func readOnlyRefusesWrites() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let writer = try Database(path: path)
        try writer.execute(sql: "CREATE TABLE t (x INTEGER) STRICT; INSERT INTO t VALUES (1);")
        try writer.close()
        let reader = try Database(path: path, mode: .readOnly)
        #expect(try Int64.fetchOne(reader, sql: "SELECT x FROM t") == 1)
        let error = try #require(throws: DatabaseError.self) {
            try reader.execute(sql: "INSERT INTO t VALUES (?)", arguments: [2])
        }
        #expect(error.resultCode == SQLITE_READONLY)
        #expect(try Int64.fetchOne(reader, sql: "SELECT COUNT(*) FROM t") == 1)
        try reader.close()
    }

    @Test("opening a missing file read-only fails with the path in the message")
    func missingFile() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("absent.sqlite")
        let error = try #require(throws: DatabaseError.self) { try Database(path: path, mode: .readOnly) }
        #expect(error.resultCode == SQLITE_CANTOPEN)
        #expect(error.message.hasPrefix("cannot open \(path)"))
        #expect(!FileManager.default.fileExists(atPath: path))
    }
}
