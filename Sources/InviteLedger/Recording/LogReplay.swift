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
        /// Recorded; the outcome is the replay's.
        case recorded(StepOutcome)
        /// The payload is not a valid step any more.
        case unreadable(LedgerError)
        /// The rules refuse it now: the log before it is not what it was when it was recorded.
        case rejected(LedgerError)
    }

    let source: Database
    let target: Database
    /// Events per transaction on the target.
    var transactionSize = 2_000

    /// Replays every event of `source`; `body` sees each event and what the replay gave.
    func run(_ body: (Event, Outcome) throws -> Void) throws {
        try target.setForeignKeysEnforced(false)
        defer { try? target.setForeignKeysEnforced(true) }
        try replay(body)
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
        var isDone = false
        while !isDone {
            try WriteSession.run(recorder) { session in
                for _ in 0..<transactionSize {
                    guard let row = try cursor.next() else {
                        isDone = true
                        break
                    }
                    let event = Event(seq: try row.required(0), recordedAt: try row.required(1), outcome: row[3] ?? "")
                    let decoded = row.withUTF8(2) { bytes in
                        Result { () throws(LedgerError) -> Step in try Step(jsonBytes: bytes) }
                    }
                    let result: Outcome
                    switch decoded {
                    case .failure(let error):
                        result = .unreadable(error)
                    case .success(let step):
                        do {
                            result = .recorded(try session.record(step, recordedAt: event.recordedAt, seq: event.seq))
                        } catch let error as LedgerError {
                            result = .rejected(error)
                        }
                    }
                    try body(event, result)
                }
                return .commit
            }
        }
    }
}
