/// A row of `broker`.
public struct BrokerRecord: Sendable, Equatable {
    public var id: Int64
    public var brokerCrmName: String
    public var guaranteedAttributionDays: Int64

    static let columns = "id, brokerCrmName, guaranteedAttributionDays"

    private static let selectByBrokerCrmName = "SELECT \(columns) FROM broker WHERE brokerCrmName = ?"

    private static let selectAll = "SELECT \(columns) FROM broker ORDER BY brokerCrmName"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerCrmName = try row.required(1)
        guaranteedAttributionDays = try row.required(2)
    }

    public static func fetch(_ db: Database, brokerCrmName: String) throws -> BrokerRecord? {
        try db.cachedStatement(sql: Self.selectByBrokerCrmName)
            .fetchFirst(arguments: [brokerCrmName]) { try BrokerRecord($0) }
    }

    public static func fetchAll(_ db: Database) throws -> [BrokerRecord] {
        var brokers: [BrokerRecord] = []
        try db.cachedStatement(sql: Self.selectAll).forEachRow {
            brokers.append(try BrokerRecord($0))
        }
        return brokers
    }

    public static func insert(_ db: Database, brokerCrmName: String) throws -> BrokerRecord {
        try db.cachedStatement(sql: "INSERT INTO broker (brokerCrmName) VALUES (?)").execute(arguments: [brokerCrmName])
        return BrokerRecord(id: db.lastInsertedRowID, brokerCrmName: brokerCrmName, guaranteedAttributionDays: 0)
    }

    public static func updateGuaranteedAttributionDays(_ db: Database, id: Int64, days: Int64) throws {
        try db.cachedStatement(sql: "UPDATE broker SET guaranteedAttributionDays = ? WHERE id = ?")
            .execute(arguments: [days, id])
    }

    public init(id: Int64, brokerCrmName: String, guaranteedAttributionDays: Int64) {
        self.id = id
        self.brokerCrmName = brokerCrmName
        self.guaranteedAttributionDays = guaranteedAttributionDays
    }
}
