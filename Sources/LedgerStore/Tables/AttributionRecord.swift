/// A row of `attribution`: one attribution decision. Accepted ones are the edges of the tree.
public struct AttributionRecord: TableRecord, Equatable {
    /// The decision. The first two make an edge; the others are recorded but change nothing.
    public enum Outcome: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
        case attributed = "ATTRIBUTED"
        case reassigned = "REASSIGNED"
        case detached = "DETACHED"
        case unknownPartnerId = "UNKNOWN_PARTNER_ID"
        case partnerIdInactive = "PARTNER_ID_INACTIVE"
        case selfReferral = "SELF_REFERRAL"
        case cycle = "CYCLE"
        case alreadyAttributed = "ALREADY_ATTRIBUTED"

        public var isEdge: Bool { self == .attributed || self == .reassigned }
    }

    /// The step that led to the decision.
    public enum Via: String, Sendable, Codable, CaseIterable, DatabaseValueConvertible {
        /// `user.created` completing a signup that carried a partnerId.
        case signup
        /// `user.created` carrying a partnerId itself.
        case creation
        /// `invite.received`, cTrader's attribution webhook.
        case invite
        /// `attribution.reassigned`, broker support.
        case reassignment
    }

    public var id: Int64
    public var brokerId: Int64
    public var userRowId: Int64
    public var outcome: Outcome
    public var via: Via
    public var partnerId: String?
    public var holderRowId: Int64?
    public var parentRowId: Int64?
    public var accountRowId: Int64?
    public var signupRowId: Int64?
    public var linkRowId: Int64?
    public var decidedAt: Int64
    public var validTo: Int64?
    public var forced: Bool
    public var reason: String?
    public var `operator`: String?
    public var eventSeq: Int64

    public init(
        id: Int64, brokerId: Int64, userRowId: Int64, outcome: Outcome, via: Via, partnerId: String?, holderRowId: Int64?,
        parentRowId: Int64?, accountRowId: Int64?, signupRowId: Int64?, linkRowId: Int64?, decidedAt: Int64,
        validTo: Int64? = nil, forced: Bool = false, reason: String? = nil, operator: String? = nil, eventSeq: Int64
    ) {
        self.id = id
        self.brokerId = brokerId
        self.userRowId = userRowId
        self.outcome = outcome
        self.via = via
        self.partnerId = partnerId
        self.holderRowId = holderRowId
        self.parentRowId = parentRowId
        self.accountRowId = accountRowId
        self.signupRowId = signupRowId
        self.linkRowId = linkRowId
        self.decidedAt = decidedAt
        self.validTo = validTo
        self.forced = forced
        self.reason = reason
        self.operator = `operator`
        self.eventSeq = eventSeq
    }

    /// Read by position: a query reads one per referral (see `TableRecord`).
    public init(row: Statement.Columns) throws {
        self.init(
            id: try row.required(0), brokerId: try row.required(1), userRowId: try row.required(2),
            outcome: try row.required(3), via: try row.required(4), partnerId: try row.optional(5),
            holderRowId: try row.optional(6), parentRowId: try row.optional(7), accountRowId: try row.optional(8),
            signupRowId: try row.optional(9), linkRowId: try row.optional(10), decidedAt: try row.required(11),
            validTo: try row.optional(12), forced: try row.required(13), reason: try row.optional(14),
            operator: try row.optional(15), eventSeq: try row.required(16))
    }

    /// Written by position: a build writes every decision (see `InsertableRecord`).
    public func encode(to row: inout StatementBinder) {
        row.bind(
            id, brokerId, userRowId, outcome, via, partnerId, holderRowId, parentRowId, accountRowId, signupRowId,
            linkRowId, decidedAt, validTo, forced, reason, `operator`, eventSeq)
    }

    public static let tableName = "attribution"

    private static let selectCurrent = select(where: """
        userRowId = ? AND validTo IS NULL AND outcome IN ('ATTRIBUTED', 'REASSIGNED')
        """)
    private static let selectEdgeAt = select(where: """
        userRowId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED') AND decidedAt <= ? AND (validTo IS NULL OR validTo > ?)
        ORDER BY decidedAt DESC, id DESC LIMIT 1
        """)
    private static let selectByUser = select(where: "userRowId = ? ORDER BY decidedAt, id")

    /// The user's current edge: accepted and not ended.
    public static func fetchCurrent(_ db: Database, userRowId: Int64) throws -> AttributionRecord? {
        try fetchFirst(db, sql: selectCurrent, userRowId)
    }

    /// The user's edge in force at `at` (decidedAt <= at < validTo).
    public static func fetchEdge(_ db: Database, userRowId: Int64, at: Int64) throws -> AttributionRecord? {
        try fetchFirst(db, sql: selectEdgeAt, userRowId, at, at)
    }

    /// True when the user was ever attributed (an edge, current or ended).
    public static func hasEverBeenAttributed(_ db: Database, userRowId: Int64) throws -> Bool {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM attribution WHERE userRowId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED') LIMIT 1
            """), arguments: [userRowId]) != nil
    }

    /// When the user's partner last changed: the latest attribution, reassignment or detachment
    /// of the user (an edge ends only at the decision that ends it). Nil when it never had one.
    public static func lastPlaceChange(_ db: Database, userRowId: Int64) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT max(decidedAt) FROM attribution
            WHERE userRowId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED', 'DETACHED')
            """), arguments: [userRowId])
    }

    /// Every decision about a user, oldest first.
    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [AttributionRecord] {
        try fetchAll(db, sql: selectByUser, userRowId)
    }
}
