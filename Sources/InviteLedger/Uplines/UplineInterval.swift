/// One level of a user's upline over an interval of time: from `validFrom` until `validTo`, the
/// user's level-`level` partner was `partnerUserId`, reached through `partnerId`. A new interval
/// begins at every change of the path to that level: an attribution, reassignment or detachment
/// of the user or of anyone between it and that partner.
public struct UplineInterval: Sendable, Equatable {
    public var userId: Int64
    /// 1 for the user's own partner, 2 for that partner's partner, ...
    public var level: Int
    public var partnerUserId: Int64
    /// The partnerId the level below was attributed through.
    public var partnerId: String?
    /// The trading account holding that partnerId, for an account-level partnerId.
    public var partnerCtidTraderAccountId: Int64?
    public var validFrom: Timestamp
    /// Nil while current.
    public var validTo: Timestamp?
    /// The event whose change began the interval.
    public var openedSeq: Int64
    public var openedStep: String
    /// The event whose change ended it; nil while current.
    public var closedSeq: Int64?
    public var closedStep: String?

    public init(
        userId: Int64, level: Int, partnerUserId: Int64, partnerId: String?, partnerCtidTraderAccountId: Int64?,
        validFrom: Timestamp, validTo: Timestamp?, openedSeq: Int64, openedStep: String, closedSeq: Int64?,
        closedStep: String?
    ) {
        self.userId = userId
        self.level = level
        self.partnerUserId = partnerUserId
        self.partnerId = partnerId
        self.partnerCtidTraderAccountId = partnerCtidTraderAccountId
        self.validFrom = validFrom
        self.validTo = validTo
        self.openedSeq = openedSeq
        self.openedStep = openedStep
        self.closedSeq = closedSeq
        self.closedStep = closedStep
    }
}
