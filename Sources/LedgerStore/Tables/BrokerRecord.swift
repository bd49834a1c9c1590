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

    private static let selectByBrokerCrmName = select(where: "brokerCrmName = ?")
    private static let selectAll = "SELECT \(selection) FROM broker ORDER BY brokerCrmName"

    public static func fetch(_ db: Database, brokerCrmName: String) throws -> BrokerRecord? {
        try fetchFirst(db, sql: selectByBrokerCrmName, brokerCrmName)
    }

    public static func fetchAll(_ db: Database) throws -> [BrokerRecord] {
        try fetchAll(db, sql: selectAll)
    }
}
