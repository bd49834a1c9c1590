import LedgerStore

/// Replays a ledger's log, in sequence order, through the recording rules into another database:
/// each event's payload is decoded as a step and recorded with the event's own sequence number and
/// recordedAt, exactly as `record` and `ingest` record. What the derived tables hold is a function
/// of the log, so the target then holds what the source should (`verify`), or a new ledger made
/// from the log alone (`rebuild`).
struct LogReplay {
    /// One event of the source log.
    struct Event {
        var seq: Int64
        var recordedAt: Int64
        /// The stored outcome's bytes, as text (invalid UTF-8 repaired, so it then differs).
        var outcome: String
    }

    /// What replaying one event gave.
    enum Outcome {
        /// Recorded; the outcome is the replay's, `text` its outcome as the replay stored it (empty
        /// for a duplicate).
        case recorded(StepOutcome, text: String)
        /// The payload is not a valid step any more.
        case unreadable(LedgerError)
        /// The rules refuse it now: the log before it is not what it was when it was recorded.
        case rejected(LedgerError)
    }

    let source: Database
    let target: Database
    /// Events replayed first the bulk way (`LedgerBuild`: in one transaction, every row in
    /// memory and written once): 0 replays every event the incremental way; the events after
    /// them go the way of `ingest` (`WriteSession`), one transaction per `transactionSize`.
    var bulkEvents = LedgerBuild.maximumEvents
    /// The page cache, in KiB, that `verify` and `rebuild` give the source connection while
    /// they replay its log: it is read in order, each page once, so pages kept would only take
    /// memory from the build's rows.
    static let sourceCacheKiB = 4_096
    /// Events per transaction on the target, on the incremental path.
    var transactionSize = Ledger.IngestOptions.defaultBatchSize

    /// Replays every event of `source`; `body` sees each event and what the replay gave.
    func run(_ body: (Event, Outcome) throws -> Void) throws {
        let events = try DecodedEvents(source: source)
        defer { events.stop() }
        var isDone = false
        var built: LedgerBuild?
        if bulkEvents > 0 {
            // The log's events were accepted when recorded: their brokers were introduced then.
            built = try LedgerBuild.run(into: target, brokers: .anyBroker) { build in
                var count = 0
                while count < bulkEvents && !build.isFull {
                    guard let (event, decoded) = try events.next() else {
                        isDone = true
                        build.isWholeLog = true
                        return
                    }
                    count += 1
                    try body(event, Self.outcome(decoded, stored: { build.state.lastEvent?.outcome }) {
                        try build.record($0, recordedAt: event.recordedAt, seq: event.seq)
                    })
                }
            }
        }
        guard !isDone else { return }
        try target.setForeignKeysEnforced(false)
        defer { try? target.setForeignKeysEnforced(true) }
        let state = LedgerState(db: target)
        // Half the rows an ingest keeps: a replay holds two connections' page caches besides.
        state.cacheLimit = 100_000
        if let keys = built?.writtenKeys {
            // The build's rows are in the file now: the batches read them back from there.
            built = nil
            try state.continuesBuild(keys)
        } else {
            try state.buildsAlone()
        }
        let recorder = StepRecorder(state: state, brokers: .anyBroker)
        while !isDone {
            try WriteSession.run(recorder) { session in
                for _ in 0..<transactionSize {
                    guard let (event, decoded) = try events.next() else {
                        isDone = true
                        break
                    }
                    try body(event, Self.outcome(decoded, stored: { session.state.events.last?.outcome }) {
                        try session.record($0, recordedAt: event.recordedAt, seq: event.seq)
                    })
                }
                return .commit
            }
        }
    }

    /// What recording a decoded event gave; `stored` is the outcome of the event just appended,
    /// as the target holds it (serialized once, by the recorder).
    private static func outcome(
        _ decoded: Result<Step, LedgerError>, stored: () -> String?, record: (Step) throws -> StepOutcome
    ) throws -> Outcome {
        switch decoded {
        case .failure(let error):
            return .unreadable(error)
        case .success(let step):
            do {
                let outcome = try record(step)
                let text = outcome.status == .recorded ? stored() ?? outcome.decision.serialized() : ""
                return .recorded(outcome, text: text)
            } catch let error as LedgerError {
                return .rejected(error)
            }
        }
    }
}

/// The events of a log in sequence order, each with its payload decoded as a step: read in
/// chunks on the caller's thread (the source connection is its read snapshot), decoded on a
/// second thread two chunks ahead, as decoding is about a third of a replay's work.
private final class DecodedEvents {
    private struct Payload: Sendable {
        var event: LogReplay.Event
        var bytes: [UInt8]
    }

    private let chunkSize = 512
    private let statement: Statement
    private let cursor: ColumnsCursor
    private let decoder = ChunkWorker<Payload, (LogReplay.Event, Result<Step, LedgerError>)> { payloads in
        payloads.map { payload in
            (payload.event, Result { () throws(LedgerError) -> Step in try Step(jsonBytes: payload.bytes) })
        }
    }
    private var isRead = false
    private var decoded: [(LogReplay.Event, Result<Step, LedgerError>)] = []
    private var position = 0

    init(source: Database) throws {
        statement = try source.makeStatement(sql: "SELECT seq, recordedAt, payload, outcome FROM event ORDER BY seq")
        cursor = try statement.columnsCursor()
    }

    func stop() { decoder.stop() }

    /// The next event and its step (or why its payload is not one); nil after the last.
    func next() throws -> (LogReplay.Event, Result<Step, LedgerError>)? {
        if position == decoded.count {
            try readAhead()
            guard decoder.pending > 0 else { return nil }
            decoded = decoder.take()
            position = 0
            guard !decoded.isEmpty else { return nil }
        }
        defer { position += 1 }
        return decoded[position]
    }

    /// Keeps two chunks submitted ahead of the one being recorded.
    private func readAhead() throws {
        while !isRead && decoder.pending < 2 {
            var chunk: [Payload] = []
            chunk.reserveCapacity(chunkSize)
            while chunk.count < chunkSize, let row = try cursor.next() {
                let event = LogReplay.Event(seq: try row.required(0), recordedAt: try row.required(1), outcome: row[3] ?? "")
                chunk.append(Payload(event: event, bytes: row.withUTF8(2) { Array($0) }))
            }
            isRead = chunk.count < chunkSize
            if !chunk.isEmpty { decoder.submit(chunk) }
        }
    }
}
