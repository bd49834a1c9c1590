import LedgerStore

extension Ledger {
    /// The largest page `referrals` returns.
    public static let maximumPageSize = 10_000

    /// A page of a partner's referrals to `depth` levels, ordered by level, then attribution time,
    /// then userId.
    ///
    ///     var page = try ledger.referrals(of: .partnerId("ib-alice"), depth: 3, limit: 50)
    ///     while let cursor = page.nextCursor {
    ///         page = try ledger.referrals(of: .partnerId("ib-alice"), depth: 3, limit: 50, after: cursor)
    ///     }
    ///
    /// - Parameters:
    ///   - broker: the broker's `brokerCrmName`; may be nil when the ledger holds one broker.
    ///   - partner: the partner, by userId, account, partnerId or CRM reference.
    ///   - depth: the levels to include, from 1 (direct referrals); no upper bound.
    ///   - asOf: the tree as it stood at that time (from the validity intervals); nil for now.
    ///   - limit: rows per page, 1 to `maximumPageSize`.
    ///   - after: the `nextCursor` of the previous page.
    public func referrals(
        broker: String? = nil, of partner: PartnerReference, depth: Int64 = 1, asOf: Timestamp? = nil,
        limit: Int = 50, after: String? = nil
    ) throws -> ReferralPage {
        guard depth >= 1 else { throw LedgerError(.invalidField, field: "--depth", "depth must be at least 1, got \(depth)") }
        guard (1...Self.maximumPageSize).contains(limit) else {
            throw LedgerError(.invalidField, field: "--limit", "limit must be from 1 to \(Self.maximumPageSize), got \(limit)")
        }
        let position = try after.map(ReferralCursor.decode)
        return try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: broker)
            let node = try scope.node(of: partner)
            // One row more than asked tells whether there is a next page.
            let found = try LineageTable.page(
                db, of: node.id, maximumDepth: depth, asOf: asOf?.milliseconds, after: position, limit: limit + 1)
            let shown = found.prefix(limit)
            let referrals = try shown.map { try referral($0, scope: scope, asOf: asOf?.milliseconds) }
            var nextCursor: String?
            if found.count > limit, let last = shown.last {
                nextCursor = ReferralCursor.encode(.init(depth: last.depth, attributedAt: last.attributedAt, userId: last.userId))
            }
            return ReferralPage(
                brokerCrmName: scope.broker.brokerCrmName, partnerUserId: node.userId, depth: depth, asOf: asOf,
                referrals: referrals, nextCursor: nextCursor)
        }
    }

    private func referral(_ row: LineageTable.Descendant, scope: QueryScope, asOf: Int64?) throws -> Referral {
        let db = scope.db
        let user = try scope.userRow(row.rowId)
        let edge = try scope.edge(of: row.rowId, asOf: asOf)
        var parentUserId: Int64 = 0
        var partnerCtidTraderAccountId: Int64?
        var linkId: String?
        if let edge {
            if let parent = edge.parentRowId {
                parentUserId = try scope.userRow(parent).userId
            }
            if let accountRowId = edge.accountRowId {
                partnerCtidTraderAccountId = try AccountRecord.fetch(db, id: accountRowId)?.ctidTraderAccountId
            }
            if let linkRowId = edge.linkRowId {
                linkId = try LinkRecord.fetch(db, id: linkRowId)?.linkId
            }
        }
        return Referral(
            level: row.depth, userId: row.userId, parentUserId: parentUserId,
            attributedAt: Timestamp(milliseconds: row.attributedAt), partnerId: edge?.partnerId,
            partnerCtidTraderAccountId: partnerCtidTraderAccountId, linkId: linkId,
            accounts: try AccountRecord.count(db, userRowId: row.rowId), brokerName: user.brokerName)
    }

    /// How many referrals a partner has at each level (all levels, or to `depth`), now or as of
    /// a time.
    public func stats(
        broker: String? = nil, of partner: PartnerReference, depth: Int64? = nil, asOf: Timestamp? = nil
    ) throws -> ReferralStats {
        try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: broker)
            let node = try scope.node(of: partner)
            let counts = try LineageTable.countsPerDepth(
                db, of: node.id, maximumDepth: depth ?? Int64.max, asOf: asOf?.milliseconds)
            return ReferralStats(
                brokerCrmName: scope.broker.brokerCrmName, partnerUserId: node.userId, asOf: asOf,
                levels: counts.map { (level: $0.depth, count: $0.count) })
        }
    }
}
