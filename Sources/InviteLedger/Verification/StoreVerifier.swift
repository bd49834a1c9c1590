import LedgerStore

/// SQLite's own checks, the append-only triggers, and the derived tables against the log.
struct StoreVerifier {
    let db: Database

    func verify(into report: inout VerificationReport) throws {
        for row in try db.fetchAll(sql: "PRAGMA integrity_check") {
            let message: String = row[0] ?? "?"
            if message != "ok" {
                report.problems.append(.init(kind: .integrity, message: message))
            }
        }
        for row in try db.fetchAll(sql: "PRAGMA foreign_key_check") {
            let table: String = row["table"] ?? "?"
            let rowid: Int64? = row["rowid"]
            let parent: String = row["parent"] ?? "?"
            report.problems.append(.init(
                kind: .foreignKey,
                message: "\(table) row \(rowid.map(String.init) ?? "?") points at a missing \(parent) row"))
        }
        let triggers = Set(try String.fetchAll(db, sql: "SELECT name FROM sqlite_schema WHERE type = 'trigger'"))
        for name in ["event_no_update", "event_no_delete"] where !triggers.contains(name) {
            report.problems.append(.init(kind: .trigger, message: "trigger \(name) is missing: the log can be edited"))
        }
        for check in Self.derivedChecks {
            try db.makeStatement(sql: check.sql).forEachRow { row in
                let seq: Int64? = row[0]
                let detail: String = row[1] ?? ""
                report.problems.append(.init(kind: .derived, seq: seq, message: "\(check.message): \(detail)"))
            }
        }
    }

    /// Each query returns (seq, detail) for every derived row that disagrees with its event.
    static let derivedChecks: [(message: String, sql: String)] = [
        ("a user differs from the step that created it", """
            SELECT u.eventSeq, 'user ' || u.userId FROM ctidUser u LEFT JOIN event e ON e.seq = u.eventSeq
            WHERE e.seq IS NULL OR e.brokerId != u.brokerId OR e.at != u.createdAt
               OR (e.step = 'user.created' AND e.payload ->> 'userId' IS NOT u.userId)
               OR (e.step = 'invite.received' AND e.payload ->> 'invitedUserId' IS NOT u.userId)
               OR e.step NOT IN ('user.created', 'invite.received')
            LIMIT 20
            """),
        ("a trading account differs from the step that linked it", """
            SELECT a.eventSeq, 'account ' || a.ctidTraderAccountId FROM traderAccount a
            LEFT JOIN event e ON e.seq = a.eventSeq LEFT JOIN ctidUser u ON u.id = a.userRowId
            WHERE e.seq IS NULL OR e.step != 'account.linked' OR e.brokerId != a.brokerId
               OR e.payload ->> 'ctidTraderAccountId' IS NOT a.ctidTraderAccountId
               OR e.payload ->> 'userId' IS NOT u.userId
            LIMIT 20
            """),
        ("a partnerId holder differs from the step that assigned it", """
            SELECT h.eventSeq, 'partnerId ' || h.partnerId FROM partnerIdHolder h LEFT JOIN event e ON e.seq = h.eventSeq
            WHERE e.seq IS NULL OR e.step != 'referral.set' OR e.brokerId != h.brokerId
               OR e.payload ->> 'partnerId' IS NOT h.partnerId
            LIMIT 20
            """),
        ("an attribution differs from the step that decided it", """
            SELECT t.eventSeq, 'attribution ' || t.id || ' (' || t.outcome || ')' FROM attribution t
            LEFT JOIN event e ON e.seq = t.eventSeq
            WHERE e.seq IS NULL OR e.brokerId != t.brokerId OR e.at != t.decidedAt
               OR e.step NOT IN ('user.created', 'invite.received', 'attribution.reassigned')
               OR e.outcome ->> 'result' IS NOT t.outcome
            LIMIT 20
            """),
        ("a partner registration differs from its step", """
            SELECT p.eventSeq, 'partner ' || p.crmPartnerRef FROM partner p LEFT JOIN event e ON e.seq = p.eventSeq
            WHERE e.seq IS NULL OR e.step != 'partner.registered' OR e.brokerId != p.brokerId
               OR e.payload ->> 'crmPartnerRef' IS NOT p.crmPartnerRef
            LIMIT 20
            """),
        ("a partnerId assignment differs from the steps that made and ended it", """
            SELECT a.eventSeq, 'assignment ' || a.id FROM partnerIdAssignment a
            JOIN partnerIdHolder h ON h.id = a.holderRowId
            LEFT JOIN event e ON e.seq = a.eventSeq LEFT JOIN event x ON x.seq = a.endEventSeq
            WHERE e.seq IS NULL OR e.step != 'referral.set' OR e.at != a.validFrom
               OR e.payload ->> 'partnerId' IS NOT h.partnerId
               OR (a.endEventSeq IS NOT NULL AND (x.seq IS NULL OR x.at != a.validTo
                   OR x.step NOT IN ('referral.set', 'referral.deleted')))
            LIMIT 20
            """),
        ("a link differs from the step that made it", """
            SELECT k.eventSeq, 'link ' || k.linkId FROM link k LEFT JOIN event e ON e.seq = k.eventSeq
            WHERE e.seq IS NULL OR e.step NOT IN ('link.issued', 'link.generated') OR e.brokerId != k.brokerId
               OR e.payload ->> 'linkId' IS NOT k.linkId OR e.payload ->> 'url' IS NOT k.url
            LIMIT 20
            """),
        ("a click differs from its step", """
            SELECT c.eventSeq, 'click ' || c.id FROM click c LEFT JOIN event e ON e.seq = c.eventSeq
            WHERE e.seq IS NULL OR e.step != 'link.clicked' OR e.brokerId != c.brokerId OR e.at != c.clickedAt
               OR e.payload ->> 'partnerId' IS NOT c.partnerId
            LIMIT 20
            """),
        ("a signup differs from its step", """
            SELECT g.eventSeq, 'signup ' || g.signupId FROM signup g LEFT JOIN event e ON e.seq = g.eventSeq
            WHERE e.seq IS NULL OR e.step != 'signup.submitted' OR e.brokerId != g.brokerId OR e.at != g.submittedAt
               OR e.payload ->> 'signupId' IS NOT g.signupId OR e.payload ->> 'partnerId' IS NOT g.partnerId
            LIMIT 20
            """),
        ("an event was left without its outcome", """
            SELECT seq, 'event ' || seq FROM event WHERE outcome = '' LIMIT 20
            """),
        ("the closure table does not hold one current path per ancestor of each user", """
            WITH RECURSIVE node(rowId, depth) AS (
                SELECT l.descendantRowId, 1 FROM lineage l
                WHERE l.depth = 1 AND l.validTo IS NULL AND NOT EXISTS (
                    SELECT 1 FROM attribution t WHERE t.userRowId = l.ancestorRowId AND t.validTo IS NULL
                      AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED'))
                UNION ALL
                SELECT l.descendantRowId, node.depth + 1 FROM node
                JOIN lineage l ON l.ancestorRowId = node.rowId AND l.depth = 1 AND l.validTo IS NULL
                WHERE node.depth < 10000
            )
            SELECT NULL, expected || ' paths expected from the edges, ' || found || ' current'
            FROM (SELECT (SELECT ifnull(SUM(depth), 0) FROM node) AS expected,
                         (SELECT COUNT(*) FROM lineage WHERE validTo IS NULL) AS found)
            WHERE expected != found
            """),
        ("an edge and the closure table disagree", """
            SELECT t.eventSeq, 'user row ' || t.userRowId || ' under ' || t.parentRowId FROM attribution t
            JOIN ctidUser u ON u.id = t.userRowId
            WHERE t.validTo IS NULL AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED') AND NOT EXISTS (
                SELECT 1 FROM lineage l WHERE l.ancestorRowId = t.parentRowId AND l.depth = 1
                  AND l.attributedAt = t.decidedAt AND l.descendantUserId = u.userId AND l.validTo IS NULL
                  AND l.descendantRowId = t.userRowId)
            LIMIT 20
            """),
        ("a direct referral in the closure table has no current edge", """
            SELECT NULL, 'user row ' || l.descendantRowId || ' under ' || l.ancestorRowId FROM lineage l
            WHERE l.depth = 1 AND l.validTo IS NULL AND NOT EXISTS (
                SELECT 1 FROM attribution t WHERE t.userRowId = l.descendantRowId AND t.parentRowId = l.ancestorRowId
                  AND t.validTo IS NULL AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED'))
            LIMIT 20
            """),
    ]
}
