import LedgerStore

/// One write transaction of a ledger: the connection's recording state and its recorder, inside
/// one `BEGIN IMMEDIATE` transaction. What it records is decided in memory; `commit` writes it
/// once (`StateWriter`) and commits, and the caller's `onCommit` (the head witness) follows.
///
/// Every path that writes a ledger goes through it, and only decides when to commit: `record`
/// (one step), `record([Step])` (all or nothing), `record --stream` (group commit), `ingest`
/// (batches, or `--atomic`: everything in one), and the log replay of `verify` and `rebuild`.
///
///     try WriteSession.run(recorder, onCommit: { ledger.advanceWitness(db) }) { session in
///         let outcome = try session.record(step, recordedAt: now)
///         return .commit
///     }
///
/// One foreign-key policy for all of them: SQLite does not enforce REFERENCES while a ledger is
/// written (`Ledger` turns it off once, when it opens a file for writing, and the replay on its
/// scratch file): the rules only name rows that exist, and `verify` proves every reference with
/// `PRAGMA foreign_key_check`. That saves a search of a parent table per reference.
struct WriteSession {
    let recorder: StepRecorder<LedgerState>
    var state: LedgerState { recorder.state }

    /// Runs `body` in one write transaction of the recorder's connection: what it recorded is
    /// written and committed when it returns `.commit` (then `onCommit` runs), discarded when it
    /// returns `.rollback` or throws (the recording state then forgets what it knew).
    static func run(
        _ recorder: StepRecorder<LedgerState>, onCommit: () -> Void = {}, _ body: (WriteSession) throws -> Database.TransactionCompletion
    ) throws {
        let session = WriteSession(recorder: recorder)
        var completion = Database.TransactionCompletion.rollback
        try session.state.inTransaction {
            completion = try body(session)
            if completion == .commit {
                try session.flush()
            }
            return completion
        }
        if completion == .commit {
            onCommit()
        }
    }

    /// Records one step (`StepRecorder.record`).
    func record(_ step: Step, recordedAt: Int64, seq: Int64? = nil) throws -> StepOutcome {
        try recorder.record(step, recordedAt: recordedAt, seq: seq)
    }

    /// Writes what was recorded so far, inside the transaction: a long transaction (`--atomic`,
    /// a replay) keeps its memory flat this way.
    func flush() throws {
        try StateWriter.flush(state)
    }

    /// Records one decoded line and counts it (`IngestSummary.count(_:record:)`); returns its
    /// answer, nil for a blank line.
    func record(
        _ line: DecodedLine, recordedAt: Int64, summary: inout Ledger.IngestSummary
    ) throws -> Ledger.StreamAnswer? {
        try summary.count(line) { try record($0, recordedAt: recordedAt) }
    }
}
