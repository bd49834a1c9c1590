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
        try queue.inDatabase { db in
            var outcome: StepOutcome?
            let recorder = recorder(db)
            let state = recorder.state
            try state.inTransaction {
                outcome = try recorder.record(step, recordedAt: clock.now())
                try StateWriter.flush(state)
                return .commit
            }
            advanceWitness(db)
            return outcome!
        }
    }

    /// Records several steps in one transaction, all or nothing.
    public func record(_ steps: [Step]) throws -> [StepOutcome] {
        try queue.inDatabase { db in
            var outcomes: [StepOutcome] = []
            let recorder = recorder(db)
            let state = recorder.state
            try state.inTransaction {
                outcomes = try steps.map { try recorder.record($0, recordedAt: clock.now()) }
                try StateWriter.flush(state)
                return .commit
            }
            advanceWitness(db)
            return outcomes
        }
    }
}
