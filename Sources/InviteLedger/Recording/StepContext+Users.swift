import LedgerStore

extension StepContext {
    /// `user.created`: the user creation flow completed. Decides the attribution when the signup
    /// (or the creation request) carried a partnerId.
    func createUser(userId: Int64, signupId: String?, partnerId: String?, crmPartnerRef: String?) throws -> JSONValue {
        if let existing = try UserRecord.fetch(db, brokerId: brokerId, userId: userId) {
            throw LedgerError(
                .duplicateUser, field: "userId", "user \(userId) already exists (seq \(existing.eventSeq))")
        }
        var signup: SignupRecord?
        if let signupId {
            guard let found = try SignupRecord.fetch(db, brokerId: brokerId, signupId: signupId) else {
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
        let userRowId = try UserRecord.insert(
            db, brokerId: brokerId, userId: userId, brokerName: step.brokerName, createdAt: at, eventSeq: seq)
        if let signup {
            try SignupRecord.complete(db, id: signup.id, userRowId: userRowId)
        }
        if let partner {
            try PartnerRecord.linkUser(db, id: partner.id, userRowId: userRowId)
        }
        var members: [(String, JSONValue)] = [("userId", .integer(userId))]
        if let crmPartnerRef {
            members.append(("crmPartnerRef", .string(crmPartnerRef)))
        }
        guard let carried = signup?.partnerId ?? partnerId else {
            return .decision("CREATED", members)
        }
        // The partnerId must be active when the user signed up (or, without a signup, now).
        let checkedAt = signup?.submittedAt ?? at
        let linkRowId = try signup?.clickRowId.flatMap { try ClickRecord.fetch(db, id: $0)?.linkRowId }
        let decision = try decide(
            userRowId: userRowId, partnerId: carried, activeAt: checkedAt, via: signup != nil ? .signup : .creation,
            signupRowId: signup?.id, linkRowId: linkRowId, requireNeverAttributed: true)
        return .decision(decision.outcome.rawValue, members + decision.members)
    }

    /// `account.linked`: a trading account joins a user. Linking it again to the same user is a no-op.
    func linkAccount(userId: Int64, ctidTraderAccountId: Int64, traderLogin: Int64?) throws -> JSONValue {
        let user = try user(userId)
        let members: [(String, JSONValue)] = [("userId", .integer(userId)), ("ctidTraderAccountId", .integer(ctidTraderAccountId))]
        if let existing = try AccountRecord.fetch(db, brokerId: brokerId, ctidTraderAccountId: ctidTraderAccountId) {
            guard existing.userRowId == user.id else {
                throw LedgerError(
                    .accountOwnedByOtherUser, field: "ctidTraderAccountId",
                    "trading account \(ctidTraderAccountId) belongs to user \(try self.userId(ofRow: existing.userRowId))")
            }
            if let traderLogin, traderLogin != existing.traderLogin {
                try AccountRecord.updateTraderLogin(db, id: existing.id, traderLogin: traderLogin)
                return .decision("UPDATED", members + [("traderLogin", .integer(traderLogin))])
            }
            return .decision("UNCHANGED", members)
        }
        _ = try AccountRecord.insert(
            db, brokerId: brokerId, ctidTraderAccountId: ctidTraderAccountId, userRowId: user.id,
            traderLogin: traderLogin, linkedAt: at, eventSeq: seq)
        return .decision("LINKED", members)
    }
}
