import LedgerStore

/// The partners above a user, nearest first.
public struct Upline: Sendable, Equatable {
    /// One partner above the user.
    public struct Level: Sendable, Equatable {
        /// 1 for the user's own partner, 2 for that partner's partner, ...
        public var level: Int64
        public var userId: Int64
        /// The partnerId the level below was attributed through.
        public var partnerId: String?
        /// The trading account holding that partnerId, for an account-level partnerId.
        public var partnerCtidTraderAccountId: Int64?
        /// When the level below was attributed to this partner.
        public var attributedAt: Timestamp
        public var crmPartnerRef: String?
    }

    public var brokerCrmName: String
    public var userId: Int64
    public var asOf: Timestamp?
    public var levels: [Level]
    /// Where a level's attribution row disagrees with the event it cites: empty
    /// when every level shown is what the log recorded.
    public var problems: [RowProblem] = []
}

extension QueryScope {
    /// Walks the edges up from a user: its partner, that partner's partner, ... Each edge is
    /// checked against the event it cites; what disagrees is added to `problems`.
    func upline(of userRowId: Int64, asOf: Int64?, problems: inout [RowProblem]) throws -> [Upline.Level] {
        var levels: [Upline.Level] = []
        var seen: Set<Int64> = [userRowId]
        var current = userRowId
        let evidence = Evidence(scope: self)
        while let edge = try edge(of: current, asOf: asOf), let parentRowId = edge.parentRowId {
            let child = try userRow(current)
            problems += try asOf == nil
                ? evidence.problems(ofCurrent: edge, user: child) : evidence.problems(of: edge, user: child)
            guard seen.insert(parentRowId).inserted else {
                throw LedgerError(.cycle, "the tree has a cycle through user row \(parentRowId): run `invite-ledger verify`")
            }
            let parent = try userRow(parentRowId)
            levels.append(Upline.Level(
                level: Int64(levels.count + 1), userId: parent.userId, partnerId: edge.partnerId,
                partnerCtidTraderAccountId: try edge.accountRowId.flatMap {
                    try AccountRecord.fetch(db, id: $0)?.ctidTraderAccountId
                },
                attributedAt: Timestamp(milliseconds: edge.decidedAt),
                crmPartnerRef: try PartnerRecord.fetch(db, userRowId: parentRowId)?.crmPartnerRef))
            current = parentRowId
        }
        return levels
    }
}
