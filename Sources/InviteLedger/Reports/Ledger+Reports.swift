import Foundation
import LedgerStore

extension Ledger {
    /// Streams `report attributions` in CSV or NDJSON.
    ///
    ///     let summary = try ledger.reportAttributions(.init(levels: 3, format: .csv)) { bytes in
    ///         file.write(bytes)
    ///     }
    ///
    /// Memory stays flat whatever the number of rows; the report reads one snapshot. `outcomes`
    /// keeps the decisions that changed the tree (`.accepted`: what a payout runs on), the refused
    /// ones, or all of them (the default).
    public func reportAttributions(
        _ options: ReportOptions, outcomes: AttributionReport.Outcomes = .all, progress: (Int) -> Void = { _ in },
        write: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReportSummary {
        try streamReport(
            options, columns: AttributionReport.columnKinds(levels: options.levels),
            sql: { scope in
                (AttributionReport.sql(levels: options.levels, outcomes: outcomes),
                 [scope.broker.id, options.fromMilliseconds, options.toMilliseconds])
            },
            progress: progress, write: write)
    }
}

extension Ledger {
    /// Streams `report partners` in CSV or NDJSON.
    public func reportPartners(
        _ options: ReportOptions, progress: (Int) -> Void = { _ in },
        write: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReportSummary {
        try streamReport(
            options, columns: PartnerReport.columnKinds(levels: options.levels),
            sql: { scope in
                (PartnerReport.sql(levels: options.levels, asOf: options.to != nil),
                 [scope.broker.id, options.fromMilliseconds, options.toMilliseconds])
            },
            progress: progress, write: write)
    }
}

extension Ledger {
    /// Runs a report query in one read transaction (one snapshot, whatever other processes commit
    /// meanwhile) and streams its rows through `write` in blocks of about 64 KiB.
    func streamReport(
        _ options: ReportOptions, columns: [(String, ReportColumnKind)],
        sql: (QueryScope) -> (sql: String, arguments: StatementArguments),
        progress: (Int) -> Void, write: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReportSummary {
        try streamReport(options, columns: columns, progress: progress, write: write) { scope, sink in
            let query = sql(scope)
            try scope.db.makeStatement(sql: query.sql).forEachRow(arguments: query.arguments) { try sink.add($0) }
        }
    }

    /// Runs `produce` in one read transaction (one snapshot, whatever other processes commit
    /// meanwhile); the rows it adds to the sink are written through `write` in blocks of about
    /// 64 KiB.
    func streamReport(
        _ options: ReportOptions, columns: [(String, ReportColumnKind)],
        progress: (Int) -> Void, write: (UnsafeBufferPointer<UInt8>) throws -> Void,
        produce: (QueryScope, inout ReportSink) throws -> Void
    ) throws -> ReportSummary {
        try options.validate()
        return try queue.read { db in
            try withoutActuallyEscaping(progress) { progress in
                try withoutActuallyEscaping(write) { write in
                    var sink = ReportSink(
                        encoder: ReportEncoder(format: options.format, columns: columns), progress: progress, write: write)
                    return try stream(db, options, into: &sink, produce)
                }
            }
        }
    }

    private func stream(
        _ db: Database, _ options: ReportOptions, into sink: inout ReportSink,
        _ produce: (QueryScope, inout ReportSink) throws -> Void
    ) throws -> ReportSummary {
        // A ledger that holds no broker yet has no rows for any: the header alone.
        guard try !BrokerRecord.fetchAll(db).isEmpty else {
            // Events without a broker: pages SQLite read are not this ledger's (an empty
            // report from a damaged file would read as "no attributions").
            if try EventRecord.head(db) != nil {
                throw LedgerFileError(path: path, reason: "is damaged: its log holds events but its broker table is empty")
            }
            try sink.finish()
            return ReportSummary(rows: 0, snapshotSeq: 0)
        }
        let scope = try QueryScope(db: db, brokerCrmName: options.broker)
        let snapshotSeq = try EventRecord.head(db)?.seq ?? 0
        try produce(scope, &sink)
        try sink.finish()
        return ReportSummary(rows: sink.rows, snapshotSeq: snapshotSeq)
    }
}

/// Where a report's rows go: encoded into blocks of about 64 KiB, with a progress call every
/// 100,000 rows.
struct ReportSink {
    let encoder: ReportEncoder
    let progress: (Int) -> Void
    private(set) var rows = 0
    private var output: BlockWriter

    init(encoder: ReportEncoder, progress: @escaping (Int) -> Void, write: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.encoder = encoder
        self.progress = progress
        output = BlockWriter(write)
        encoder.header(into: &output.buffer)
    }

    mutating func add<Row: ReportCells>(_ row: Row) throws {
        encoder.row(row, into: &output.buffer)
        rows += 1
        try output.flushIfFull()
        if rows % 100_000 == 0 {
            progress(rows)
        }
    }

    /// Writes what is left.
    mutating func finish() throws {
        try output.finish()
    }
}

/// Bytes gathered into blocks of about 64 KiB (`blockSize`), each handed to `write` whole.
struct BlockWriter {
    var buffer: [UInt8] = []
    let write: (UnsafeBufferPointer<UInt8>) throws -> Void
    let blockSize: Int

    /// With `blockSize: .max`, `write` is never called: the bytes stay in `buffer`.
    init(blockSize: Int = 1 << 16, _ write: @escaping (UnsafeBufferPointer<UInt8>) throws -> Void) {
        self.write = write
        self.blockSize = blockSize
        if blockSize != .max { buffer.reserveCapacity(blockSize + 4096) }
    }

    /// Writes the buffer once it holds a block.
    mutating func flushIfFull() throws {
        if buffer.count >= blockSize {
            try buffer.withUnsafeBufferPointer(write)
            buffer.removeAll(keepingCapacity: true)
        }
    }

    /// Writes what the buffer holds, then `block` (bytes gathered elsewhere) as it is.
    mutating func write(block: [UInt8]) throws {
        try finish()
        if !block.isEmpty { try block.withUnsafeBufferPointer(write) }
    }

    /// Writes what is left in the buffer.
    mutating func finish() throws {
        if !buffer.isEmpty {
            try buffer.withUnsafeBufferPointer(write)
            buffer.removeAll(keepingCapacity: true)
        }
    }
}
