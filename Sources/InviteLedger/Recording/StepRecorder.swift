import LedgerStore

/// Records steps into a `LedgerState`: checks idempotency, lets the rules decide, and appends the
/// event, complete (outcome and hash), to the chain. Nothing reaches the database until
/// `StateWriter.flush(_:)`.
///
/// A rejected step (`LedgerError`) changes nothing: the rules check before they change, and a
/// broker a step names for the first time is created only when the step is accepted.
struct StepRecorder<State: RuleState> {
    let state: State
    /// Which brokers the steps may name.
    var brokers: BrokerPolicy = .knownBrokers
    /// The machine's real clock, which a step's `at` may not be later than by more than
    /// `Timestamp.futureTolerance`, even when `recordedAt` comes from a fixed clock.
    var wallClock: Ledger.Clock = .system

    /// Records one step, or throws `LedgerError` and changes nothing.
    ///
    /// - Parameter seq: the sequence number to give the event, when replaying a log (`verify`,
    ///   `rebuild`): it must be after the head. Nil: the one after the head.
    /// - Throws: `LedgerError` for a rejected step; `RecordingInconsistency` when the rules
    ///   failed after changing the state (the database contradicts itself): the caller must
    ///   abandon the transaction.
    func record(_ step: Step, recordedAt: Int64, seq givenSeq: Int64? = nil) throws -> StepOutcome {
        let stored = try state.broker(named: step.brokerCrmName)
        try brokers.check(step, isKnown: stored != nil, knownBrokers: { try state.brokerNames() })
        let broker = try stored ?? BrokerRecord(
            id: state.peekId(BrokerRecord.tableName), brokerCrmName: step.brokerCrmName, guaranteedAttributionDays: 0)
        if stored != nil, let existing = try state.event(brokerId: broker.id, eventId: step.eventId) {
            guard existing.payload == step.payload else {
                throw LedgerError(
                    .idempotencyConflict, field: "eventId",
                    "eventId \(FieldReader.quote(step.eventId)) was recorded at seq \(existing.seq) with different content")
            }
            return StepOutcome(
                seq: existing.seq, eventId: step.eventId, step: step.kind, status: .duplicate,
                decision: try JSONParser.parse(existing.outcome), hash: existing.hash)
        }
        let latest = wallClock.now() + Timestamp.futureTolerance
        guard step.at.milliseconds <= latest else {
            throw LedgerError(
                .invalidField, field: "at",
                "at \(step.at.rfc3339) is in the future: later than this machine's clock by more than \(Timestamp.futureTolerance / 60_000) minutes")
        }
        let head = try state.head()
        let seq = givenSeq ?? (head?.seq ?? 0) + 1
        let previous = head?.hash ?? EventChain.genesis
        let changes = state.changeCount
        let decision: JSONValue
        do {
            decision = try StepRules(state: state, broker: broker, step: step, seq: seq).apply().sortedKeys()
        } catch let error as LedgerError where state.changeCount != changes {
            throw RecordingInconsistency(seq: seq, error: error)
        }
        if stored == nil {
            _ = try state.nextId(BrokerRecord.tableName)
            state.save(state.savedBroker(id: broker.id) ?? broker, isNew: true)
        }
        let outcome = decision.serialized()
        let hash = EventChain.hash(previous: previous, payload: step.payload, outcome: outcome, recordedAt: recordedAt)
        state.append(EventRecord(
            seq: seq, brokerId: broker.id, eventId: step.eventId, step: step.kind.rawValue, at: step.at.milliseconds,
            recordedAt: recordedAt, payload: step.payload, outcome: outcome, hash: hash))
        return StepOutcome(seq: seq, eventId: step.eventId, step: step.kind, status: .recorded, decision: decision, hash: hash)
    }
}

/// The rules rejected a step after changing the ledger's state: only a database that
/// contradicts itself (a row an earlier row names is missing) can cause it. Nothing of the
/// transaction may be written.
struct RecordingInconsistency: Error, CustomStringConvertible {
    var seq: Int64
    var error: LedgerError

    var description: String {
        "the ledger contradicts itself at seq \(seq) (\(error)): run `invite-ledger verify`"
    }
}
