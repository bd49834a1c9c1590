import LedgerStore

/// `report attributions`: one row per attribution decided in a period, with the upline the user
/// had once the decision was made and, for a change, the partner it replaced.
public enum AttributionReport {
    /// Which decisions the report holds.
    public enum Outcomes: String, Sendable, CaseIterable {
        /// Decisions that changed the tree: `ATTRIBUTED`, `REASSIGNED`, `DETACHED`.
        case accepted
        /// Decisions that were refused (`UNKNOWN_PARTNER_ID`, `ALREADY_ATTRIBUTED`, ...).
        case rejected
        /// Every decision.
        case all

        /// The WHERE clause that keeps these decisions of `t`, or nil for all.
        var condition: String? {
            switch self {
            case .accepted: "t.outcome IN \(AttributionReport.changes)"
            case .rejected: "t.outcome NOT IN \(AttributionReport.changes)"
            case .all: nil
            }
        }
    }

    /// The columns, in order, for `levels` upline levels (documented in README.md).
    public static func columns(levels: Int) -> [String] {
        columnKinds(levels: levels).map(\.0)
    }

    static func columnKinds(levels: Int) -> [(String, ReportColumnKind)] {
        var columns: [(String, ReportColumnKind)] = [
            ("seq", .integer), ("attributedAt", .timestamp), ("outcome", .text), ("via", .text), ("userId", .integer),
            ("brokerName", .text), ("partnerId", .text), ("holderLevel", .text), ("holderCtidTraderAccountId", .integer),
            ("linkId", .text), ("forced", .boolean), ("reason", .text), ("operator", .text),
            ("refusedPartnerId", .text), ("previousUserId", .integer), ("previousPartnerId", .text),
            ("previousValidFrom", .timestamp), ("previousValidTo", .timestamp),
        ]
        for level in 1...levels {
            columns.append(("level\(level)UserId", .integer))
            columns.append(("level\(level)PartnerId", .text))
        }
        return columns
    }

    /// The outcomes of decisions that changed the tree, as an SQL list.
    static let changes = "('ATTRIBUTED', 'REASSIGNED', 'DETACHED')"

    /// The query: decisions of the broker in [from, to), ordered by time then decision.
    ///
    /// `c` is the user's attribution in force just before the decision (its latest change before
    /// it, when that change was an attribution): the previous partner of a `REASSIGNED` or
    /// `DETACHED` row, and the partner a refused row leaves in place. Level 1 is the partner the
    /// user has once the decision is made (the new one when accepted, `c`'s when refused, none
    /// when detached); each next level is the partner the previous level was attributed to at the
    /// time of the decision.
    public static func sql(levels: Int, outcomes: Outcomes = .all) -> String {
        var select = """
            SELECT t.eventSeq, t.decidedAt, t.outcome, t.via, u.userId, u.brokerName, t.partnerId, h.level,
                   acc.ctidTraderAccountId, l.linkId, t.forced, t.reason, t.operator,
                   CASE WHEN t.outcome NOT IN \(changes) THEN t.partnerId END,
                   pp.userId, CASE WHEN pp.id IS NOT NULL THEN c.partnerId END,
                   CASE WHEN pp.id IS NOT NULL THEN c.decidedAt END, CASE WHEN pp.id IS NOT NULL THEN c.validTo END,
                   p1.userId, CASE WHEN t.outcome IN ('ATTRIBUTED', 'REASSIGNED') THEN t.partnerId
                                   WHEN t.outcome != 'DETACHED' THEN c.partnerId END
            """
        var joins = """
            FROM attribution t
            JOIN ctidUser u ON u.id = t.userRowId
            LEFT JOIN partnerIdHolder h ON h.id = t.holderRowId
            LEFT JOIN traderAccount acc ON acc.id = h.accountRowId
            LEFT JOIN link l ON l.id = t.linkRowId
            LEFT JOIN attribution c ON c.id = CASE WHEN t.outcome != 'ATTRIBUTED' THEN (
                    SELECT max(x.id) FROM attribution x
                    WHERE x.userRowId = t.userRowId AND x.id < t.id AND x.outcome IN \(changes))
                END AND c.outcome != 'DETACHED'
            LEFT JOIN ctidUser pp ON pp.id = c.parentRowId AND t.outcome IN ('REASSIGNED', 'DETACHED')
            LEFT JOIN ctidUser p1 ON p1.id = CASE WHEN t.outcome IN ('ATTRIBUTED', 'REASSIGNED') THEN t.parentRowId
                                                  WHEN t.outcome != 'DETACHED' THEN c.parentRowId END
            """
        var below = "p1"
        if levels >= 2 {
            for level in 2...levels {
                let edge = "e\(level)"
                let partner = "p\(level)"
                select += ",\n       \(partner).userId, \(edge).partnerId"
                joins += """

                    LEFT JOIN attribution \(edge) ON \(edge).userRowId = \(below).id
                        AND \(edge).outcome IN ('ATTRIBUTED', 'REASSIGNED') AND \(edge).decidedAt <= t.decidedAt
                        AND (\(edge).validTo IS NULL OR \(edge).validTo > t.decidedAt)
                    LEFT JOIN ctidUser \(partner) ON \(partner).id = \(edge).parentRowId
                    """
                below = partner
            }
        }
        let filter = outcomes.condition.map { " AND \($0)" } ?? ""
        return select + "\n" + joins + """

            WHERE t.brokerId = ?1 AND t.decidedAt >= ?2 AND t.decidedAt < ?3\(filter)
            ORDER BY t.decidedAt, t.id
            """
    }
}
