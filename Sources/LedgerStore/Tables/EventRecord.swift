/// A row of the append-only `event` log.
public struct EventRecord: Sendable, Equatable {
    public var seq: Int64
    public var brokerId: Int64
    public var eventId: String
    public var step: String
    public var at: Int64
    public var recordedAt: Int64
    public var payload: String
    public var outcome: String
    public var prevHash: [UInt8]
    public var hash: [UInt8]

    public init(
        seq: Int64, brokerId: Int64, eventId: String, step: String, at: Int64, recordedAt: Int64,
        payload: String, outcome: String, prevHash: [UInt8], hash: [UInt8]
    ) {
        self.seq = seq
        self.brokerId = brokerId
        self.eventId = eventId
        self.step = step
        self.at = at
        self.recordedAt = recordedAt
        self.payload = payload
        self.outcome = outcome
        self.prevHash = prevHash
        self.hash = hash
    }

    static let columns = "seq, brokerId, eventId, step, at, recordedAt, payload, outcome, prevHash, hash"

    private static let selectByEventId = "SELECT \(columns) FROM event WHERE brokerId = ? AND eventId = ?"

    private static let selectBySeq = "SELECT \(columns) FROM event WHERE seq = ?"

    private static let insertRow = "INSERT INTO event (\(Self.columns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"

    init(_ row: Statement.Columns) throws {
        seq = try row.required(0)
        brokerId = try row.required(1)
        eventId = try row.required(2)
        step = try row.required(3)
        at = try row.required(4)
        recordedAt = try row.required(5)
        payload = try row.required(6)
        outcome = try row.required(7)
        prevHash = try row.required(8)
        hash = try row.required(9)
    }

    public static func fetch(_ db: Database, brokerId: Int64, eventId: String) throws -> EventRecord? {
        try db.cachedStatement(sql: Self.selectByEventId)
            .fetchFirst(arguments: [brokerId, eventId]) { try EventRecord($0) }
    }

    public static func fetch(_ db: Database, seq: Int64) throws -> EventRecord? {
        try db.cachedStatement(sql: Self.selectBySeq)
            .fetchFirst(arguments: [seq]) { try EventRecord($0) }
    }

    /// The newest event's sequence number and hash: the head of the chain.
    public static func head(_ db: Database) throws -> (seq: Int64, hash: [UInt8])? {
        try db.cachedStatement(sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")
            .fetchFirst { (try $0.required(0, as: Int64.self), try $0.required(1, as: [UInt8].self)) }
    }

    public func insert(_ db: Database) throws {
        try db.cachedStatement(sql: Self.insertRow)
            .execute(arguments: [seq, brokerId, eventId, step, at, recordedAt, payload, outcome, prevHash, hash])
    }

    /// Completes an event inserted with an empty outcome, in the transaction that recorded it
    /// (the append-only trigger allows nothing else).
    public static func complete(_ db: Database, seq: Int64, outcome: String, hash: [UInt8]) throws {
        try db.cachedStatement(sql: "UPDATE event SET outcome = ?, hash = ? WHERE seq = ? AND outcome = ''")
            .execute(arguments: [outcome, hash, seq])
    }
}
