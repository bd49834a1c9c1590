import Testing

@testable import LedgerStore

/// A record's columns are its stored properties, named once: the column names, the values bound
/// by `encode(to:)` and those read by `init(row:)` all come from its `Codable` conformance.
@Suite("Record coding")
struct RecordCodingTests {
    enum Shape: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
        case circle, square
    }

    /// A property of every column type a record may have, optional or not.
    struct Sample: TableRecord, Equatable {
        static let tableName = "sample"
        var id: Int64
        var flag: Bool
        var count: Int
        var ratio: Double
        var name: String
        var note: String?
        var parentRowId: Int64?
        var shape: Shape
        var formerShape: Shape?
        var hash: [UInt8]
    }

    static let schema = """
        CREATE TABLE sample (
            id INTEGER PRIMARY KEY, flag INTEGER NOT NULL, count INTEGER NOT NULL, ratio REAL NOT NULL,
            name TEXT NOT NULL, note TEXT, parentRowId INTEGER, shape TEXT NOT NULL, formerShape TEXT,
            hash BLOB NOT NULL) STRICT
        """

    static let full = Sample(
        id: 1, flag: true, count: -7, ratio: 2.5, name: "caf\u{E9}", note: "", parentRowId: 0, shape: .square,
        formerShape: .circle, hash: [0, 255, 16])
    static let sparse = Sample(
        id: 2, flag: false, count: 0, ratio: -0.25, name: "", note: nil, parentRowId: nil, shape: .circle,
        formerShape: nil, hash: [])

    static let selectAll = Sample.select(where: "1 ORDER BY id")

    @Test("the column names are the stored properties' names, in their declared order")
    func columnNames() {
        #expect(Sample.columnNames == [
            "id", "flag", "count", "ratio", "name", "note", "parentRowId", "shape", "formerShape", "hash",
        ])
        #expect(Sample.selection == "id, flag, count, ratio, name, note, parentRowId, shape, formerShape, hash")
        #expect(Sample.updateSQL == """
            UPDATE sample SET flag = ?2, count = ?3, ratio = ?4, name = ?5, note = ?6, parentRowId = ?7, \
            shape = ?8, formerShape = ?9, hash = ?10 WHERE id = ?1
            """)
    }

    @Test("insert writes each value into the column of its name; init(row:) reads it back; nil is NULL")
    func roundTrip() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: Self.schema)
        try Self.full.insert(db)
        try Sample.insert([Self.sparse], db)
        #expect(try db.fetchAll(sql: "SELECT * FROM sample ORDER BY id").map(\.values) == [
            [.integer(1), .integer(1), .integer(-7), .real(2.5), .text("caf\u{E9}"), .text(""), .integer(0),
             .text("square"), .text("circle"), .blob([0, 255, 16])],
            [.integer(2), .integer(0), .integer(0), .real(-0.25), .text(""), .null, .null, .text("circle"), .null,
             .blob([])],
        ])
        #expect(try Sample.fetchAll(db, sql: Self.selectAll) == [Self.full, Self.sparse])
        #expect(try Sample.fetch(db, id: 2) == Self.sparse)
        #expect(try Sample.fetch(db, id: 3) == nil)
    }

    @Test("update writes every column of the row with the record's key, and only that row")
    func update() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: Self.schema)
        try Sample.insert([Self.full, Self.sparse], db)
        var changed = Self.full
        changed.note = nil
        changed.formerShape = nil
        changed.shape = .circle
        changed.count = 12
        try changed.update(db)
        #expect(try Sample.fetchAll(db, sql: Self.selectAll) == [changed, Self.sparse])
    }

    @Test("a NULL in a column that is not optional, or a value of another type, is an error naming the column")
    func badValues() throws {
        let db = try Database(path: ":memory:")
        try db.execute(sql: "CREATE TABLE sample (id, flag, count, ratio, name, note, parentRowId, shape, formerShape, hash)")
        try db.execute(sql: "INSERT INTO sample VALUES (1, 1, 2, 0.5, NULL, NULL, NULL, 'circle', NULL, x'00')")
        try db.execute(sql: "INSERT INTO sample VALUES (2, 1, 2, 0.5, 'n', NULL, 'seven', 'circle', NULL, x'00')")
        try db.execute(sql: "INSERT INTO sample VALUES (3, 1, 2, 0.5, 'n', NULL, NULL, 'triangle', NULL, x'00')")
        try db.execute(sql: "INSERT INTO sample VALUES (4, 1, 2, 0.5, 'n', NULL, NULL, 'circle', 'oval', x'00')")
        let expected = [
            RowDecodingError(column: "name", expected: "String", found: "NULL"),
            RowDecodingError(column: "parentRowId", expected: "Int64", found: "seven"),
            RowDecodingError(column: "shape", expected: "Shape", found: "triangle"),
            RowDecodingError(column: "formerShape", expected: "Shape", found: "oval"),
        ]
        for (id, error) in zip(1..., expected) {
            #expect(throws: error) { try Sample.fetch(db, id: Int64(id)) }
        }
    }
}
