import InviteLedger

/// A trace as JSON or as text for a terminal.
enum TraceText {
    static func json(_ trace: Trace) -> JSONValue {
        .object([
            ("broker", .string(trace.brokerCrmName)), ("userId", .integer(trace.userId)),
            ("ctidTraderAccountId", trace.ctidTraderAccountId.json), ("verified", .bool(trace.isVerified)),
            ("problems", problems(trace.problems)),
            ("sections", .array(trace.sections.map { section in
                .object([
                    ("level", .integer(section.level)), ("userId", .integer(section.userId)),
                    ("steps", .array(section.steps.map { step in
                        .object([
                            ("seq", .integer(step.seq)), ("step", .string(step.step)), ("eventId", .string(step.eventId)),
                            ("at", .string(step.at.rfc3339)), ("role", .string(step.role)), ("outcome", step.outcome),
                            ("hash", .string(step.hash.hex)), ("verified", .bool(step.verified)),
                        ])
                    })),
                    ("partnersMet", .array(section.partnersMet.map { met in
                        .object([
                            ("partnerId", .string(met.partnerId)), ("partnerUserId", met.partnerUserId.json),
                            ("how", .string(met.how)), ("firstSeq", .integer(met.firstSeq)), ("current", .bool(met.isCurrent)),
                        ])
                    })),
                ])
            })),
        ])
    }

    /// `[{"seq":17,"message":"..."}]`: rows an answer rests on that disagree with the log.
    static func problems(_ problems: [RowProblem]) -> JSONValue {
        .array(problems.map { .object([("seq", $0.seq.json), ("message", .string($0.message))]) })
    }

    /// Lines saying what the answer above cannot vouch for; "" when nothing.
    static func renderedProblems(_ problems: [RowProblem]) -> String {
        guard !problems.isEmpty else { return "" }
        return "\nNOT VERIFIED: rows shown disagree with the log (run `invite-ledger verify`):\n"
            + problems.map { "  seq \($0.seq.map(String.init) ?? "-"): \($0.message)\n" }.joined()
    }

    static func rendered(_ trace: Trace) -> String {
        var text = ""
        for section in trace.sections {
            if section.level == 0 {
                text += "user \(section.userId)"
                if let account = trace.ctidTraderAccountId { text += " (trading account \(account))" }
                text += "\n"
            } else {
                text += "\nupline level \(section.level): user \(section.userId)\n"
            }
            var table = TextTable(columns: ["seq", "at", "role", "step", "eventId", "result", "verified"])
            for step in section.steps {
                var result = ""
                if case .string(let value)? = step.outcome["result"] { result = value }
                if step.outcome["forced"] == .bool(true) { result += " (forced)" }
                table.append([
                    String(step.seq), step.at.rfc3339, step.role, step.step, step.eventId, result,
                    step.verified ? "yes" : "NO",
                ])
            }
            text += table.rendered()
            if !section.partnersMet.isEmpty {
                text += "partners met: " + section.partnersMet.map { met in
                    var item = met.partnerId
                    if let user = met.partnerUserId { item += " (user \(user))" }
                    item += " by \(met.how) at seq \(met.firstSeq)"
                    if met.isCurrent { item += ", current" }
                    return item
                }.joined(separator: "; ") + "\n"
            }
        }
        return text + renderedProblems(trace.problems)
    }
}
