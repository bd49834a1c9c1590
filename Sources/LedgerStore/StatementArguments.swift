/// The positional values bound to a statement's `?` parameters, in order.
///
///     try db.execute(sql: "INSERT INTO broker (brokerCrmName) VALUES (?)", arguments: ["acme"])
public struct StatementArguments: ExpressibleByArrayLiteral {
    public var values: [(any DatabaseValueConvertible)?]

    public init(_ values: [(any DatabaseValueConvertible)?]) {
        self.values = values
    }

    public init(arrayLiteral elements: (any DatabaseValueConvertible)?...) {
        self.values = elements
    }

    public var isEmpty: Bool { values.isEmpty }
}
