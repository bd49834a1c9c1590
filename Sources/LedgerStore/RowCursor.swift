import CSQLite

/// Rows of a statement read one at a time, so that a result of any size is never held in memory.
///
///     let cursor = try db.makeStatement(sql: "SELECT * FROM event").fetchCursor()
///     while let row = try cursor.next() { ... }
///
/// The statement keeps its read lock until the cursor is exhausted or `close()`d.
public final class RowCursor {
    let statement: Statement
    public let columnNames: [String]
    private var isDone = false

    init(statement: Statement) {
        self.statement = statement
        self.columnNames = statement.columnNames
    }

    /// The next row, or nil at the end.
    public func next() throws -> Row? {
        guard !isDone else { return nil }
        guard try statement.step() else {
            close()
            return nil
        }
        return statement.currentRow(columnNames: columnNames)
    }

    /// Ends the cursor early and releases the statement's read lock.
    public func close() {
        isDone = true
        statement.reset()
    }
}
