import CSQLite

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The rows of a statement read in place, one at a time, with no copy: for walking two results
/// side by side (a merge join), which `forEachRow`'s closure cannot do.
///
///     let left = try ledger.makeStatement(sql: sql).columnsCursor()
///     while let columns = try left.next() { ... }      // columns valid until the next call
public final class ColumnsCursor {
    let statement: Statement
    private var isDone = false

    init(statement: Statement) {
        self.statement = statement
    }

    deinit {
        statement.reset()
    }

    /// The next row, valid until the next call; nil at the end.
    public func next() throws -> Statement.Columns? {
        guard !isDone else { return nil }
        guard try statement.step() else {
            isDone = true
            statement.reset()
            return nil
        }
        return Statement.Columns(handle: statement.handle)
    }
}

extension Statement {
    /// A cursor over the rows, read in place.
    public func columnsCursor(arguments: StatementArguments = []) throws -> ColumnsCursor {
        try bind(arguments)
        return ColumnsCursor(statement: self)
    }
}

extension Statement.Columns {
    /// The value of a column, copied.
    public func value(_ index: Int) -> DatabaseValue {
        DatabaseValue(statement: handle, column: Int32(index))
    }

    /// Compares a column of this row with a column of another row in SQLite's order (NULL, then
    /// numbers by value, then text and blobs by their bytes): negative, zero or positive.
    public func compare(_ index: Int, with other: Statement.Columns, _ otherIndex: Int) -> Int {
        let (a, i) = (handle, Int32(index))
        let (b, j) = (other.handle, Int32(otherIndex))
        let rank = { (type: Int32) -> Int in
            switch type {
            case SQLITE_NULL: 0
            case SQLITE_INTEGER, SQLITE_FLOAT: 1
            case SQLITE_TEXT: 2
            default: 3
            }
        }
        let typeA = sqlite3_column_type(a, i)
        let typeB = sqlite3_column_type(b, j)
        if rank(typeA) != rank(typeB) { return rank(typeA) < rank(typeB) ? -1 : 1 }
        switch typeA {
        case SQLITE_NULL:
            return 0
        case SQLITE_INTEGER where typeB == SQLITE_INTEGER:
            let x = sqlite3_column_int64(a, i)
            let y = sqlite3_column_int64(b, j)
            return x == y ? 0 : (x < y ? -1 : 1)
        case SQLITE_INTEGER, SQLITE_FLOAT:
            let x = sqlite3_column_double(a, i)
            let y = sqlite3_column_double(b, j)
            return x == y ? 0 : (x < y ? -1 : 1)
        default:
            let pointerA = typeA == SQLITE_TEXT ? UnsafeRawPointer(sqlite3_column_text(a, i)) : sqlite3_column_blob(a, i)
            let pointerB = typeB == SQLITE_TEXT ? UnsafeRawPointer(sqlite3_column_text(b, j)) : sqlite3_column_blob(b, j)
            let countA = Int(sqlite3_column_bytes(a, i))
            let countB = Int(sqlite3_column_bytes(b, j))
            if let pointerA, let pointerB, min(countA, countB) > 0 {
                let order = memcmp(pointerA, pointerB, min(countA, countB))
                if order != 0 { return Int(order) }
            }
            return countA == countB ? 0 : (countA < countB ? -1 : 1)
        }
    }

    /// True when a column of this row holds the same value, of the same storage class, as a
    /// column of another row.
    public func holdsSameValue(_ index: Int, as other: Statement.Columns, _ otherIndex: Int) -> Bool {
        sqlite3_column_type(handle, Int32(index)) == sqlite3_column_type(other.handle, Int32(otherIndex))
            && compare(index, with: other, otherIndex) == 0
    }
}
