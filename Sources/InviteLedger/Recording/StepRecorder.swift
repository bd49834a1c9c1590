import LedgerStore

/// Records steps inside a write transaction: checks idempotency, applies the rules of SPEC
/// section 4 to the derived tables, and appends the event to the hash chain.
///
/// With `savepointPerStep`, each step runs in its own savepoint: a rejected step leaves nothing
/// behind, and the steps before it in the same transaction stand. Without, a rejected step may
/// leave part of itself: the caller must roll the transaction back.
struct StepRecorder {
    let db: Database
    let savepointPerStep: Bool
    /// The chain's head, read once per transaction.
    private var head: (seq: Int64, hash: [UInt8])?
    private var headIsLoaded = false
    private var brokers: [String: BrokerRecord] = [:]

    init(db: Database, savepointPerStep: Bool = true) {
        self.db = db
        self.savepointPerStep = savepointPerStep
    }

    /// Records one step, or throws `LedgerError` (and, with `savepointPerStep`, changes nothing).
    ///
    /// - Parameter seq: the sequence number to give the event, when replaying a log (`verify`,
    ///   `rebuild`): it must be after the head. Nil: the one after the head.
    mutating func record(_ step: Step, recordedAt: Int64, seq: Int64? = nil) throws -> StepOutcome {
        var outcome: StepOutcome?
        do {
            if savepointPerStep {
                try db.inSavepoint {
                    outcome = try recordOne(step, recordedAt: recordedAt, seq: seq)
                    return .commit
                }
            } else {
                outcome = try recordOne(step, recordedAt: recordedAt, seq: seq)
            }
        } catch {
            // The savepoint rolled back: a broker created by this step, or the head, may be gone.
            brokers.removeAll()
            headIsLoaded = false
            throw error
        }
        return outcome!
    }

    private mutating func recordOne(_ step: Step, recordedAt: Int64, seq givenSeq: Int64?) throws -> StepOutcome {
        let broker = try broker(named: step.brokerCrmName)
        if let existing = try EventRecord.fetch(db, brokerId: broker.id, eventId: step.eventId) {
            guard existing.payload == step.payload else {
                throw LedgerError(
                    .idempotencyConflict, field: "eventId",
                    "eventId \(FieldReader.quote(step.eventId)) was recorded at seq \(existing.seq) with different content")
            }
            return StepOutcome(
                seq: existing.seq, eventId: step.eventId, step: step.kind, status: .duplicate,
                decision: try JSONParser.parse(existing.outcome), hash: existing.hash)
        }
        if !headIsLoaded {
            head = try EventRecord.head(db)
            headIsLoaded = true
        }
        let seq = givenSeq ?? (head?.seq ?? 0) + 1
        let previous = head?.hash ?? EventChain.genesis
        // The event goes in first, outcome pending, so that the derived rows can reference it.
        try EventRecord(
            seq: seq, brokerId: broker.id, eventId: step.eventId, step: step.kind.rawValue,
            at: step.at.milliseconds, recordedAt: recordedAt, payload: step.payload, outcome: "",
            prevHash: previous, hash: EventChain.genesis
        ).insert(db)
        var context = StepContext(db: db, broker: broker, step: step, seq: seq)
        let decision = try context.apply()
        if case .brokerConfigured = step.body {
            brokers[broker.brokerCrmName] = nil
        }
        let sortedDecision = decision.sortedKeys()
        let outcomeText = sortedDecision.serialized()
        let hash = EventChain.hash(
            previous: previous, payload: step.payload, outcome: outcomeText, recordedAt: recordedAt)
        try EventRecord.complete(db, seq: seq, outcome: outcomeText, hash: hash)
        head = (seq, hash)
        return StepOutcome(
            seq: seq, eventId: step.eventId, step: step.kind, status: .recorded, decision: sortedDecision, hash: hash)
    }

    private mutating func broker(named name: String) throws -> BrokerRecord {
        if let broker = brokers[name] { return broker }
        let broker = try BrokerRecord.fetch(db, brokerCrmName: name) ?? BrokerRecord.insert(db, brokerCrmName: name)
        brokers[name] = broker
        return broker
    }
}
