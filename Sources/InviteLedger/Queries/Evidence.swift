import LedgerStore

/// Checks a derived row that an answer shows against the event it cites, so that `trace` and
/// `upline` never vouch for a row the log does not back: the event must be in the log, its hash
/// must link to the previous event's, and what it recorded (the step, the user, the partner and
/// its partnerId, the account, the time, the result) must be what the row says. An attribution
/// shown as current must also be the user's last change of partner among its decisions.
///
/// What this cannot see without replaying the whole log (`verify`): a decision row removed
/// together with nothing else, or a row of another table the answer does not show.
struct Evidence {
    typealias Problem = RowProblem

    let scope: QueryScope
    var db: Database { scope.db }

    /// True when an event's stored hash covers its content and links to the previous event's.
    func verifies(_ event: EventRecord) throws -> Bool {
        let previous = event.seq == 1 ? EventChain.genesis : try EventRecord.fetch(db, seq: event.seq - 1)?.hash
        guard let previous else { return false }
        return EventChain.format(
            of: event.hash, previous: previous, payload: event.payload, outcome: event.outcome,
            recordedAt: event.recordedAt) != nil
    }

    /// What is wrong with an attribution row of `user`: empty when its event backs it.
    func problems(of decision: AttributionRecord, user: UserRecord) throws -> [Problem] {
        let row = "attribution row id=\(decision.id) (user \(user.userId))"
        guard let event = try EventRecord.fetch(db, seq: decision.eventSeq) else {
            return [Problem(seq: decision.eventSeq, message: "\(row) cites event \(decision.eventSeq), which is not in the log")]
        }
        guard try verifies(event) else {
            return [Problem(seq: event.seq, message: "\(row) cites event \(event.seq), whose hash does not verify")]
        }
        let outcome = (try? JSONParser.parse(event.outcome)) ?? .null
        var problems: [Problem] = []
        func expect(_ what: String, _ shown: JSONValue?, _ recorded: JSONValue?) {
            let shown = shown == .null ? nil : shown
            let recorded = recorded == .null ? nil : recorded
            guard shown != recorded else { return }
            problems.append(Problem(
                seq: event.seq, message: "\(row): \(what) is \(describe(shown)), but event \(event.seq) recorded \(describe(recorded))"))
        }
        let steps: [AttributionRecord.Via: String] = [
            .signup: "user.created", .creation: "user.created", .invite: "invite.received",
            .reassignment: "attribution.reassigned",
        ]
        expect("the step", .string(steps[decision.via] ?? "?"), .string(event.step))
        expect("the outcome", .string(decision.outcome.rawValue), outcome["result"])
        expect("the userId", .integer(user.userId), outcome[decision.via == .invite ? "invitedUserId" : "userId"])
        expect("the time", .string(Timestamp(milliseconds: decision.decidedAt).rfc3339),
               .string(Timestamp(milliseconds: event.at).rfc3339))
        if decision.outcome.isEdge || decision.outcome == .detached {
            expect("the partnerId", decision.partnerId.map { .string($0) }, outcome["partnerId"])
        }
        if decision.outcome.isEdge {
            expect("the partner's userId", try decision.parentRowId.map { .integer(try scope.userRow($0).userId) },
                   outcome["partnerUserId"])
            expect("the partner's ctidTraderAccountId",
                   try decision.accountRowId.flatMap { try AccountRecord.fetch(db, id: $0) }.map { .integer($0.ctidTraderAccountId) },
                   outcome["partnerCtidTraderAccountId"])
        }
        return problems
    }

    /// What is wrong with the edge an answer shows as current for `user`: its own evidence, and
    /// it must be the user's last change of partner (no later reassignment or detachment).
    func problems(ofCurrent edge: AttributionRecord, user: UserRecord) throws -> [Problem] {
        var problems = try self.problems(of: edge, user: user)
        let later = try AttributionRecord.fetchAll(db, userRowId: user.id).filter {
            ($0.outcome.isEdge || $0.outcome == .detached) && $0.id != edge.id
                && ($0.decidedAt, $0.eventSeq) > (edge.decidedAt, edge.eventSeq)
        }
        if let next = later.first {
            problems.append(Problem(
                seq: edge.eventSeq,
                message: "attribution row id=\(edge.id) (user \(user.userId)) is shown as current, but event \(next.eventSeq) changed the user's partner after it"))
        }
        return problems
    }

    /// What is wrong with a row that a step's event refers to by identifier (the signup a
    /// `user.created` completed, the click that signup came from, the link): the row's own event
    /// (`seq`) must carry the same `members` as the citing event (`citingSeq`) has in its payload
    /// (or in its outcome, `through: "outcome"`).
    func problems(
        citing seq: Int64, as row: String, by citingSeq: Int64, _ members: [String], through part: String = "payload"
    ) throws -> [Problem] {
        guard let event = try EventRecord.fetch(db, seq: seq), let citing = try EventRecord.fetch(db, seq: citingSeq) else {
            return [Problem(seq: seq, message: "\(row) cites event \(seq), which is not in the log")]
        }
        let own = (try? JSONParser.parse(event.payload)) ?? .null
        let other = (try? JSONParser.parse(part == "outcome" ? citing.outcome : citing.payload)) ?? .null
        return members.compactMap { member in
            guard own[member] != other[member] else { return nil }
            return Problem(
                seq: seq,
                message: "\(row) cites event \(seq), whose \(member) is \(describe(own[member])), but event \(citingSeq) names \(describe(other[member]))")
        }
    }

    private func describe(_ value: JSONValue?) -> String {
        guard let value, value != .null else { return "none" }
        return value.serialized()
    }
}

/// A row an answer rests on that disagrees with the log: the event it cites and what is wrong.
public struct RowProblem: Sendable, Equatable, Hashable {
    /// The event the row cites (its step is not vouched for).
    public var seq: Int64?
    public var message: String

    public init(seq: Int64?, message: String) {
        self.seq = seq
        self.message = message
    }
}
