/// One referral in a partner's downline.
public struct Referral: Sendable, Equatable {
    /// 1 for a direct referral, 2 for a referral of a referral, ...
    public var level: Int64
    public var userId: Int64
    /// The partner the user is attributed to (the partner itself at level 1).
    public var parentUserId: Int64
    public var attributedAt: Timestamp
    /// The partnerId the attribution went through.
    public var partnerId: String?
    /// The trading account holding that partnerId, for an account-level partnerId.
    public var partnerCtidTraderAccountId: Int64?
    /// The link clicked before the signup, when known.
    public var linkId: String?
    /// How many trading accounts the user has linked.
    public var accounts: Int64
    public var brokerName: String?
}

/// A page of referrals, and where the next one starts.
public struct ReferralPage: Sendable, Equatable {
    public var brokerCrmName: String
    /// The partner whose downline this is.
    public var partnerUserId: Int64
    public var depth: Int64
    public var asOf: Timestamp?
    public var referrals: [Referral]
    /// Pass it as `after` for the next page; nil on the last page.
    public var nextCursor: String?
}

/// Counts per level of a partner's downline.
public struct ReferralStats: Sendable, Equatable {
    public var brokerCrmName: String
    public var partnerUserId: Int64
    public var asOf: Timestamp?
    /// `(level, count)` for each level that has referrals, in order.
    public var levels: [(level: Int64, count: Int64)]

    public var total: Int64 { levels.reduce(0) { $0 + $1.count } }

    public static func == (lhs: ReferralStats, rhs: ReferralStats) -> Bool {
        lhs.brokerCrmName == rhs.brokerCrmName && lhs.partnerUserId == rhs.partnerUserId && lhs.asOf == rhs.asOf
            && lhs.levels.elementsEqual(rhs.levels) { $0.level == $1.level && $0.count == $1.count }
    }
}
