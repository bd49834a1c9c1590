import LedgerStore

extension Ledger {
    /// How `ingest` groups lines into transactions.
    public struct IngestOptions: Sendable {
        /// Lines per transaction: larger is faster, smaller loses less to a crash (nothing of a
        /// batch is written until its commit).
        public var batchSize = 2_000
        /// All or nothing: one transaction for the whole input, rolled back when any line is rejected.
        public var isAtomic = false

        public init(batchSize: Int = 2_000, isAtomic: Bool = false) {
            self.batchSize = max(1, batchSize)
            self.isAtomic = isAtomic
        }
    }

    /// A line that was not recorded.
    public struct Rejection: Sendable, Equatable {
        public var line: Int
        /// The line's eventId, when it could be read.
        public var eventId: String?
        public var error: LedgerError

        /// `{"line":3,"eventId":"e3","code":"UNKNOWN_USER","field":"userId","message":"..."}`.
        public var json: JSONValue {
            var members: [(String, JSONValue)] = [("line", .integer(Int64(line)))]
            members.append(("eventId", eventId.map { .string($0) } ?? .null))
            members.append(("code", .string(error.code.rawValue)))
            if let field = error.field {
                members.append(("field", .string(field)))
            }
            members.append(("message", .string(error.message)))
            return .object(members)
        }
    }

    /// What an ingest did.
    public struct IngestSummary: Sendable, Equatable {
        /// Non-blank lines read.
        public var lines = 0
        /// Steps appended to the log.
        public var recorded = 0
        /// Steps whose eventId was already recorded with the same content.
        public var duplicates = 0
        public var rejected = 0
        /// True when `isAtomic` rolled everything back.
        public var rolledBack = false
        /// The number of the last line whose batch is committed.
        public var committedThroughLine = 0

        public var json: JSONValue {
            .object([
                ("lines", .integer(Int64(lines))), ("recorded", .integer(Int64(recorded))),
                ("duplicates", .integer(Int64(duplicates))), ("rejected", .integer(Int64(rejected))),
                ("rolledBack", .bool(rolledBack)),
            ])
        }
    }

    /// Records NDJSON steps in bulk: batches of `batchSize` lines per transaction, each line in
    /// its own savepoint, so a rejected line is reported and skipped and the others stand.
    /// Lines are parsed and validated on a second thread, ahead of the one that records them.
    ///
    /// - Parameters:
    ///   - reader: the lines.
    ///   - onRejection: called for each rejected line, in order.
    ///   - onCommit: called after each committed batch with the summary so far: everything
    ///     counted in it is durable.
    /// - Throws: `DatabaseError` when SQLite fails (disk full, lock timeout); the batch in
    ///   progress is rolled back and earlier batches stand.
    public func ingest(
        _ reader: inout NDJSONReader, options: IngestOptions = IngestOptions(),
        onRejection: (Rejection) -> Void = { _ in }, onCommit: (IngestSummary) -> Void = { _ in }
    ) throws -> IngestSummary {
        let lines = DecodedLines(reader: reader)
        defer { reader = lines.stop() }
        var summary = IngestSummary()
        var isDone = false
        while !isDone {
            var batch = summary
            var batchRejected = false
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    var recorder = StepRecorder(db: db)
                    var count = 0
                    let recordedAt = Self.now()
                    while options.isAtomic || count < options.batchSize {
                        guard let line = try lines.next() else {
                            isDone = true
                            break
                        }
                        count += 1
                        batch.committedThroughLine = line.number
                        guard let rejection = try Self.ingest(line, recorder: &recorder, recordedAt: recordedAt, summary: &batch)
                        else { continue }
                        batchRejected = true
                        onRejection(rejection)
                    }
                    if options.isAtomic && batchRejected {
                        batch.rolledBack = true
                        batch.recorded = 0
                        batch.duplicates = 0
                        batch.committedThroughLine = 0
                        return .rollback
                    }
                    return .commit
                }
            }
            summary = batch
            onCommit(summary)
        }
        return summary
    }

    /// Records one decoded line; returns its rejection, or nil when it was recorded (or blank).
    /// A storage failure is thrown as `IngestError` naming the line: it stops the ingest.
    private static func ingest(
        _ line: DecodedLine, recorder: inout StepRecorder, recordedAt: Int64, summary: inout IngestSummary
    ) throws -> Rejection? {
        switch line.content {
        case .blank:
            return nil
        case .rejected(let eventId, let error):
            summary.lines += 1
            summary.rejected += 1
            return Rejection(line: line.number, eventId: eventId, error: error)
        case .step(let step):
            summary.lines += 1
            do {
                let outcome = try recorder.record(step, recordedAt: recordedAt)
                if outcome.status == .recorded { summary.recorded += 1 } else { summary.duplicates += 1 }
                return nil
            } catch let error as LedgerError {
                summary.rejected += 1
                return Rejection(line: line.number, eventId: step.eventId, error: error)
            } catch {
                throw IngestError(line: line.number, underlying: error)
            }
        }
    }
}

/// A storage failure during `ingest`: the batch of the line is rolled back, earlier batches stand.
public struct IngestError: Error, CustomStringConvertible {
    public var line: Int
    public var underlying: any Error

    public var description: String { "line \(line): \(underlying)" }
}
