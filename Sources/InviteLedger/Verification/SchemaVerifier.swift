import LedgerStore

/// Compares the tables, indexes and triggers of a ledger with those of a database the migrations
/// just created: a dropped, altered or extra one is a problem (an index gone makes a unique key
/// unchecked; a trigger replaced makes the log editable).
struct SchemaVerifier {
    /// One schema object, as `sqlite_schema` lists it.
    struct Object: Hashable {
        var type: String
        var name: String
        var table: String
        var sql: String?
    }

    let db: Database
    let expected: Database

    func verify(into report: inout VerificationReport) throws {
        let found = try Self.objects(db)
        let wanted = try Self.objects(expected)
        for (name, object) in wanted.sorted(by: { $0.key < $1.key }) {
            guard let actual = found[name] else {
                report.problems.append(.init(
                    kind: .schema, table: object.table,
                    message: "\(object.type) \(name) is missing\(Self.consequence(object))"))
                continue
            }
            if actual != object {
                report.problems.append(.init(
                    kind: .schema, table: object.table,
                    message: "\(object.type) \(name) differs from what the migrations create\(Self.consequence(object))"))
            }
        }
        for (name, object) in found.sorted(by: { $0.key < $1.key })
        where wanted[name] == nil && !Self.replicatorTables.contains(name) {
            report.problems.append(.init(
                kind: .schema, table: object.table,
                message: "\(object.type) \(name) is not part of the ledger's schema: it was added behind the ledger's back"))
        }
    }

    /// The bookkeeping tables Litestream, the replicator Operations.md describes, adds to a database
    /// it replicates: allowed, by these exact names (they hold no ledger data and change no answer).
    static let replicatorTables: Set<String> = ["_litestream_seq", "_litestream_lock"]

    /// Every table, index, trigger and view by name; SQLite's statistics tables (made by `ANALYZE`)
    /// are left out, as they change no answer.
    static func objects(_ db: Database) throws -> [String: Object] {
        var objects: [String: Object] = [:]
        let statement = try db.makeStatement(sql: """
            SELECT type, name, tbl_name, sql FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%'
            """)
        try statement.forEachRow { row in
            let object = Object(type: try row.required(0), name: try row.required(1), table: try row.required(2), sql: row[3])
            objects[object.name] = object
        }
        return objects
    }

    private static func consequence(_ object: Object) -> String {
        switch object.type {
        case "trigger" where object.table == "event": ": the log may be edited"
        case "index" where object.sql?.uppercased().hasPrefix("CREATE UNIQUE") == true: ": its unique key is not enforced"
        default: ""
        }
    }
}
