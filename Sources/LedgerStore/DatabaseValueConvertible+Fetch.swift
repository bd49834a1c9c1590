extension DatabaseValueConvertible {
    /// The first column of the first row, or nil when there is no row or the value is NULL.
    ///
    ///     let count = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM event")
    public static func fetchOne(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> Self? {
        try fetchOne(db.makeStatement(sql: sql), arguments: arguments)
    }

    public static func fetchOne(_ statement: Statement, arguments: StatementArguments = []) throws -> Self? {
        try statement.bind(arguments)
        defer { statement.reset() }
        guard try statement.step() else { return nil }
        return decode(from: statement.handle, column: 0)
    }

    /// The first column of every row; NULLs and values that do not convert are skipped.
    public static func fetchAll(_ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Self] {
        try fetchAll(db.makeStatement(sql: sql), arguments: arguments)
    }

    public static func fetchAll(_ statement: Statement, arguments: StatementArguments = []) throws -> [Self] {
        var values: [Self] = []
        try statement.forEachRow(arguments: arguments) { columns in
            if let value: Self = columns[0] {
                values.append(value)
            }
        }
        return values
    }
}
