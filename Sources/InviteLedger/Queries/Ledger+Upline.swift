import LedgerStore

extension Ledger {
    /// The chain of partners above a user or an account's owner, now or as of a time.
    public func upline(broker: String? = nil, of subject: SubjectReference, asOf: Timestamp? = nil) throws -> Upline {
        try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: broker)
            let user = try scope.node(of: subject)
            var problems: [RowProblem] = []
            let levels = try scope.upline(of: user.id, asOf: asOf?.milliseconds, problems: &problems)
            return Upline(
                brokerCrmName: scope.broker.brokerCrmName, userId: user.userId, asOf: asOf, levels: levels,
                problems: problems)
        }
    }
}
