/// A row of `broker`.
public struct BrokerRecord: TableRecord, Equatable {
    public var id: Int64
    public var brokerCrmName: String
    public var guaranteedAttributionDays: Int64

    public init(id: Int64, brokerCrmName: String, guaranteedAttributionDays: Int64) {
        self.id = id
        self.brokerCrmName = brokerCrmName
        self.guaranteedAttributionDays = guaranteedAttributionDays
    }

    public static let tableName = "broker"
    public static let columnNames = ["id", "brokerCrmName", "guaranteedAttributionDays"]

    public init(row: Statement.Columns) throws {
        self.init(id: try row.required(0), brokerCrmName: try row.required(1), guaranteedAttributionDays: try row.required(2))
    }

    public func encode(to row: inout StatementBinder) { row.bind(id, brokerCrmName, guaranteedAttributionDays) }

    private static let selectByBrokerCrmName = select(where: "brokerCrmName = ?")
    private static let selectAll = "SELECT \(selection) FROM broker ORDER BY brokerCrmName"

    public static func fetch(_ db: Database, brokerCrmName: String) throws -> BrokerRecord? {
        try fetchFirst(db, sql: selectByBrokerCrmName, brokerCrmName)
    }

    public static func fetchAll(_ db: Database) throws -> [BrokerRecord] {
        try fetchAll(db, sql: selectAll)
    }
}
