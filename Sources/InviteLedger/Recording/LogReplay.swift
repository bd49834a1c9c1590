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
    /// Events per transaction on the target.
    var transactionSize = Ledger.IngestOptions.defaultBatchSize

    /// Replays every event of `source`; `body` sees each event and what the replay gave.
    func run(_ body: (Event, Outcome) throws -> Void) throws {
        try target.setForeignKeysEnforced(false)
        defer { try? target.setForeignKeysEnforced(true) }
        try replay(body)
    }

    /// Events read ahead in one chunk, decoded on a second thread while the replay records the
    /// chunk before: decoding is about a third of the work.
    private let chunkSize = 512

    private struct Payload: Sendable {
        var event: Event
        var bytes: [UInt8]
    }

    private func replay(_ body: (Event, Outcome) throws -> Void) throws {
        let events = try source.makeStatement(sql: "SELECT seq, recordedAt, payload, outcome FROM event ORDER BY seq")
        let cursor = try events.columnsCursor()
        let state = LedgerState(db: target)
        // Half the rows an ingest keeps: a replay holds two connections' page caches besides.
        state.cacheLimit = 100_000
        try state.buildsAlone()
        // The log's events were accepted when recorded: their brokers were introduced then.
        let recorder = StepRecorder(state: state, brokers: .anyBroker)
        let decoder = ChunkWorker<Payload, (Event, Result<Step, LedgerError>)> { payloads in
            payloads.map { payload in
                (payload.event, Result { () throws(LedgerError) -> Step in try Step(jsonBytes: payload.bytes) })
            }
        }
        defer { decoder.stop() }
        var isRead = false
        // Keeps two chunks ahead of the one being recorded (the source is read on this thread:
        // its connection is this one's read snapshot).
        func readAhead() throws {
            while !isRead && decoder.pending < 2 {
                var chunk: [Payload] = []
                chunk.reserveCapacity(chunkSize)
                while chunk.count < chunkSize, let row = try cursor.next() {
                    let event = Event(seq: try row.required(0), recordedAt: try row.required(1), outcome: row[3] ?? "")
                    chunk.append(Payload(event: event, bytes: row.withUTF8(2) { Array($0) }))
                }
                isRead = chunk.count < chunkSize
                if !chunk.isEmpty { decoder.submit(chunk) }
            }
        }
        var isDone = false
        while !isDone {
            try WriteSession.run(recorder) { session in
                var count = 0
                while count < transactionSize {
                    try readAhead()
                    guard decoder.pending > 0 else {
                        isDone = true
                        break
                    }
                    for (event, decoded) in decoder.take() {
                        count += 1
                        let result: Outcome
                        switch decoded {
                        case .failure(let error):
                            result = .unreadable(error)
                        case .success(let step):
                            do {
                                let outcome = try session.record(step, recordedAt: event.recordedAt, seq: event.seq)
                                // The event just appended holds the outcome serialized once.
                                let text = outcome.status == .recorded
                                    ? session.state.events.last?.outcome ?? outcome.decision.serialized() : ""
                                result = .recorded(outcome, text: text)
                            } catch let error as LedgerError {
                                result = .rejected(error)
                            }
                        }
                        try body(event, result)
                    }
                }
                return .commit
            }
        }
    }
}
