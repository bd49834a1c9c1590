/// One flow step, decoded and validated: what happened, to whom, when, plus its canonical bytes.
///
/// Build one with `Step(json:)`; the ledger records it with `Ledger.record(_:)`.
public struct Step: Sendable, Equatable {
    /// The step names of the Invite flows, plus `broker.configured` (Steps.md).
    public enum Kind: String, Sendable, CaseIterable {
        case brokerConfigured = "broker.configured"
        case partnerRegistered = "partner.registered"
        case userCreated = "user.created"
        case accountLinked = "account.linked"
        case referralSet = "referral.set"
        case referralDeleted = "referral.deleted"
        case linkIssued = "link.issued"
        case linkGenerated = "link.generated"
        case linkClicked = "link.clicked"
        case signupSubmitted = "signup.submitted"
        case inviteReceived = "invite.received"
        case attributionReassigned = "attribution.reassigned"
    }

    /// The fields particular to each kind of step.
    public enum Body: Sendable, Equatable {
        case brokerConfigured(guaranteedAttributionDays: Int64)
        case partnerRegistered(crmPartnerRef: String, userId: Int64?, ctidTraderAccountId: Int64?)
        case userCreated(userId: Int64, signupId: String?, partnerId: String?, crmPartnerRef: String?)
        case accountLinked(userId: Int64, ctidTraderAccountId: Int64, traderLogin: Int64?)
        case referralSet(partnerId: String, holder: Holder, crmPartnerRef: String?)
        case referralDeleted(userId: Int64, ctidTraderAccountId: Int64?)
        case linkIssued(linkId: String, partnerId: String, url: String)
        case linkGenerated(linkId: String, partnerId: String, url: String, target: String?)
        case linkClicked(partnerId: String, linkId: String?, visitorId: String?)
        case signupSubmitted(signupId: String, partnerId: String?, visitorId: String?)
        case inviteReceived(invitedUserId: Int64, partnerUserId: Int64, brokerPartnerId: String?)
        case attributionReassigned(userId: Int64, partnerId: String?, reason: String, operator: String, force: Bool)
    }

    /// Who a `referral.set` assigns the partnerId to: a user, or one trading account.
    public enum Holder: Sendable, Equatable {
        case user(Int64)
        case account(Int64)
    }

    public var kind: Kind
    public var eventId: String
    public var brokerCrmName: String
    public var at: Timestamp
    public var brokerName: String?
    public var body: Body
    /// The step as canonical JSON: the bytes that are stored, compared for idempotency and hashed.
    public var payload: String
}
