import LedgerStore

extension StepRules {
    /// `broker.configured`: the guaranteed attribution period for later reassignments.
    func configureBroker(guaranteedAttributionDays days: Int64) -> JSONValue {
        guard days != broker.guaranteedAttributionDays else {
            return .decision("UNCHANGED", [("guaranteedAttributionDays", .integer(days))])
        }
        var changed = broker
        changed.guaranteedAttributionDays = days
        state.save(changed)
        return .decision("CONFIGURED", [
            ("guaranteedAttributionDays", .integer(days)),
            ("previousGuaranteedAttributionDays", .integer(broker.guaranteedAttributionDays)),
        ])
    }

    /// `partner.registered`: a CRM partner, with the cTID user or account it already has.
    func registerPartner(crmPartnerRef: String, userId: Int64?, ctidTraderAccountId: Int64?) throws -> JSONValue {
        if let existing = try state.partner(brokerId: brokerId, crmPartnerRef: crmPartnerRef) {
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
        var members: [(String, JSONValue)] = [("crmPartnerRef", .string(crmPartnerRef))]
        if let userRowId {
            members.append(("userId", .integer(try self.userId(ofRow: userRowId))))
        }
        state.save(PartnerRecord(
            id: try state.nextId("partner"), brokerId: brokerId, crmPartnerRef: crmPartnerRef, userRowId: userRowId,
            accountRowId: accountRowId, registeredAt: at, eventSeq: seq), isNew: true)
        return .decision("REGISTERED", members)
    }

    /// A user is at most one CRM partner.
    func requireNotYetPartner(_ userRowId: Int64, field: String) throws {
        if let other = try state.partner(userRowId: userRowId) {
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
        var partner: PartnerRecord?
        if let crmPartnerRef {
            let found = try self.partner(crmPartnerRef)
            if let linked = found.userRowId, linked != userRowId {
                throw LedgerError(
                    .partnerAlreadyLinked, field: "crmPartnerRef",
                    "partner \(FieldReader.quote(crmPartnerRef)) is user \(try userId(ofRow: linked)), not the holder")
            }
            if found.userRowId == nil {
                try requireNotYetPartner(userRowId, field: "crmPartnerRef")
            }
            partner = found
        }

        // A partnerId belongs to one holder for ever.
        let existing = try state.holder(brokerId: brokerId, partnerId: partnerId)
        if let existing, existing.level != level || existing.userRowId != userRowId || existing.accountRowId != accountRowId {
            throw LedgerError(
                .partnerIdTaken, field: "partnerId",
                "partnerId \(FieldReader.quote(partnerId)) belongs to \(try describeOwner(existing)) (seq \(existing.eventSeq))")
        }
        let active = try accountRowId.map { try state.activeAssignment(accountRowId: $0) }
            ?? state.activeAssignment(userRowId: userRowId)
        var members: [(String, JSONValue)] = [("partnerId", .string(partnerId)), answer]
        if let active {
            if let existing, active.holderRowId == existing.id {
                linkPartner(partner, to: userRowId)
                return .decision("UNCHANGED", members)
            }
            if let previous = try state.holder(id: active.holderRowId) {
                members.append(("previousPartnerId", .string(previous.partnerId)))
            }
        }

        try requireSlotOrder(userRowId: userRowId, accountRowId: accountRowId)

        // Everything is checked: change the state.
        linkPartner(partner, to: userRowId)
        var result = "ASSIGNED"
        if var ended = active {
            ended.validTo = at
            ended.endEventSeq = seq
            state.save(ended)
            result = "REPLACED"
        }
        let holder: HolderRecord
        if let existing {
            holder = existing
        } else {
            holder = HolderRecord(
                id: try state.nextId("partnerIdHolder"), brokerId: brokerId, partnerId: partnerId, level: level,
                userRowId: userRowId, accountRowId: accountRowId, eventSeq: seq)
            state.create(holder)
        }
        state.save(AssignmentRecord(
            id: try state.nextId("partnerIdAssignment"), holderRowId: holder.id, level: holder.level,
            userRowId: holder.userRowId, accountRowId: holder.accountRowId, partnerRowId: partner?.id, validFrom: at,
            validTo: nil, eventSeq: seq, endEventSeq: nil), isNew: true)
        return .decision(result, members)
    }

    /// Refuses (`INVALID_FIELD` on `at`) a change of a holder's slot (a user's user level, or one
    /// trading account) dated before the slot's last change: the partnerIds of one slot follow
    /// each other, they never overlap, whatever was deleted or taken back in between.
    func requireSlotOrder(userRowId: Int64, accountRowId: Int64?) throws {
        var latest: Int64?
        for holder in try state.holders(userRowId: userRowId) where holder.accountRowId == accountRowId {
            for assignment in try state.assignments(holderRowId: holder.id) {
                latest = max(latest ?? .min, assignment.validFrom, assignment.validTo ?? .min)
            }
        }
        guard let latest, at < latest else { return }
        let slot = try accountRowId.flatMap { try state.account(id: $0) }.map { "trading account \($0.ctidTraderAccountId)" }
            ?? "user \(try userId(ofRow: userRowId)) (user level)"
        throw LedgerError(
            .invalidField, field: "at",
            "at \(step.at.rfc3339) is before \(Timestamp(milliseconds: latest).rfc3339), when the partnerId of \(slot) last changed: partnerIds of one holder cannot overlap")
    }

    /// Links a CRM partner without a cTID user to the holder's user.
    private func linkPartner(_ partner: PartnerRecord?, to userRowId: Int64) {
        guard var partner, partner.userRowId == nil else { return }
        partner.userRowId = userRowId
        state.save(partner)
    }

    private func describeOwner(_ holder: HolderRecord) throws -> String {
        let userId = try userId(ofRow: holder.userRowId)
        if let accountRowId = holder.accountRowId, let account = try state.account(id: accountRowId) {
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
            active = try state.activeAssignment(accountRowId: account.id)
            members.append(("ctidTraderAccountId", .integer(ctidTraderAccountId)))
        } else {
            active = try state.activeAssignment(userRowId: user.id)
        }
        guard var active, let holder = try state.holder(id: active.holderRowId) else {
            let what = ctidTraderAccountId.map { "trading account \($0)" } ?? "user \(userId) (user level)"
            throw LedgerError(.notFound, field: ctidTraderAccountId == nil ? "userId" : "ctidTraderAccountId",
                              "\(what) has no partnerId to delete")
        }
        try requireSlotOrder(userRowId: user.id, accountRowId: active.accountRowId)
        active.validTo = at
        active.endEventSeq = seq
        state.save(active)
        return .decision("DELETED", [("partnerId", .string(holder.partnerId))] + members)
    }
}
