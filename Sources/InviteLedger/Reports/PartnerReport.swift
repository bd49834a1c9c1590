import LedgerStore

/// `report partners`: one row per partner (a user holding or having held a partnerId, or a CRM
/// partner), with its partnerIds, its downline per level, and its new direct referrals in the
/// period.
public enum PartnerReport {
    public static func columns(levels: Int) -> [String] {
        columnKinds(levels: levels).map(\.0)
    }

    static func columnKinds(levels: Int) -> [(String, ReportColumnKind)] {
        var columns: [(String, ReportColumnKind)] = [
            ("userId", .integer), ("crmPartnerRef", .text), ("currentPartnerIds", .json), ("pastPartnerIds", .json),
        ]
        for level in 1...levels {
            columns.append(("referralsLevel\(level)", .integer))
        }
        columns.append(("referralsTotal", .integer))
        columns.append(("newDirectReferrals", .integer))
        return columns
    }

    /// Downline counts are taken at the end of the period (`to`), or now without one.
    public static func sql(levels: Int, asOf: Bool) -> String {
        let validity = asOf
            ? "l.validFrom <= ?3 AND (l.validTo IS NULL OR l.validTo > ?3)"
            : "l.validTo IS NULL"
        var counts = ""
        for level in 1...levels {
            counts += ",\n       (SELECT COUNT(*) FROM lineage l WHERE l.ancestorRowId = u.id AND l.depth = \(level) AND \(validity))"
        }
        counts += ",\n       (SELECT COUNT(*) FROM lineage l WHERE l.ancestorRowId = u.id AND l.depth <= \(levels) AND \(validity))"
        let zeros = String(repeating: ", 0", count: levels + 2)
        return """
            SELECT * FROM (
            SELECT u.userId AS userId, p.crmPartnerRef AS crmPartnerRef,
                   (SELECT json_group_array(partnerId) FROM (
                        SELECT h.partnerId FROM partnerIdHolder h WHERE h.userRowId = u.id AND EXISTS (
                            SELECT 1 FROM partnerIdAssignment a WHERE a.holderRowId = h.id AND a.validTo IS NULL)
                        ORDER BY h.partnerId)),
                   (SELECT json_group_array(partnerId) FROM (
                        SELECT h.partnerId FROM partnerIdHolder h WHERE h.userRowId = u.id AND NOT EXISTS (
                            SELECT 1 FROM partnerIdAssignment a WHERE a.holderRowId = h.id AND a.validTo IS NULL)
                        ORDER BY h.partnerId))\(counts),
                   (SELECT COUNT(*) FROM lineage l WHERE l.ancestorRowId = u.id AND l.depth = 1
                        AND l.attributedAt >= ?2 AND l.attributedAt < ?3)
            FROM ctidUser u LEFT JOIN partner p ON p.userRowId = u.id
            WHERE u.brokerId = ?1 AND (p.id IS NOT NULL OR EXISTS (SELECT 1 FROM partnerIdHolder h WHERE h.userRowId = u.id))
            UNION ALL
            SELECT NULL, p.crmPartnerRef, '[]', '[]'\(zeros)
            FROM partner p WHERE p.brokerId = ?1 AND p.userRowId IS NULL
            ) ORDER BY userId IS NULL, userId, crmPartnerRef
            """
    }
}
