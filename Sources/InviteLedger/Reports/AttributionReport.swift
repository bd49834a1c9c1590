import LedgerStore

/// `report attributions`: one row per attribution decided in a period, with the upline of the
/// partner at the time of the decision.
public enum AttributionReport {
    /// The columns, in order, for `levels` upline levels (documented in README.md).
    public static func columns(levels: Int) -> [String] {
        columnKinds(levels: levels).map(\.0)
    }

    static func columnKinds(levels: Int) -> [(String, ReportColumnKind)] {
        var columns: [(String, ReportColumnKind)] = [
            ("seq", .integer), ("attributedAt", .timestamp), ("outcome", .text), ("via", .text), ("userId", .integer),
            ("brokerName", .text), ("partnerId", .text), ("holderLevel", .text), ("holderCtidTraderAccountId", .integer),
            ("linkId", .text), ("forced", .boolean), ("reason", .text), ("operator", .text),
        ]
        for level in 1...levels {
            columns.append(("level\(level)UserId", .integer))
            columns.append(("level\(level)PartnerId", .text))
        }
        return columns
    }

    /// The query: decisions of the broker in [from, to), ordered by time then decision. Level 1
    /// is the partnerId's holder; each next level is the partner the previous level was
    /// attributed to at the time of the decision.
    public static func sql(levels: Int) -> String {
        var select = """
            SELECT t.eventSeq, t.decidedAt, t.outcome, t.via, u.userId, u.brokerName, t.partnerId, h.level,
                   acc.ctidTraderAccountId, l.linkId, t.forced, t.reason, t.operator,
                   p1.userId, t.partnerId
            """
        var joins = """
            FROM attribution t
            JOIN ctidUser u ON u.id = t.userRowId
            LEFT JOIN partnerIdHolder h ON h.id = t.holderRowId
            LEFT JOIN traderAccount acc ON acc.id = h.accountRowId
            LEFT JOIN link l ON l.id = t.linkRowId
            LEFT JOIN ctidUser p1 ON p1.id = h.userRowId
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
        return select + "\n" + joins + """

            WHERE t.brokerId = ?1 AND t.decidedAt >= ?2 AND t.decidedAt < ?3
            ORDER BY t.decidedAt, t.id
            """
    }
}
