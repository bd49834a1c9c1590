import LedgerStore

/// Compares one table of the ledger with the same table of a replay of its log: both are read in
/// primary-key order and walked side by side, so every row and every column is compared while
/// memory holds two rows at a time.
///
/// A row only in the ledger is *extra* (nothing in the log produces it), a row only in the replay
/// is *missing*, and a row in both whose columns differ is *changed*, one problem per column.
struct TableComparison {
    let table: String
    /// The compared columns, in the table's order.
    let columns: [String]
    /// Indexes in `columns` of the primary key's columns, in key order.
    let key: [Int]
    /// Index in `columns` of the column naming the event a row comes from, if any.
    let seqColumn: Int?
    /// Differences reported per table before the rest are only counted.
    var maximumProblems = 20

    /// The comparison of `table` as the migrations define it in `expected`, leaving out `excluded`
    /// columns (checked elsewhere).
    init(table: String, in expected: Database, excluding excluded: Set<String> = []) throws {
        var columns: [String] = []
        var keyPositions: [(position: Int64, index: Int)] = []
        for row in try expected.fetchAll(sql: "SELECT name, pk FROM pragma_table_info(?) ORDER BY cid", arguments: [table]) {
            let name: String = try row.decode(String.self, "name")
            guard !excluded.contains(name) else { continue }
            let position: Int64 = try row.decode(Int64.self, "pk")
            if position > 0 {
                keyPositions.append((position, columns.count))
            }
            columns.append(name)
        }
        self.table = table
        self.columns = columns
        self.key = keyPositions.sorted { $0.position < $1.position }.map(\.index)
        self.seqColumn = columns.firstIndex(of: "eventSeq") ?? (table == "event" ? columns.firstIndex(of: "seq") : nil)
    }

    private var sql: String {
        let list = columns.map { "\"\($0)\"" }.joined(separator: ", ")
        let order = key.map { "\"\(columns[$0])\"" }.joined(separator: ", ")
        return "SELECT \(list) FROM \"\(table)\" ORDER BY \(order)"
    }

    /// Adds a problem for every difference between the ledger's rows and the replay's.
    func compare(ledger: Database, replay: Database, into report: inout VerificationReport) throws {
        let expectedRows = try replay.makeStatement(sql: sql)
        let foundRows: Statement
        do {
            foundRows = try ledger.makeStatement(sql: sql)
        } catch let error as DatabaseError where !error.isDamage {
            report.problems.append(.init(
                kind: .row, table: table, message: "table \(table) cannot be read as the schema defines it: \(error.message)"))
            return
        }
        let found = try foundRows.columnsCursor()
        let expected = try expectedRows.columnsCursor()
        var differences = 0
        func add(_ problem: VerificationReport.Problem) {
            differences += 1
            if differences <= maximumProblems { report.problems.append(problem) }
        }
        var left = try found.next()
        var right = try expected.next()
        while left != nil || right != nil {
            report.comparedRows += 1
            let order: Int
            if let left, let right {
                order = compareKeys(left, right)
            } else {
                order = left == nil ? 1 : -1
            }
            if order < 0, let row = left {
                add(.init(
                    kind: .row, seq: seq(row), table: table, key: describeKey(row),
                    message: "\(table) row \(describeKey(row))\(try subject(row, in: ledger)) is extra: replaying the log does not produce it"))
                left = try found.next()
            } else if order > 0, let row = right {
                add(.init(
                    kind: .row, seq: seq(row), table: table, key: describeKey(row),
                    message: "\(table) row \(describeKey(row))\(try subject(row, in: replay)) is missing: replaying the log produces it"))
                right = try expected.next()
            } else if let row = left, let wanted = right {
                for index in columns.indices where !key.contains(index) && !row.holdsSameValue(index, as: wanted, index) {
                    add(.init(
                        kind: .row, seq: seq(wanted), table: table, key: describeKey(row), column: columns[index],
                        message: "\(table) row \(describeKey(row))\(try subject(wanted, in: replay)): \(columns[index]) is "
                            + "\(try named(columns[index], row.value(index), in: ledger)), "
                            + "the log gives \(try named(columns[index], wanted.value(index), in: replay))"))
                }
                left = try found.next()
                right = try expected.next()
            }
        }
        if differences > maximumProblems {
            report.problems.append(.init(
                kind: .row, table: table,
                message: "\(differences - maximumProblems) more differences in table \(table) are not listed"))
        }
    }

    private func compareKeys(_ left: Statement.Columns, _ right: Statement.Columns) -> Int {
        for index in key {
            let order = left.compare(index, with: right, index)
            if order != 0 { return order }
        }
        return 0
    }

    /// The cTrader identifiers a row id column stands for: the table and column to read, and
    /// how to name it.
    private static let references: [String: (table: String, column: String, label: String)] = [
        "userRowId": ("ctidUser", "userId", "user"), "parentRowId": ("ctidUser", "userId", "user"),
        "ancestorRowId": ("ctidUser", "userId", "user"), "descendantRowId": ("ctidUser", "userId", "user"),
        "accountRowId": ("traderAccount", "ctidTraderAccountId", "trading account"),
        "holderRowId": ("partnerIdHolder", "partnerId", "partnerId"),
    ]

    /// A value, with the cTrader identifier a row id stands for: `7 (user 1004)`.
    private func named(_ column: String, _ value: DatabaseValue, in db: Database) throws -> String {
        let shown = Self.show(value)
        guard let reference = Self.references[column], case .integer(let rowId) = value,
              let identity = try DatabaseValue.fetchOne(
                db, sql: "SELECT \(reference.column) FROM \(reference.table) WHERE id = ?", arguments: [rowId])
        else { return shown }
        let text: String
        switch identity {
        case .text(let name): text = FieldReader.quote(name)
        default: text = Self.show(identity)
        }
        return "\(shown) (\(reference.label) \(text))"
    }

    /// ` (user 1003)` for a row about a user (its `userRowId`), else "".
    private func subject(_ row: Statement.Columns, in db: Database) throws -> String {
        guard table != "ctidUser", let index = columns.firstIndex(of: "userRowId") else { return "" }
        let named = try self.named("userRowId", row.value(index), in: db)
        guard let open = named.firstIndex(of: "(") else { return "" }
        return " " + named[open...]
    }

    private func describeKey(_ row: Statement.Columns) -> String {
        key.map { "\(columns[$0])=\(Self.show(row.value($0)))" }.joined(separator: ", ")
    }

    private func seq(_ row: Statement.Columns) -> Int64? {
        seqColumn.flatMap { row[$0] }
    }

    /// A value as an auditor reads it: text quoted (and cut at 80 characters), blobs in hex.
    static func show(_ value: DatabaseValue) -> String {
        switch value {
        case .null: return "NULL"
        case .integer(let number): return String(number)
        case .real(let number): return String(number)
        case .text(let text):
            let shown = text.count > 80 ? String(text.prefix(80)) + "..." : text
            return FieldReader.quote(shown)
        case .blob(let bytes): return "x'\(bytes.hex)'"
        }
    }
}
