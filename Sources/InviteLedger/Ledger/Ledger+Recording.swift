import LedgerStore

extension Ledger {
    /// Records one step given as JSON and returns what it did.
    ///
    ///     let outcome = try ledger.record(json: #"{"step":"user.created","eventId":"e7",...}"#)
    ///     outcome.result      // "ATTRIBUTED"
    ///
    /// - Throws: `LedgerError` when the step is rejected; the database is then unchanged.
    public func record(json: String) throws -> StepOutcome {
        try record(Step(json: json))
    }

    /// Records one decoded step in its own transaction.
    public func record(_ step: Step) throws -> StepOutcome {
        var outcome: StepOutcome?
        try write { session in
            outcome = try session.record(step, recordedAt: clock.now())
            return .commit
        }
        return outcome!
    }

    /// Records several steps in one transaction, all or nothing.
    public func record(_ steps: [Step]) throws -> [StepOutcome] {
        var outcomes: [StepOutcome] = []
        try write { session in
            outcomes = try steps.map { try session.record($0, recordedAt: clock.now()) }
            return .commit
        }
        return outcomes
    }

    /// Runs `body` in one write session of the ledger's connection (``WriteSession``); after a
    /// commit the head witness moves on.
    func write(_ body: (WriteSession) throws -> Database.TransactionCompletion) throws {
        try queue.inDatabase { db in
            try WriteSession.run(recorder(db), onCommit: { advanceWitness(db) }, body)
        }
    }
}
