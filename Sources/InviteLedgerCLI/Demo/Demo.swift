import InviteLedger

/// What the demo shows: each step's outcome, then the answers to the client area's and the auditor's questions.
struct Demo {
    let ledger: Ledger
    let outcomes: [(flow: String, outcome: StepOutcome)]
    let verification: VerificationReport

    func text() throws -> String {
        var text = ""
        var currentFlow = ""
        var table = TextTable(columns: ["seq", "step", "eventId", "result", "details"])
        func flushTable() {
            if !table.rows.isEmpty {
                text += table.rendered()
                table = TextTable(columns: table.columns)
            }
        }
        for (flow, outcome) in outcomes {
            if flow != currentFlow {
                flushTable()
                text += (currentFlow.isEmpty ? "" : "\n") + "== \(flow): \(Self.titles[flow] ?? flow) ==\n"
                currentFlow = flow
            }
            table.append([String(outcome.seq), outcome.step.rawValue, outcome.eventId, outcome.result, Self.details(outcome.decision)])
        }
        flushTable()
        let page = try ledger.referrals(of: .userId(1001), depth: 3)
        text += "\n== referrals of partner 1001 (ib-alice), 3 levels: invite-ledger referrals --user-id 1001 --depth 3 --format tree ==\n"
        text += ReferralTreeText(page: page).rendered()
        let stats = try ledger.stats(of: .userId(1001))
        text += "\n== stats of partner 1001: invite-ledger stats --user-id 1001 ==\n"
        text += stats.levels.map { "level \($0.level): \($0.count)" }.joined(separator: ", ") + ", total: \(stats.total)\n"
        text += "\n== how user 1003 was attributed: invite-ledger trace --user-id 1003 ==\n"
        text += TraceText.rendered(try ledger.trace(of: .userId(1003)))
        text += "\n== the GET: invite-ledger referral get --user-id 1001 / --account-id 5002 ==\n"
        for subject in [SubjectReference.userId(1001), .accountId(5002)] {
            let found = try ledger.referral(of: subject)
            text += "\(subject): partnerId \(found.partnerId) (\(found.level) level, user \(found.userId), since \(found.since.rfc3339))\n"
        }
        text += "\n== verify ==\n"
        text += "events: \(verification.events), intact: \(verification.isIntact ? "yes" : "NO"), head hash: \(verification.headHash?.hex ?? "none")\n"
        return text
    }

    func json() throws -> JSONValue {
        .object([
            ("steps", .array(outcomes.map { .object([("flow", .string($0.flow))] + Self.members($0.outcome.json)) })),
            ("referrals", ReferralsCommand.json(try ledger.referrals(of: .userId(1001), depth: 3))),
            ("trace", TraceText.json(try ledger.trace(of: .userId(1003)))),
            ("verify", verification.json),
        ])
    }

    static let titles = [
        "flow-1": "a partner without a cTID creates one, gets a partnerId and a link; User 2 signs up through it",
        "flow-2": "User 2 becomes a partner at account level and refers User 3 through a share link; a partner registered long ago creates a cTID",
    ]

    /// `key=value` pairs of a decision, without `result`.
    static func details(_ decision: JSONValue) -> String {
        members(decision).filter { $0.0 != "result" }.map { key, value in
            if case .string(let text) = value { return "\(key)=\(text)" }
            return "\(key)=\(value.serialized())"
        }.joined(separator: " ")
    }

    static func members(_ value: JSONValue) -> [(String, JSONValue)] {
        if case .object(let members) = value { return members }
        return []
    }
}
