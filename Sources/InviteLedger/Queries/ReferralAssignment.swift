import LedgerStore

/// The current partnerId of a user or a trading account: the answer of
/// `GET /oauth2/ctid/referral`.
public struct ReferralAssignment: Sendable, Equatable {
    public var brokerCrmName: String
    public var partnerId: String
    /// `user` or `account`.
    public var level: String
    /// The user holding the partnerId: for an account, the account's owner.
    public var userId: Int64
    public var ctidTraderAccountId: Int64?
    public var since: Timestamp
    /// The CRM partner the assignment was made for, when given.
    public var crmPartnerRef: String?
}

extension SubjectReference {
    /// The command-line option that names it.
    var field: String {
        switch self {
        case .userId: "--user-id"
        case .accountId: "--account-id"
        }
    }
}
