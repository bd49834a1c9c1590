import LedgerStore

extension Ledger {
    /// How `ingest` groups lines into transactions.
    public struct IngestOptions: Sendable {
        /// Lines per transaction: larger is faster, smaller loses less to a crash (nothing of a
        /// batch is written until its commit).
        public var batchSize = 2_000
        /// All or nothing: one transaction for the whole input, rolled back when any line is rejected.
        public var isAtomic = false
        /// Lines recorded between savepoints inside a batch: what a rejected step makes replay.
        var chunkSize = 500
        /// Run SQLite's `PRAGMA quick_check` on the whole file before writing, and refuse a damaged
        /// file (`LedgerFileError`). It reads every page: seconds on a file of gigabytes, small next
        /// to a bulk load, but turn it off for many small ingests into a large ledger.
        public var checksFile = true

        public init(batchSize: Int = 2_000, isAtomic: Bool = false, checksFile: Bool = true) {
            self.batchSize = max(1, batchSize)
            self.isAtomic = isAtomic
            self.checksFile = checksFile
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

    /// Records NDJSON steps in bulk: batches of `batchSize` lines per transaction; a rejected
    /// line is reported and skipped and the others stand. Lines are parsed and validated on a
    /// second thread, ahead of the one that records them.
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
        if options.checksFile {
            try checkPages()
        }
        let lines = DecodedLines(reader: reader)
        defer { reader = lines.stop() }
        if options.isAtomic {
            return try ingestAtomically(lines, onRejection: onRejection, onCommit: onCommit)
        }
        var summary = IngestSummary()
        var chunk: [DecodedLine] = []
        var isDone = false
        var isFirstBatch = true
        while !isDone {
            var batch = summary
            var count = 0
            try queue.inDatabase { db in
                try db.inTransaction(.immediate) {
                    while count < options.batchSize {
                        chunk.removeAll(keepingCapacity: true)
                        while chunk.count < min(max(1, options.chunkSize), options.batchSize - count), let line = try lines.next() {
                            chunk.append(line)
                        }
                        guard !chunk.isEmpty else {
                            isDone = true
                            break
                        }
                        count += chunk.count
                        try Self.record(chunk, db: db, clock: clock, summary: &batch, onRejection: onRejection)
                    }
                    return .commit
                }
                advanceWitness(db)
            }
            // An input that ends with a full batch leaves an empty one: nothing to report.
            guard count > 0 || isFirstBatch else { break }
            isFirstBatch = false
            summary = batch
            onCommit(summary)
        }
        return summary
    }

    /// Refuses a file in which SQLite's `quick_check` finds damage (every page is read; the indexes
    /// are not compared with their tables, which `verify` does).
    func checkPages() throws {
        try queue.inDatabase { db in
            do {
                let messages = try String.fetchAll(db, sql: "PRAGMA quick_check(1)")
                if let first = messages.first, first != "ok" {
                    throw LedgerFileError(path: path, reason: "is damaged: \(first)")
                }
            } catch let error as DatabaseError where error.isDamage {
                throw LedgerFileError(path: path, reason: "is damaged: \(error.message)")
            }
        }
    }

    /// Records a chunk of lines inside the batch's transaction. The chunk first runs in one
    /// savepoint, without one per step (they cost about a seventh of the writer's work); when a
    /// step is rejected, that savepoint is rolled back and the chunk recorded again with a
    /// savepoint per step, which leaves out only the rejected steps.
    private static func record(
        _ chunk: [DecodedLine], db: Database, clock: Clock, summary: inout IngestSummary,
        onRejection: (Rejection) -> Void
    ) throws {
        var attempt = summary
        var rejections: [Rejection] = []
        var mustRetry = false
        try db.inSavepoint {
            var recorder = StepRecorder(db: db, savepointPerStep: false)
            let recordedAt = clock.now()
            for line in chunk {
                attempt.committedThroughLine = line.number
                guard let rejection = try ingest(line, recorder: &recorder, recordedAt: recordedAt, summary: &attempt)
                else { continue }
                if case .step = line.content {
                    // The rejected step may have written part of itself: start over, carefully.
                    mustRetry = true
                    return .rollback
                }
                rejections.append(rejection)
            }
            return .commit
        }
        if mustRetry {
            attempt = summary
            rejections = []
            var recorder = StepRecorder(db: db, savepointPerStep: true)
            let recordedAt = clock.now()
            for line in chunk {
                attempt.committedThroughLine = line.number
                if let rejection = try ingest(line, recorder: &recorder, recordedAt: recordedAt, summary: &attempt) {
                    rejections.append(rejection)
                }
            }
        }
        summary = attempt
        rejections.forEach(onRejection)
    }

    /// `--atomic`: one transaction for the whole input, a savepoint per step so that every
    /// rejected line is found and reported, then everything rolled back if any was.
    private func ingestAtomically(
        _ lines: DecodedLines, onRejection: (Rejection) -> Void, onCommit: (IngestSummary) -> Void
    ) throws -> IngestSummary {
        var summary = IngestSummary()
        try queue.inDatabase { db in
            try db.inTransaction(.immediate) {
                var recorder = StepRecorder(db: db, savepointPerStep: true)
                let recordedAt = clock.now()
                var isRejected = false
                while let line = try lines.next() {
                    summary.committedThroughLine = line.number
                    guard let rejection = try Self.ingest(line, recorder: &recorder, recordedAt: recordedAt, summary: &summary)
                    else { continue }
                    isRejected = true
                    onRejection(rejection)
                }
                guard !isRejected else {
                    summary.rolledBack = true
                    summary.recorded = 0
                    summary.duplicates = 0
                    summary.committedThroughLine = 0
                    return .rollback
                }
                return .commit
            }
            advanceWitness(db)
        }
        onCommit(summary)
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
