import LedgerStore

extension Ledger {
    /// The GET of the referral API: the partnerId active now on a user (user level) or on an account.
    ///
    /// - Throws: `NOT_FOUND` when there is none (for a user, account-level partnerIds do not count:
    ///   ask for the account).
    public func referral(broker: String? = nil, of subject: SubjectReference) throws -> ReferralAssignment {
        try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: broker)
            let assignment: AssignmentRecord?
            var accountId: Int64?
            let owner: UserRecord
            switch subject {
            case .userId(let id):
                owner = try scope.user(id)
                assignment = try AssignmentRecord.fetchActive(db, userRowId: owner.id)
            case .accountId(let id):
                let account = try scope.account(id)
                owner = try scope.userRow(account.userRowId)
                accountId = id
                assignment = try AssignmentRecord.fetchActive(db, accountRowId: account.id)
            }
            guard let assignment, let holder = try HolderRecord.fetch(db, id: assignment.holderRowId) else {
                // As cTrader's GET: a user's record or an account's own, never one for the other.
                var message = "\(subject)\(accountId == nil ? " has no user-level partnerId" : " has no account-level partnerId")"
                if accountId != nil, let userLevel = try AssignmentRecord.fetchActive(db, userRowId: owner.id),
                   let held = try HolderRecord.fetch(db, id: userLevel.holderRowId)
                {
                    message += "; its user \(owner.userId) holds \(FieldReader.quote(held.partnerId)) at user level (--user-id \(owner.userId))"
                }
                throw LedgerError(.notFound, field: subject.field, message)
            }
            // The CRM partner the holder's user is, as `upline` names it; else the one the
            // assignment named.
            let crmPartnerRef = try PartnerRecord.fetch(db, userRowId: assignment.userRowId)?.crmPartnerRef
                ?? assignment.partnerRowId.flatMap { try PartnerRecord.fetch(db, id: $0)?.crmPartnerRef }
            return ReferralAssignment(
                brokerCrmName: scope.broker.brokerCrmName, partnerId: holder.partnerId, level: holder.level.rawValue,
                userId: owner.userId, ctidTraderAccountId: accountId,
                since: Timestamp(milliseconds: assignment.validFrom), crmPartnerRef: crmPartnerRef)
        }
    }
}
