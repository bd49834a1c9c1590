import LedgerStore

/// The rules of the ledger applied to one step: what it decides, and the rows it creates or
/// changes in its state (`RuleState`: the database's `LedgerState`, or `MemoryState`). The same
/// code decides for `record`, `ingest`, the replays of `verify` and `rebuild`, and the model test.
///
/// Every rule checks all that can reject the step (throwing `LedgerError`) before it changes the
/// state, so a rejected step changes nothing.
struct StepRules<State: RuleState> {
    let state: State
    let broker: BrokerRecord
    let step: Step
    let seq: Int64

    var brokerId: Int64 { broker.id }
    var at: Int64 { step.at.milliseconds }

    /// Decides the step; returns the decision recorded with its event.
    func apply() throws -> JSONValue {
        switch step.body {
        case .brokerConfigured(let days):
            return configureBroker(guaranteedAttributionDays: days)
        case .partnerRegistered(let ref, let userId, let accountId):
            return try registerPartner(crmPartnerRef: ref, userId: userId, ctidTraderAccountId: accountId)
        case .userCreated(let userId, let signupId, let partnerId, let ref):
            return try createUser(userId: userId, signupId: signupId, partnerId: partnerId, crmPartnerRef: ref)
        case .accountLinked(let userId, let accountId, let login):
            return try linkAccount(userId: userId, ctidTraderAccountId: accountId, traderLogin: login)
        case .referralSet(let partnerId, let holder, let ref):
            return try setReferral(partnerId: partnerId, holder: holder, crmPartnerRef: ref)
        case .referralDeleted(let userId, let accountId):
            return try deleteReferral(userId: userId, ctidTraderAccountId: accountId)
        case .linkIssued(let linkId, let partnerId, let url):
            return try createLink(linkId: linkId, kind: .referral, partnerId: partnerId, url: url, target: nil)
        case .linkGenerated(let linkId, let partnerId, let url, let target):
            return try createLink(linkId: linkId, kind: .share, partnerId: partnerId, url: url, target: target)
        case .linkClicked(let partnerId, let linkId, let visitorId):
            return try recordClick(partnerId: partnerId, linkId: linkId, visitorId: visitorId)
        case .signupSubmitted(let signupId, let partnerId, let visitorId):
            return try submitSignup(signupId: signupId, partnerId: partnerId, visitorId: visitorId)
        case .inviteReceived(let invited, let partnerUser, let brokerPartnerId):
            return try receiveInvite(invitedUserId: invited, partnerUserId: partnerUser, brokerPartnerId: brokerPartnerId)
        case .attributionReassigned(let userId, let partnerId, let reason, let operatorName, let force):
            return try reassign(userId: userId, partnerId: partnerId, reason: reason, operator: operatorName, force: force)
        }
    }

    // MARK: - Lookups that reject what earlier steps did not create

    func user(_ userId: Int64, field: String = "userId") throws -> UserRecord {
        guard let user = try state.user(brokerId: brokerId, userId: userId) else {
            throw LedgerError(.unknownUser, field: field, "no user \(userId) in broker \(broker.brokerCrmName)")
        }
        return user
    }

    func account(_ accountId: Int64, field: String = "ctidTraderAccountId") throws -> AccountRecord {
        guard let account = try state.account(brokerId: brokerId, ctidTraderAccountId: accountId) else {
            throw LedgerError(
                .unknownAccount, field: field, "no trading account \(accountId) in broker \(broker.brokerCrmName)")
        }
        return account
    }

    func partner(_ crmPartnerRef: String) throws -> PartnerRecord {
        guard let partner = try state.partner(brokerId: brokerId, crmPartnerRef: crmPartnerRef) else {
            throw LedgerError(
                .unknownPartner, field: "crmPartnerRef",
                "no partner \(FieldReader.quote(crmPartnerRef)) registered in broker \(broker.brokerCrmName)")
        }
        return partner
    }

    func holder(_ partnerId: String, field: String = "partnerId") throws -> HolderRecord {
        guard let holder = try state.holder(brokerId: brokerId, partnerId: partnerId) else {
            throw LedgerError(
                .unknownPartnerId, field: field,
                "partnerId \(FieldReader.quote(partnerId)) was never assigned in broker \(broker.brokerCrmName)")
        }
        return holder
    }

    /// The cTID user id of a user row.
    func userId(ofRow rowId: Int64) throws -> Int64 {
        guard let user = try state.user(id: rowId) else {
            throw LedgerError(.notFound, "user row \(rowId) is missing: run `invite-ledger verify`")
        }
        return user.userId
    }

    /// Refuses a partnerId that is not active at `time` (the step's `at` unless given).
    func requireActive(_ holder: HolderRecord, at time: Int64? = nil) throws {
        guard try state.coveringAssignment(holderRowId: holder.id, at: time ?? at) != nil else {
            throw LedgerError(
                .partnerIdInactive, field: "partnerId",
                "partnerId \(FieldReader.quote(holder.partnerId)) is not active at \(step.at.rfc3339)")
        }
    }

    /// The members every holder description shares: partnerId, partnerUserId, level, account.
    func describe(holder: HolderRecord) throws -> [(String, JSONValue)] {
        var members: [(String, JSONValue)] = [
            ("partnerId", .string(holder.partnerId)),
            ("partnerUserId", .integer(try userId(ofRow: holder.userRowId))),
            ("level", .string(holder.level.rawValue)),
        ]
        if let accountRowId = holder.accountRowId, let account = try state.account(id: accountRowId) {
            members.append(("partnerCtidTraderAccountId", .integer(account.ctidTraderAccountId)))
        }
        return members
    }
}

extension JSONValue {
    /// `{"result": result, ...members}`.
    static func decision(_ result: String, _ members: [(String, JSONValue)] = []) -> JSONValue {
        .object([("result", .string(result))] + members)
    }
}
