import LedgerStore

/// Gathers the events that led to one user's attribution.
struct Tracer {
    let scope: QueryScope
    var roles: [Int64: String] = [:]
    /// Rows this section rests on that disagree with their events.
    var problems: [RowProblem] = []
    var db: Database { scope.db }

    init(scope: QueryScope) {
        self.scope = scope
    }

    /// Adds a step; a step with two roles (a creation that attributes) shows both.
    mutating func add(seq: Int64, role: String) {
        guard let existing = roles[seq] else {
            roles[seq] = role
            return
        }
        if !existing.components(separatedBy: " + ").contains(role) {
            roles[seq] = existing + " + " + role
        }
    }

    mutating func section(level: Int64, user: UserRecord) throws -> Trace.Section {
        add(seq: user.eventSeq, role: "user creation")
        var met: [String: Trace.PartnerMet] = [:]
        func meet(_ partnerId: String, how: String, seq: Int64) throws {
            if let known = met[partnerId] {
                if seq < known.firstSeq {
                    met[partnerId]?.firstSeq = seq
                    met[partnerId]?.how = how
                }
                return
            }
            let holder = try HolderRecord.fetch(db, brokerId: scope.broker.id, partnerId: partnerId)
            met[partnerId] = Trace.PartnerMet(
                partnerId: partnerId, partnerUserId: try holder.map { try scope.userRow($0.userRowId).userId },
                how: how, firstSeq: seq, isCurrent: false)
        }
        let decisions = try AttributionRecord.fetchAll(db, userRowId: user.id)
        let evidence = Evidence(scope: scope)
        for decision in decisions {
            problems += try evidence.problems(of: decision, user: user)
            let role: String
            switch decision.outcome {
            case .attributed: role = decision.via == .invite ? "invite" : "attribution"
            case .reassigned: role = "reassignment"
            case .detached: role = "detachment"
            default: role = "rejection"
            }
            add(seq: decision.eventSeq, role: role)
            if let partnerId = decision.partnerId {
                try meet(partnerId, how: role, seq: decision.eventSeq)
            }
            var checkedAt = decision.decidedAt
            if let signupRowId = decision.signupRowId, let signup = try SignupRecord.fetch(db, id: signupRowId) {
                add(seq: signup.eventSeq, role: "signup")
                checkedAt = signup.submittedAt
                problems += try evidence.problems(citing: signup.eventSeq, as: "signup row id=\(signup.id)", by: decision.eventSeq, ["signupId"])
                if let clickRowId = signup.clickRowId, let click = try ClickRecord.fetch(db, id: clickRowId) {
                    add(seq: click.eventSeq, role: "click")
                    problems += try evidence.problems(citing: click.eventSeq, as: "click row id=\(click.id)", by: signup.eventSeq, ["visitorId", "partnerId"])
                }
            }
            if let linkRowId = decision.linkRowId, let link = try LinkRecord.fetch(db, id: linkRowId) {
                add(seq: link.eventSeq, role: "link")
                problems += try evidence.problems(citing: link.eventSeq, as: "link row id=\(link.id)", by: decision.eventSeq, ["linkId"], through: "outcome")
            }
            if let holderRowId = decision.holderRowId, let holder = try HolderRecord.fetch(db, id: holderRowId) {
                if let assignment = try AssignmentRecord.fetchCovering(db, holderRowId: holderRowId, at: checkedAt)
                    ?? AssignmentRecord.fetchAll(db, holderRowId: holderRowId).last
                {
                    add(seq: assignment.eventSeq, role: "partnerId assignment")
                }
                if let partner = try PartnerRecord.fetch(db, userRowId: holder.userRowId) {
                    add(seq: partner.eventSeq, role: "partner registration")
                }
            }
        }
        // Clicks by the same visitor, before or after the attribution: partners met on the way.
        if let signup = try SignupRecord.fetch(db, userRowId: user.id), let visitorId = signup.visitorId {
            for click in try ClickRecord.fetchAll(db, brokerId: scope.broker.id, visitorId: visitorId) {
                try meet(click.partnerId, how: "click", seq: click.eventSeq)
                // Every seq the trace cites is one of its steps.
                add(seq: click.eventSeq, role: "click")
            }
        }
        if let current = try AttributionRecord.fetchCurrent(db, userRowId: user.id), let partnerId = current.partnerId {
            met[partnerId]?.isCurrent = true
        }
        var steps: [Trace.Step] = []
        for (seq, role) in roles.sorted(by: { $0.key < $1.key }) {
            guard let event = try EventRecord.fetch(db, seq: seq) else { continue }
            let previous = seq == 1 ? EventChain.genesis : try EventRecord.fetch(db, seq: seq - 1)?.hash
            let format = previous.flatMap {
                EventChain.format(
                    of: event.hash, previous: $0, payload: event.payload, outcome: event.outcome,
                    recordedAt: event.recordedAt)
            }
            steps.append(Trace.Step(
                seq: seq, step: event.step, eventId: event.eventId, at: Timestamp(milliseconds: event.at), role: role,
                outcome: (try? JSONParser.parse(event.outcome)) ?? .string(event.outcome), hash: event.hash,
                verified: format != nil))
        }
        return Trace.Section(
            level: level, userId: user.userId, steps: steps,
            partnersMet: met.values.sorted { $0.firstSeq < $1.firstSeq || ($0.firstSeq == $1.firstSeq && $0.partnerId < $1.partnerId) })
    }
}
