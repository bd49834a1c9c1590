/// A row of `attribution`: one attribution decision. Accepted ones are the edges of the tree.
public struct AttributionRecord: Sendable, Equatable {
    /// The decision. The first two make an edge; the others are recorded but change nothing.
    public enum Outcome: String, Sendable, CaseIterable, DatabaseValueConvertible {
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
    public enum Via: String, Sendable, DatabaseValueConvertible {
        /// `user.created` completing a signup that carried a partnerId.
        case signup
        /// `user.created` carrying a partnerId itself.
        case creation
        /// `invite.received`, cTrader's attribution webhook.
        case invite
        /// `attribution.reassigned`, broker support.
        case reassignment
    }

    public var id: Int64 = 0
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
    public var validTo: Int64? = nil
    public var forced = false
    public var reason: String? = nil
    public var `operator`: String? = nil
    public var eventSeq: Int64

    public init(
        brokerId: Int64, userRowId: Int64, outcome: Outcome, via: Via, partnerId: String?, holderRowId: Int64?,
        parentRowId: Int64?, accountRowId: Int64?, signupRowId: Int64?, linkRowId: Int64?, decidedAt: Int64,
        forced: Bool = false, reason: String? = nil, operator: String? = nil, eventSeq: Int64
    ) {
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
        self.forced = forced
        self.reason = reason
        self.operator = `operator`
        self.eventSeq = eventSeq
    }

    static let columns = """
        id, brokerId, userRowId, outcome, via, partnerId, holderRowId, parentRowId, accountRowId, signupRowId, \
        linkRowId, decidedAt, validTo, forced, reason, operator, eventSeq
        """

    private static let selectCurrent = """
        SELECT \(columns) FROM attribution
        WHERE userRowId = ? AND validTo IS NULL AND outcome IN ('ATTRIBUTED', 'REASSIGNED')
        """

    private static let selectEdgeAt = """
        SELECT \(columns) FROM attribution
        WHERE userRowId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED') AND decidedAt <= ?
          AND (validTo IS NULL OR validTo > ?)
        ORDER BY decidedAt DESC, id DESC LIMIT 1
        """

    private static let selectAll = "SELECT \(columns) FROM attribution WHERE userRowId = ? ORDER BY decidedAt, id"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        brokerId = try row.required(1)
        userRowId = try row.required(2)
        outcome = try row.required(3)
        via = try row.required(4)
        partnerId = row[5]
        holderRowId = row[6]
        parentRowId = row[7]
        accountRowId = row[8]
        signupRowId = row[9]
        linkRowId = row[10]
        decidedAt = try row.required(11)
        validTo = row[12]
        forced = try row.required(13)
        reason = row[14]
        self.operator = row[15]
        eventSeq = try row.required(16)
    }

    /// The user's current edge: accepted and not ended.
    public static func fetchCurrent(_ db: Database, userRowId: Int64) throws -> AttributionRecord? {
        try db.cachedStatement(sql: Self.selectCurrent).fetchFirst(arguments: [userRowId]) { try AttributionRecord($0) }
    }

    /// The user's edge in force at `at` (decidedAt <= at < validTo).
    public static func fetchEdge(_ db: Database, userRowId: Int64, at: Int64) throws -> AttributionRecord? {
        try db.cachedStatement(sql: Self.selectEdgeAt).fetchFirst(arguments: [userRowId, at, at]) { try AttributionRecord($0) }
    }

    /// True when the user was ever attributed (an edge, current or ended).
    public static func hasEverBeenAttributed(_ db: Database, userRowId: Int64) throws -> Bool {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM attribution WHERE userRowId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED') LIMIT 1
            """), arguments: [userRowId]) != nil
    }

    /// Every decision about a user, oldest first.
    public static func fetchAll(_ db: Database, userRowId: Int64) throws -> [AttributionRecord] {
        var records: [AttributionRecord] = []
        try db.cachedStatement(sql: Self.selectAll)
            .forEachRow(arguments: [userRowId]) { records.append(try AttributionRecord($0)) }
        return records
    }

    /// Inserts the decision and returns its row id.
    @discardableResult
    public func insert(_ db: Database) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO attribution (brokerId, userRowId, outcome, via, partnerId, holderRowId, parentRowId,
                accountRowId, signupRowId, linkRowId, decidedAt, validTo, forced, reason, operator, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                brokerId, userRowId, outcome, via, partnerId, holderRowId, parentRowId,
                accountRowId, signupRowId, linkRowId, decidedAt, validTo, forced, reason, `operator`, eventSeq,
            ])
        return db.lastInsertedRowID
    }

    /// Ends an edge at `at`.
    public static func end(_ db: Database, id: Int64, at: Int64) throws {
        try db.cachedStatement(sql: "UPDATE attribution SET validTo = ? WHERE id = ? AND validTo IS NULL")
            .execute(arguments: [at, id])
    }
}
