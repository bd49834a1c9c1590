/// One row of a result: column names and values, copied out of the statement.
///
///     let row = try db.fetchOne(sql: "SELECT userId, brokerName FROM ctidUser")!
///     let userId: Int64? = row["userId"]
public struct Row: Sendable, Equatable, CustomStringConvertible {
    public let columnNames: [String]
    public let values: [DatabaseValue]

    public init(columnNames: [String], values: [DatabaseValue]) {
        precondition(columnNames.count == values.count, "a row needs one value per column")
        self.columnNames = columnNames
        self.values = values
    }

    public var count: Int { values.count }

    /// The value at a column index converted to `Value`; nil for NULL or a value that does not convert.
    public subscript<Value: DatabaseValueConvertible>(_ index: Int) -> Value? {
        Value.fromDatabaseValue(values[index])
    }

    /// The value of the first column with that name (case-insensitive, as SQL), converted to `Value`.
    public subscript<Value: DatabaseValueConvertible>(_ column: String) -> Value? {
        guard let index = index(ofColumn: column) else { return nil }
        return Value.fromDatabaseValue(values[index])
    }

    /// The raw value of a column.
    public subscript(_ index: Int) -> DatabaseValue { values[index] }

    /// The value of a column that must be present and convert, or an error naming the column.
    public func decode<Value: DatabaseValueConvertible>(_ type: Value.Type, _ column: String) throws -> Value {
        guard let index = index(ofColumn: column) else {
            throw RowDecodingError(column: column, expected: "\(Value.self)", found: "no such column")
        }
        guard let value = Value.fromDatabaseValue(values[index]) else {
            throw RowDecodingError(column: column, expected: "\(Value.self)", found: values[index].description)
        }
        return value
    }

    public func index(ofColumn column: String) -> Int? {
        columnNames.firstIndex { $0.matchesColumnName(column) }
    }

    public var description: String {
        "[" + zip(columnNames, values).map { "\($0):\($1)" }.joined(separator: " ") + "]"
    }
}

/// A column that is missing or does not hold the expected type.
public struct RowDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    public var column: String
    public var expected: String
    public var found: String

    public var description: String {
        "column \(column): expected \(expected), found \(found)"
    }
}

extension String {
    fileprivate func matchesColumnName(_ other: String) -> Bool {
        self.lowercased() == other.lowercased()
    }
}
