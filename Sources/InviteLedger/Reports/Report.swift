import LedgerStore

/// What a report wrote, and which state of the ledger it read.
public struct ReportSummary: Sendable, Equatable {
    public var rows: Int
    /// The last event sequence number in the snapshot the report read: it contains exactly what
    /// was committed up to that event.
    public var snapshotSeq: Int64
}

/// The period and shape shared by the reports.
public struct ReportOptions: Sendable {
    /// The broker; may be nil when the ledger holds one.
    public var broker: String?
    /// Decisions at or after this time (inclusive); nil for the beginning.
    public var from: Timestamp?
    /// Decisions before this time (exclusive); nil for no end.
    public var to: Timestamp?
    /// Upline levels (attributions) or downline levels (partners), 1 to `maximumLevels`.
    public var levels: Int
    public var format: ReportFormat

    public static let maximumLevels = 20

    public init(broker: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil, levels: Int = 3, format: ReportFormat = .csv) {
        self.broker = broker
        self.from = from
        self.to = to
        self.levels = levels
        self.format = format
    }

    func validate() throws {
        guard (1...Self.maximumLevels).contains(levels) else {
            throw LedgerError(.invalidField, field: "--levels", "levels must be from 1 to \(Self.maximumLevels), got \(levels)")
        }
        if let from, let to, to < from {
            throw LedgerError(.invalidField, field: "--to", "to (\(to.rfc3339)) is before from (\(from.rfc3339))")
        }
    }

    var fromMilliseconds: Int64 { from?.milliseconds ?? Int64.min }
    var toMilliseconds: Int64 { to?.milliseconds ?? Int64.max }
}

extension Ledger {
    /// Runs a report query in one read transaction (one snapshot, whatever other processes commit
    /// meanwhile) and streams its rows through `write` in blocks of about 64 KiB.
    func streamReport(
        _ options: ReportOptions, columns: [(String, ReportColumnKind)],
        sql: (QueryScope) -> (sql: String, arguments: StatementArguments),
        progress: (Int) -> Void, write: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReportSummary {
        try options.validate()
        return try queue.read { db in
            let encoder = ReportEncoder(format: options.format, columns: columns)
            let blockSize = 1 << 16
            var buffer: [UInt8] = []
            buffer.reserveCapacity(blockSize + 4096)
            encoder.header(into: &buffer)
            // A ledger that holds no broker yet has no rows for any: the header alone.
            guard try !BrokerRecord.fetchAll(db).isEmpty else {
                // Events without a broker: pages SQLite read are not this ledger's (an empty
                // report from a damaged file would read as "no attributions").
                if try EventRecord.head(db) != nil {
                    throw LedgerFileError(path: path, reason: "is damaged: its log holds events but its broker table is empty")
                }
                if !buffer.isEmpty { try buffer.withUnsafeBufferPointer(write) }
                return ReportSummary(rows: 0, snapshotSeq: 0)
            }
            let scope = try QueryScope(db: db, brokerCrmName: options.broker)
            let snapshotSeq = try EventRecord.head(db)?.seq ?? 0
            var rows = 0
            let query = sql(scope)
            try db.makeStatement(sql: query.sql).forEachRow(arguments: query.arguments) { columns in
                encoder.row(columns, into: &buffer)
                rows += 1
                if buffer.count >= blockSize {
                    try buffer.withUnsafeBufferPointer(write)
                    buffer.removeAll(keepingCapacity: true)
                }
                if rows % 100_000 == 0 {
                    progress(rows)
                }
            }
            if !buffer.isEmpty {
                try buffer.withUnsafeBufferPointer(write)
            }
            return ReportSummary(rows: rows, snapshotSeq: snapshotSeq)
        }
    }
}
