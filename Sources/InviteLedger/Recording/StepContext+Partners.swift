import LedgerStore

extension StepContext {
    /// `broker.configured`: the guaranteed attribution period for later reassignments.
    func configureBroker(guaranteedAttributionDays days: Int64) throws -> JSONValue {
        guard days != broker.guaranteedAttributionDays else {
            return .decision("UNCHANGED", [("guaranteedAttributionDays", .integer(days))])
        }
        try BrokerRecord.updateGuaranteedAttributionDays(db, id: brokerId, days: days)
        return .decision("CONFIGURED", [
            ("guaranteedAttributionDays", .integer(days)),
            ("previousGuaranteedAttributionDays", .integer(broker.guaranteedAttributionDays)),
        ])
    }

    /// `partner.registered`: a CRM partner, with the cTID user or account it already has.
    func registerPartner(crmPartnerRef: String, userId: Int64?, ctidTraderAccountId: Int64?) throws -> JSONValue {
        if let existing = try PartnerRecord.fetch(db, brokerId: brokerId, crmPartnerRef: crmPartnerRef) {
            throw LedgerError(
                .duplicatePartner, field: "crmPartnerRef",
                "partner \(FieldReader.quote(crmPartnerRef)) is already registered (seq \(existing.eventSeq))")
        }
        var userRowId: Int64?
        var accountRowId: Int64?
        if let userId {
            userRowId = try user(userId).id
        } else if let ctidTraderAccountId {
            let account = try account(ctidTraderAccountId)
            accountRowId = account.id
            userRowId = account.userRowId
        }
        if let userRowId {
            try requireNotYetPartner(userRowId, field: userId != nil ? "userId" : "ctidTraderAccountId")
        }
        _ = try PartnerRecord.insert(
            db, brokerId: brokerId, crmPartnerRef: crmPartnerRef, userRowId: userRowId, accountRowId: accountRowId,
            registeredAt: at, eventSeq: seq)
        var members: [(String, JSONValue)] = [("crmPartnerRef", .string(crmPartnerRef))]
        if let userRowId {
            members.append(("userId", .integer(try self.userId(ofRow: userRowId))))
        }
        return .decision("REGISTERED", members)
    }

    /// A user is at most one CRM partner.
    func requireNotYetPartner(_ userRowId: Int64, field: String) throws {
        if let other = try PartnerRecord.fetch(db, userRowId: userRowId) {
            throw LedgerError(
                .partnerAlreadyLinked, field: field,
                "user \(try userId(ofRow: userRowId)) is already partner \(FieldReader.quote(other.crmPartnerRef))")
        }
    }

    /// `referral.set` (PUT /oauth2/ctid/referral): assigns a partnerId to a user or an account.
    func setReferral(partnerId: String, holder target: Step.Holder, crmPartnerRef: String?) throws -> JSONValue {
        let level: HolderRecord.Level
        let userRowId: Int64
        var accountRowId: Int64?
        var answer: (String, JSONValue)
        switch target {
        case .user(let userId):
            level = .user
            userRowId = try user(userId).id
            answer = ("userId", .integer(userId))
        case .account(let accountId):
            let account = try account(accountId)
            level = .account
            userRowId = account.userRowId
            accountRowId = account.id
            answer = ("ctidTraderAccountId", .integer(accountId))
        }
        var partnerRowId: Int64?
        if let crmPartnerRef {
            let partner = try partner(crmPartnerRef)
            if let linked = partner.userRowId, linked != userRowId {
                throw LedgerError(
                    .partnerAlreadyLinked, field: "crmPartnerRef",
                    "partner \(FieldReader.quote(crmPartnerRef)) is user \(try userId(ofRow: linked)), not the holder")
            }
            if partner.userRowId == nil {
                try requireNotYetPartner(userRowId, field: "crmPartnerRef")
                try PartnerRecord.linkUser(db, id: partner.id, userRowId: userRowId)
            }
            partnerRowId = partner.id
        }

        // A partnerId belongs to one holder for ever.
        let existing = try HolderRecord.fetch(db, brokerId: brokerId, partnerId: partnerId)
        if let existing, existing.level != level || existing.userRowId != userRowId || existing.accountRowId != accountRowId {
            throw LedgerError(
                .partnerIdTaken, field: "partnerId",
                "partnerId \(FieldReader.quote(partnerId)) belongs to \(try describeOwner(existing)) (seq \(existing.eventSeq))")
        }
        let active = try accountRowId.map { try AssignmentRecord.fetchActive(db, accountRowId: $0) }
            ?? AssignmentRecord.fetchActive(db, userRowId: userRowId)
        if let active, let existing, active.holderRowId == existing.id {
            return .decision("UNCHANGED", [("partnerId", .string(partnerId)), answer])
        }
        var members: [(String, JSONValue)] = [("partnerId", .string(partnerId)), answer]
        var result = "ASSIGNED"
        if let active {
            try requireNotBefore(active.validFrom, "the start of the partnerId it replaces")
            try AssignmentRecord.end(db, id: active.id, at: at, eventSeq: seq)
            if let previous = try HolderRecord.fetch(db, id: active.holderRowId) {
                members.append(("previousPartnerId", .string(previous.partnerId)))
            }
            result = "REPLACED"
        }
        let holder: HolderRecord
        if let existing {
            holder = existing
        } else {
            let id = try HolderRecord.insert(
                db, brokerId: brokerId, partnerId: partnerId, level: level, userRowId: userRowId,
                accountRowId: accountRowId, eventSeq: seq)
            holder = HolderRecord(
                id: id, brokerId: brokerId, partnerId: partnerId, level: level, userRowId: userRowId,
                accountRowId: accountRowId, eventSeq: seq)
        }
        _ = try AssignmentRecord.insert(db, holder: holder, partnerRowId: partnerRowId, validFrom: at, eventSeq: seq)
        return .decision(result, members)
    }

    private func describeOwner(_ holder: HolderRecord) throws -> String {
        let userId = try userId(ofRow: holder.userRowId)
        if let accountRowId = holder.accountRowId, let account = try AccountRecord.fetch(db, id: accountRowId) {
            return "trading account \(account.ctidTraderAccountId) of user \(userId)"
        }
        return "user \(userId)"
    }

    /// `referral.deleted` (DELETE /oauth2/ctid/referral): ends the user-level assignment, or the
    /// account's when `ctidTraderAccountId` is given. Referrals already attributed stay.
    func deleteReferral(userId: Int64, ctidTraderAccountId: Int64?) throws -> JSONValue {
        let user = try user(userId)
        let active: AssignmentRecord?
        var members: [(String, JSONValue)] = [("userId", .integer(userId))]
        if let ctidTraderAccountId {
            let account = try account(ctidTraderAccountId)
            guard account.userRowId == user.id else {
                throw LedgerError(
                    .accountOwnedByOtherUser, field: "ctidTraderAccountId",
                    "trading account \(ctidTraderAccountId) belongs to user \(try self.userId(ofRow: account.userRowId)), not \(userId)")
            }
            active = try AssignmentRecord.fetchActive(db, accountRowId: account.id)
            members.append(("ctidTraderAccountId", .integer(ctidTraderAccountId)))
        } else {
            active = try AssignmentRecord.fetchActive(db, userRowId: user.id)
        }
        guard let active, let holder = try HolderRecord.fetch(db, id: active.holderRowId) else {
            let what = ctidTraderAccountId.map { "trading account \($0)" } ?? "user \(userId) (user level)"
            throw LedgerError(.notFound, field: ctidTraderAccountId == nil ? "userId" : "ctidTraderAccountId",
                              "\(what) has no partnerId to delete")
        }
        try requireNotBefore(active.validFrom, "the start of the partnerId it deletes")
        try AssignmentRecord.end(db, id: active.id, at: at, eventSeq: seq)
        return .decision("DELETED", [("partnerId", .string(holder.partnerId))] + members)
    }
}
