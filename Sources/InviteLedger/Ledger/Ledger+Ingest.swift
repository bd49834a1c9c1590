import LedgerStore

extension Ledger {
    /// How `ingest` groups lines into transactions.
    public struct IngestOptions: Sendable {
        /// Lines per transaction unless told otherwise (the replays of `verify` and `rebuild` too).
        public static let defaultBatchSize = 2_000
        /// Lines of a first load built the bulk way unless told otherwise: as many as a bulk
        /// build takes (8,000,000, fewer when its rows reach `LedgerBuild.memoryBudget` first:
        /// about 2,500,000 of a history like the benchmark's).
        public static let defaultFirstLoadBulkLines = LedgerBuild.maximumEvents

        /// Lines per transaction: larger is faster, smaller loses less to a crash (nothing of a
        /// batch is written until its commit).
        public var batchSize: Int
        /// All or nothing: one transaction for the whole input, rolled back when any line is rejected.
        public var isAtomic = false
        /// Prove the whole file before writing, and refuse it (`LedgerFileError`) when SQLite's
        /// `PRAGMA quick_check` finds a page damaged or the hash chain is broken anywhere. It
        /// reads every page and every event: seconds on a file of gigabytes, small next to a bulk
        /// load, but turn it off for many small ingests into a large ledger (the schema and the
        /// chain since the head witness are still proven, at every open).
        public var checksFile = true
        /// Into a ledger that holds no rows (a first load), how many first lines to record the
        /// bulk way (`LedgerBuild`): every row decided in memory and each table written once, in
        /// key order, with its indexes made after its rows, all in one transaction; the lines
        /// after them go batch by batch. Faster (see Performance.md), memory about 140 bytes per
        /// line (within `LedgerBuild.memoryBudget`: the bulk part ends sooner when its rows
        /// reach it), and a kill during that first transaction loses all of it (the ledger stays
        /// empty). 0 opts out; `isAtomic` and answers (`onAnswers`) never build in bulk.
        public var firstLoadBulkLines = defaultFirstLoadBulkLines

        public init(
            batchSize: Int = defaultBatchSize, isAtomic: Bool = false, checksFile: Bool = true,
            firstLoadBulkLines: Int = defaultFirstLoadBulkLines
        ) {
            self.batchSize = max(1, batchSize)
            self.isAtomic = isAtomic
            self.checksFile = checksFile
            self.firstLoadBulkLines = max(0, firstLoadBulkLines)
        }
    }

    /// A line that was not recorded.
    public struct Rejection: Sendable, Equatable {
        public var line: Int
        /// The line's eventId, when it could be read.
        public var eventId: String?
        public var error: LedgerError

        /// `{"error":{"code":"UNKNOWN_USER","field":"userId","message":"..."},"line":3,"eventId":"e3"}`:
        /// the error as every command says it, with where it was; `ingest` and `record --stream`
        /// both print this shape.
        public var json: JSONValue {
            .object([
                ("error", error.json), ("line", .integer(Int64(line))),
                ("eventId", eventId.map { .string($0) } ?? .null),
            ])
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
        /// Recorded steps whose attribution was decided as refused (`UNKNOWN_PARTNER_ID`,
        /// `PARTNER_ID_INACTIVE`, `SELF_REFERRAL`, `CYCLE`, `ALREADY_ATTRIBUTED`): recorded, not
        /// rejected, but no partner got the user.
        public var refusedAttributions = 0
        /// True when `isAtomic` rolled everything back.
        public var rolledBack = false
        /// The number of the last line whose batch is committed.
        public var committedThroughLine = 0
        /// Bytes of input read through the last line counted: for progress and its estimate (not
        /// compared by `==`, which compares what was recorded).
        public var bytes = 0

        public static func == (lhs: IngestSummary, rhs: IngestSummary) -> Bool {
            (lhs.lines, lhs.recorded, lhs.duplicates, lhs.rejected, lhs.rolledBack, lhs.committedThroughLine)
                == (rhs.lines, rhs.recorded, rhs.duplicates, rhs.rejected, rhs.rolledBack, rhs.committedThroughLine)
        }

        public var json: JSONValue {
            .object([
                ("lines", .integer(Int64(lines))), ("recorded", .integer(Int64(recorded))),
                ("duplicates", .integer(Int64(duplicates))), ("rejected", .integer(Int64(rejected))),
                ("rolledBack", .bool(rolledBack)), ("refusedAttributions", .integer(Int64(refusedAttributions))),
            ])
        }
    }

    /// Records NDJSON steps in bulk: batches of `batchSize` lines per transaction; a rejected
    /// line is reported and skipped and the others stand. Lines are parsed and validated on a
    /// second thread, ahead of the one that records them. Into a ledger that holds no rows (a
    /// first load), the first lines are built the bulk way, in one transaction
    /// (`IngestOptions.firstLoadBulkLines`), and new keys are found new without searching
    /// the file (`LedgerState.buildsAlone()`): the same rows either way.
    ///
    /// - Parameters:
    ///   - reader: the lines.
    ///   - options: the batch size, all or nothing, and the page check before writing.
    ///   - onRejection: called for each rejected line, in order.
    ///   - onCommit: called after each committed batch with the summary so far: everything
    ///     counted in it is durable.
    ///   - onAnswers: when given, called after each committed batch (before `onCommit`) with the
    ///     answer to each of its lines, in order, as `record --stream` answers: the outcome of a
    ///     recorded or duplicate step, or the rejection. Nothing for a rolled-back `--atomic`.
    /// - Throws: `DatabaseError` when SQLite fails (disk full, lock timeout); the batch in
    ///   progress is rolled back and earlier batches stand.
    public func ingest(
        _ reader: inout NDJSONReader, options: IngestOptions = IngestOptions(),
        onRejection: (Rejection) -> Void = { _ in }, onCommit: (IngestSummary) -> Void = { _ in },
        onAnswers: (([StreamAnswer]) -> Void)? = nil
    ) throws -> IngestSummary {
        if options.checksFile {
            try proveWholeFile()
        }
        let lines = DecodedLines(reader: reader)
        defer { reader = lines.stop() }
        var firstSegment: (summary: IngestSummary, isDone: Bool)?
        if options.firstLoadBulkLines > 0 && !options.isAtomic && onAnswers == nil {
            firstSegment = try ingestFirstSegment(
                lines, count: options.firstLoadBulkLines, onRejection: onRejection, onCommit: onCommit)
            if let firstSegment, firstSegment.isDone { return firstSegment.summary }
        }
        if firstSegment == nil {
            // A first load: every row written is this ingest's, so a key it did not write need
            // not be searched for.
            _ = try queue.inDatabase { db in try recordingState(db).buildsAlone() }
        }
        if options.isAtomic {
            return try ingestAtomically(
                lines, batchSize: options.batchSize, onRejection: onRejection, onCommit: onCommit, onAnswers: onAnswers)
        }
        return try ingestInBatches(
            lines, after: firstSegment?.summary, options: options, onRejection: onRejection, onCommit: onCommit,
            onAnswers: onAnswers)
    }

    /// A first load's first `count` lines, built the bulk way in one transaction
    /// (`LedgerBuild`); nil when the ledger holds rows (nothing is read then).
    private func ingestFirstSegment(
        _ lines: DecodedLines, count: Int, onRejection: (Rejection) -> Void, onCommit: (IngestSummary) -> Void
    ) throws -> (summary: IngestSummary, isDone: Bool)? {
        try queue.inDatabase { db in
            var summary = IngestSummary()
            var isDone = false
            let built = try LedgerBuild.run(into: db, brokers: brokers) { build in
                var read = 0
                while read < count && !build.isFull {
                    guard let line = try lines.next() else {
                        isDone = true
                        build.isWholeLog = true
                        break
                    }
                    read += 1
                    summary.committedThroughLine = line.number
                    let answer = try summary.count(line) { try build.record($0, recordedAt: clock.now()) }
                    if case .rejected(let rejection)? = answer {
                        onRejection(rejection)
                    }
                }
            }
            guard let built else { return nil }
            // The rows were written behind the connection's recording state: it starts again,
            // knowing the keys of every row the build wrote (unless the input is done).
            forgetRecordingState()
            if let keys = built.writtenKeys {
                try recordingState(db).continuesBuild(keys)
            }
            advanceWitness(db)
            onCommit(summary)
            return (summary, isDone)
        }
    }

    /// Batches of `batchSize` lines, one transaction each, counted on from `earlier` (the
    /// summary of a first segment already committed).
    private func ingestInBatches(
        _ lines: DecodedLines, after earlier: IngestSummary?, options: IngestOptions,
        onRejection: (Rejection) -> Void, onCommit: (IngestSummary) -> Void, onAnswers: (([StreamAnswer]) -> Void)?
    ) throws -> IngestSummary {
        var summary = earlier ?? IngestSummary()
        var isDone = false
        var isFirstBatch = earlier == nil
        while !isDone {
            var batch = summary
            var count = 0
            var answers: [StreamAnswer] = []
            try write { session in
                // Every step of the batch is decided against the ledger and the steps before it,
                // in memory; the rows are written once, at the commit.
                while count < options.batchSize {
                    guard let line = try lines.next() else {
                        isDone = true
                        break
                    }
                    count += 1
                    batch.committedThroughLine = line.number
                    let answer = try session.record(line, recordedAt: clock.now(), summary: &batch)
                    if case .rejected(let rejection)? = answer {
                        onRejection(rejection)
                    }
                    if onAnswers != nil, let answer { answers.append(answer) }
                }
                return .commit
            }
            // An input that ends with a full batch leaves an empty one: nothing to report.
            guard count > 0 || isFirstBatch else { break }
            isFirstBatch = false
            summary = batch
            onAnswers?(answers)
            onCommit(summary)
        }
        return summary
    }

    /// `--atomic`: one transaction for the whole input; every rejected line is found and
    /// reported, then everything is rolled back if any was. The decided rows are written every
    /// `batchSize` lines inside the transaction, so memory stays flat.
    private func ingestAtomically(
        _ lines: DecodedLines, batchSize: Int, onRejection: (Rejection) -> Void, onCommit: (IngestSummary) -> Void,
        onAnswers: (([StreamAnswer]) -> Void)?
    ) throws -> IngestSummary {
        var summary = IngestSummary()
        var answers: [StreamAnswer] = []
        try write { session in
            var isRejected = false
            var pending = 0
            while let line = try lines.next() {
                summary.committedThroughLine = line.number
                let answer = try session.record(line, recordedAt: clock.now(), summary: &summary)
                if case .rejected(let rejection)? = answer {
                    isRejected = true
                    onRejection(rejection)
                }
                if onAnswers != nil, !isRejected, let answer { answers.append(answer) }
                pending += 1
                if pending == batchSize {
                    try session.flush()
                    pending = 0
                }
            }
            guard !isRejected else {
                summary.rolledBack = true
                summary.recorded = 0
                summary.duplicates = 0
                summary.refusedAttributions = 0
                summary.committedThroughLine = 0
                return .rollback
            }
            return .commit
        }
        if !summary.rolledBack { onAnswers?(answers) }
        onCommit(summary)
        return summary
    }

    /// Refuses a file in which SQLite's `quick_check` finds damage (every page is read; the indexes
    /// are not compared with their tables, which `verify` does), or whose hash chain is broken
    /// anywhere (every event is rehashed, at `verify --chain-only` speed).
    func proveWholeFile() throws {
        try queue.read { db in
            try Self.requireIntact(db, path: path) { check in
                try check.pageProblem() ?? check.fullChainProblem()
            }
        }
    }
}

extension Ledger.IngestSummary {
    /// Counts one decoded line, recorded by `record` (on the path of `ingest` or of a bulk
    /// build); returns its answer, nil for a blank line. A storage failure is thrown as
    /// `IngestError` naming the line: it stops `ingest` and streams.
    mutating func count(_ line: DecodedLine, record: (Step) throws -> StepOutcome) throws -> Ledger.StreamAnswer? {
        bytes += line.length + 1
        switch line.content {
        case .blank:
            return nil
        case .rejected(let eventId, let error):
            lines += 1
            rejected += 1
            return .rejected(Ledger.Rejection(line: line.number, eventId: eventId, error: error))
        case .step(let step):
            lines += 1
            do {
                let outcome = try record(step)
                if outcome.status == .recorded { recorded += 1 } else { duplicates += 1 }
                if outcome.status == .recorded, case .string(let result)? = outcome.decision["result"],
                   AttributionRecord.Outcome(rawValue: result).map({ !$0.isEdge && $0 != .detached }) == true
                {
                    refusedAttributions += 1
                }
                return .recorded(line: line.number, outcome)
            } catch let error as LedgerError {
                rejected += 1
                return .rejected(Ledger.Rejection(line: line.number, eventId: step.eventId, error: error))
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
