/// A row of the append-only `event` log.
public struct EventRecord: TableRecord, Equatable {
    public var seq: Int64
    public var brokerId: Int64
    public var eventId: String
    public var step: String
    public var at: Int64
    public var recordedAt: Int64
    public var payload: String
    public var outcome: String
    /// SHA-256 of the previous event's hash (32 zero bytes for the first), the payload, the
    /// outcome and recordedAt (LedgerFormat.md); the previous hash is the previous row's.
    public var hash: [UInt8]

    public init(
        seq: Int64, brokerId: Int64, eventId: String, step: String, at: Int64, recordedAt: Int64,
        payload: String, outcome: String, hash: [UInt8]
    ) {
        self.seq = seq
        self.brokerId = brokerId
        self.eventId = eventId
        self.step = step
        self.at = at
        self.recordedAt = recordedAt
        self.payload = payload
        self.outcome = outcome
        self.hash = hash
    }

    /// Read by position: traces and the chain's checks read events by the thousand (see `TableRecord`).
    public init(row: Statement.Columns) throws {
        self.init(
            seq: try row.required(0), brokerId: try row.required(1), eventId: try row.required(2), step: try row.required(3),
            at: try row.required(4), recordedAt: try row.required(5), payload: try row.required(6),
            outcome: try row.required(7), hash: try row.required(8))
    }

    /// Written by position: a build writes every event (see `InsertableRecord`).
    public func encode(to row: inout StatementBinder) {
        row.bind(seq, brokerId, eventId, step, at, recordedAt, payload, outcome, hash)
    }

    public static let tableName = "event"

    private static let selectByEventId = select(where: "brokerId = ? AND eventId = ?")
    private static let selectBySeq = select(where: "seq = ?")

    public static func fetch(_ db: Database, brokerId: Int64, eventId: String) throws -> EventRecord? {
        try fetchFirst(db, sql: selectByEventId, brokerId, eventId)
    }

    public static func fetch(_ db: Database, seq: Int64) throws -> EventRecord? {
        try fetchFirst(db, sql: selectBySeq, seq)
    }

    /// The newest event's sequence number and hash: the head of the chain.
    public static func head(_ db: Database) throws -> (seq: Int64, hash: [UInt8])? {
        try db.cachedStatement(sql: "SELECT seq, hash FROM event ORDER BY seq DESC LIMIT 1")
            .fetchFirst { (try $0.required(0, as: Int64.self), try $0.required(1, as: [UInt8].self)) }
    }
}
