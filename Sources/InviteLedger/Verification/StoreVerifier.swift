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
        ("an edge and the closure table disagree", """
            SELECT t.eventSeq, 'user row ' || t.userRowId || ' under ' || t.parentRowId FROM attribution t
            WHERE t.validTo IS NULL AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED') AND NOT EXISTS (
                SELECT 1 FROM lineage l WHERE l.ancestorRowId = t.parentRowId AND l.depth = 1
                  AND l.descendantRowId = t.userRowId AND l.validTo IS NULL)
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
