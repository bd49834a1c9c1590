import LedgerStore

extension Ledger {
    /// How a user (or an account's owner) was attributed, then the same for each partner above it.
    public func trace(broker: String? = nil, of subject: SubjectReference) throws -> Trace {
        try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: broker)
            let user = try scope.node(of: subject)
            var accountId: Int64?
            var sections: [Trace.Section] = []
            var tracer = Tracer(scope: scope)
            if case .accountId(let id) = subject {
                accountId = id
                tracer.add(seq: try scope.account(id).eventSeq, role: "account link")
            }
            sections.append(try tracer.section(level: 0, user: user))
            var problems = tracer.problems
            for level in try scope.upline(of: user.id, asOf: nil, problems: &problems) {
                var upper = Tracer(scope: scope)
                sections.append(try upper.section(level: level.level, user: try scope.user(level.userId)))
                problems += upper.problems
            }
            // A row checked twice (an edge shown in a section and in the upline) is said once, and
            // the step whose event a disagreeing row cites is not vouched for.
            var seen: Set<RowProblem> = []
            problems = problems.filter { seen.insert($0).inserted }
            let doubted = Set(problems.compactMap(\.seq))
            for section in sections.indices {
                for step in sections[section].steps.indices where doubted.contains(sections[section].steps[step].seq) {
                    sections[section].steps[step].verified = false
                }
            }
            return Trace(
                brokerCrmName: scope.broker.brokerCrmName, userId: user.userId, ctidTraderAccountId: accountId,
                sections: sections, problems: problems)
        }
    }
}
