import LedgerStore

extension StepRules {
    /// `user.created`: the user creation flow completed. Decides the attribution when the signup
    /// (or the creation request) carried a partnerId.
    func createUser(userId: Int64, signupId: String?, partnerId: String?, crmPartnerRef: String?) throws -> JSONValue {
        if let existing = try state.user(brokerId: brokerId, userId: userId) {
            throw LedgerError(
                .duplicateUser, field: "userId", "user \(userId) already exists (seq \(existing.eventSeq))")
        }
        var signup: SignupRecord?
        if let signupId {
            guard let found = try state.signup(brokerId: brokerId, signupId: signupId) else {
                throw LedgerError(.unknownSignup, field: "signupId", "no signup \(FieldReader.quote(signupId))")
            }
            if let completedBy = found.userRowId {
                throw LedgerError(
                    .signupAlreadyCompleted, field: "signupId",
                    "signup \(FieldReader.quote(signupId)) was already completed by user \(try self.userId(ofRow: completedBy))")
            }
            signup = found
        }
        var partner: PartnerRecord?
        if let crmPartnerRef {
            partner = try self.partner(crmPartnerRef)
            if let linked = partner?.userRowId {
                throw LedgerError(
                    .partnerAlreadyLinked, field: "crmPartnerRef",
                    "partner \(FieldReader.quote(crmPartnerRef)) already has user \(try self.userId(ofRow: linked))")
            }
        }

        // The partnerId must be active when the user signed up (or, without a signup, now).
        let carried = signup?.partnerId ?? partnerId
        let userRowId = try state.peekId(UserRecord.tableName)
        let decision = try carried.map { carried in
            try decide(
                userRowId: userRowId, isNewUser: true, partnerId: carried, activeAt: signup?.submittedAt ?? at,
                via: signup != nil ? .signup : .creation, signupRowId: signup?.id,
                linkRowId: try signup?.clickRowId.flatMap { try state.click(id: $0)?.linkRowId },
                requireNeverAttributed: true)
        }

        // Everything is checked: change the state.
        let user = UserRecord(
            id: try state.nextId(UserRecord.tableName), brokerId: brokerId, userId: userId, brokerName: step.brokerName,
            createdAt: at, eventSeq: seq)
        state.create(user)
        if var completed = signup {
            completed.userRowId = user.id
            state.save(completed)
        }
        if var linked = partner {
            linked.userRowId = user.id
            state.save(linked)
        }
        var members: [(String, JSONValue)] = [("userId", .integer(userId))]
        if let crmPartnerRef {
            members.append(("crmPartnerRef", .string(crmPartnerRef)))
        }
        guard let decision else {
            return .decision("CREATED", members)
        }
        try record(decision)
        return .decision(decision.outcome.rawValue, members + decision.members)
    }

    /// `account.linked`: a trading account joins a user. Linking it again to the same user is a no-op.
    func linkAccount(userId: Int64, ctidTraderAccountId: Int64, traderLogin: Int64?) throws -> JSONValue {
        let user = try user(userId)
        let members: [(String, JSONValue)] = [("userId", .integer(userId)), ("ctidTraderAccountId", .integer(ctidTraderAccountId))]
        if var existing = try state.account(brokerId: brokerId, ctidTraderAccountId: ctidTraderAccountId) {
            guard existing.userRowId == user.id else {
                throw LedgerError(
                    .accountOwnedByOtherUser, field: "ctidTraderAccountId",
                    "trading account \(ctidTraderAccountId) belongs to user \(try self.userId(ofRow: existing.userRowId))")
            }
            if let traderLogin, traderLogin != existing.traderLogin {
                existing.traderLogin = traderLogin
                state.save(existing)
                return .decision("UPDATED", members + [("traderLogin", .integer(traderLogin))])
            }
            return .decision("UNCHANGED", members)
        }
        state.save(AccountRecord(
            id: try state.nextId("traderAccount"), brokerId: brokerId, ctidTraderAccountId: ctidTraderAccountId,
            userRowId: user.id, traderLogin: traderLogin, linkedAt: at, eventSeq: seq), isNew: true)
        return .decision("LINKED", members)
    }
}
