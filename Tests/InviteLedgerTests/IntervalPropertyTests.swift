import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// Random histories of well-formed steps (moves with downlines, detachments, re-attachments,
/// deletions and retakes of partnerIds, invites), a third of them back-dated and some at equal
/// times: after every step, every interval the ledger holds must still make sense. No user has
/// two partners at one instant, no holder slot two partnerIds, the closure table is at every
/// instant the closure of the edges valid then, and every step got an outcome or a step error,
/// never a SQLite error.
@Suite("interval properties")
struct IntervalPropertyTests {
    static let start = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!.milliseconds

    /// One random history, recorded one step at a time and checked after each: the ledger, its
    /// lines, and what each line got (an outcome's JSON, or a step error's code).
    struct History {
        var ledger: Ledger
        var lines: [String] = []
        var answers: [String] = []
        var recorded = 0
        var rejected = 0
    }

    /// The history of a seed, or nil when it went wrong in a way already recorded as an issue
    /// (`Inconsistent`): the caller goes on with the next seed.
    static func consistentHistory(seed: UInt64, steps: Int) throws -> History? {
        do {
            return try history(seed: seed, steps: steps)
        } catch is Inconsistent {
            return nil
        }
    }

    static func history(seed: UInt64, steps: Int) throws -> History {
        var random = FuzzTests.Random(state: seed)
        let ledger = try Fixtures.emptyLedger()
        var clock = start
        var users: [Int64] = []
        var partnerIds: [String] = []
        var history = History(ledger: ledger)
        var event = 0
        func time() -> Int64 {
            switch Int.random(in: 0..<6, using: &random) {
            case 0, 1:
                // Back-dated: up to a few days before the newest step.
                return clock - Int64.random(in: 1...(5 * 86_400), using: &random) * 1000
            case 2:
                return clock
            default:
                clock += Int64.random(in: 1...(2 * 86_400), using: &random) * 1000
                return clock
            }
        }
        func record(_ name: String, _ fields: [String: Any]) throws {
            event += 1
            let json = step(name, "e\(event)", at: Timestamp(milliseconds: time()).rfc3339, fields)
            history.lines.append(json)
            do {
                history.answers.append(try ledger.record(json: json).json.serialized())
                history.recorded += 1
            } catch let error as LedgerError {
                // A step error: the step is refused, nothing written.
                history.answers.append(error.code.rawValue)
                history.rejected += 1
            } catch {
                Issue.record("seed \(seed), step \(event) \(json): not a step error: \(error)")
                throw Inconsistent()
            }
            try checkIntervals(ledger, context: "seed \(seed), step \(event) \(json)")
        }
        event += 1
        try record("broker.configured", ["guaranteedAttributionDays": 0])
        for _ in 0..<steps {
            let choice = users.count < 3 ? 0 : Int.random(in: 0..<10, using: &random)
            switch choice {
            case 0, 1:
                let userId = Int64(1000 + users.count + 1)
                var fields: [String: Any] = ["userId": userId]
                if !partnerIds.isEmpty && Bool.random(using: &random) {
                    fields["partnerId"] = partnerIds.randomElement(using: &random)!
                }
                try record("user.created", fields)
                if try !ledger.rows("SELECT 1 FROM ctidUser WHERE userId = ?", [userId]).isEmpty {
                    users.append(userId)
                }
            case 2, 3:
                // A new partnerId, or a retake of one the user held.
                let userId = users.randomElement(using: &random)!
                let partnerId = Bool.random(using: &random) || partnerIds.isEmpty
                    ? "p\(partnerIds.count + 1)" : partnerIds.randomElement(using: &random)!
                try record("referral.set", ["userId": userId, "partnerId": partnerId])
                if !partnerIds.contains(partnerId),
                   try !ledger.rows("SELECT 1 FROM partnerIdHolder WHERE partnerId = ?", [partnerId]).isEmpty
                {
                    partnerIds.append(partnerId)
                }
            case 4:
                try record("referral.deleted", ["userId": users.randomElement(using: &random)!])
            case 5, 6, 7:
                guard let partnerId = partnerIds.randomElement(using: &random) else { continue }
                try record("attribution.reassigned", [
                    "userId": users.randomElement(using: &random)!, "partnerId": partnerId, "reason": "test",
                    "operator": "prop", "force": true,
                ])
            case 8:
                try record("attribution.reassigned", [
                    "userId": users.randomElement(using: &random)!, "partnerId": NSNull(), "reason": "test",
                    "operator": "prop",
                ])
            default:
                guard users.count >= 2 else { continue }
                let invited = Bool.random(using: &random)
                    ? Int64(1000 + users.count + 1) : users.randomElement(using: &random)!
                try record("invite.received", [
                    "invitedUserId": invited, "partnerUserId": users.randomElement(using: &random)!,
                    "brokerName": "Acme",
                ])
                if !users.contains(invited), try !ledger.rows("SELECT 1 FROM ctidUser WHERE userId = ?", [invited]).isEmpty {
                    users.append(invited)
                }
            }
        }
        return history
    }

    /// A history stopped at its first inconsistency (recorded as an issue).
    struct Inconsistent: Error {}

    /// Fails, and stops the history, unless every interval of the ledger is consistent (see the
    /// suite's comment).
    static func checkIntervals(_ ledger: Ledger, context: String) throws {
        let problems = try intervalProblems(ledger)
        guard problems.isEmpty else {
            Issue.record("\(problems.joined(separator: "; ")), after \(context)")
            throw Inconsistent()
        }
    }

    /// What is wrong with the ledger's intervals: empty when nothing.
    static func intervalProblems(_ ledger: Ledger) throws -> [String] {
        var problems: [String] = []
        // Edges of one user never overlap (an empty interval overlaps nothing).
        let overlappingEdges = try ledger.rows("""
            SELECT a.userRowId, a.id, b.id FROM attribution a JOIN attribution b
              ON a.userRowId = b.userRowId AND a.id < b.id
            WHERE a.outcome IN ('ATTRIBUTED', 'REASSIGNED') AND b.outcome IN ('ATTRIBUTED', 'REASSIGNED')
              AND a.decidedAt < coalesce(a.validTo, 9e18) AND b.decidedAt < coalesce(b.validTo, 9e18)
              AND a.decidedAt < coalesce(b.validTo, 9e18) AND b.decidedAt < coalesce(a.validTo, 9e18)
            """)
        if !overlappingEdges.isEmpty { problems.append("two partners at once: \(overlappingEdges)") }
        // One holder slot (a user's user level, an account) never has two partnerIds at once.
        let overlappingAssignments = try ledger.rows("""
            SELECT a.id, b.id FROM partnerIdAssignment a JOIN partnerIdAssignment b
              ON a.userRowId = b.userRowId AND a.level = b.level AND a.accountRowId IS b.accountRowId AND a.id < b.id
            WHERE a.validFrom < coalesce(a.validTo, 9e18) AND b.validFrom < coalesce(b.validTo, 9e18)
              AND a.validFrom < coalesce(b.validTo, 9e18) AND b.validFrom < coalesce(a.validTo, 9e18)
            """)
        if !overlappingAssignments.isEmpty { problems.append("two partnerIds at once: \(overlappingAssignments)") }
        // At every instant where anything changed, the closure table is the closure of the edges.
        let instants = try ledger.rows("""
            SELECT DISTINCT t FROM (SELECT decidedAt AS t FROM attribution UNION SELECT validTo FROM attribution
                                    UNION SELECT validFrom FROM lineage UNION SELECT validTo FROM lineage)
            WHERE t IS NOT NULL ORDER BY t
            """).compactMap { Int64($0) }
        for instant in instants {
            let edges = try ledger.rows("""
                SELECT userRowId, parentRowId FROM attribution
                WHERE outcome IN ('ATTRIBUTED', 'REASSIGNED') AND decidedAt <= ?1 AND (validTo IS NULL OR validTo > ?1)
                """, [instant])
            var parent: [String: String] = [:]
            for edge in edges {
                let parts = edge.split(separator: "|").map(String.init)
                if parent[parts[0]] != nil { problems.append("user row \(parts[0]) has two partners at \(instant)") }
                parent[parts[0]] = parts[1]
            }
            var expected: [String] = []
            for child in parent.keys {
                var depth = 0
                var current = child
                while let up = parent[current], depth < Int(LineageTable.storedDepth) {
                    depth += 1
                    expected.append("\(up)|\(child)|\(depth)")
                    current = up
                }
            }
            let stored = try ledger.rows("""
                SELECT ancestorRowId, descendantRowId, depth FROM lineage
                WHERE validFrom <= ?1 AND (validTo IS NULL OR validTo > ?1)
                """, [instant])
            if stored.sorted() != expected.sorted() {
                problems.append("""
                    closure at \(Timestamp(milliseconds: instant).rfc3339) is not the edges': \
                    \(Set(stored).subtracting(expected).sorted()) extra, \(Set(expected).subtracting(stored).sorted()) missing
                    """)
                break
            }
        }
        return problems
    }

    /// The history's lines ingested in batches (decided in memory, written once per batch) give
    /// the same rejections and the same rows as recording them one at a time.
    static func ingestAlike(_ history: History, seed: UInt64) throws {
        let tables = try history.ledger.queue.inDatabase { try LedgerSchema.tables($0) }
        for batchSize in [7, 500] {
            let (batched, rejected) = try Fixtures.ingested(history.lines, batchSize: batchSize)
            #expect(rejected == history.answers.filter { !$0.hasPrefix("{") }, "seed \(seed), batch size \(batchSize)")
            for table in tables {
                #expect(try batched.rows("SELECT * FROM \(table)") == history.ledger.rows("SELECT * FROM \(table)"),
                        "seed \(seed), batch size \(batchSize): \(table)")
            }
        }
    }

    @Test("random histories, a third back-dated: no overlap, no SQLite error, the closure always the edges'",
          .timeLimit(.minutes(3)))
    func randomHistories() throws {
        var totals = (recorded: 0, rejected: 0)
        let seeds = UInt64(ProcessInfo.processInfo.environment["INTERVAL_SEEDS"] ?? "") ?? 60
        let steps = Int(ProcessInfo.processInfo.environment["INTERVAL_STEPS"] ?? "") ?? 40
        for seed in UInt64(1)...seeds {
            guard let history = try Self.consistentHistory(seed: seed &* 0x9E37_79B9, steps: steps) else { continue }
            totals.recorded += history.recorded
            totals.rejected += history.rejected
            #expect(try history.ledger.verify().problems == [], "seed \(seed): verify")
            if seed % 6 == 0 {
                try Self.ingestAlike(history, seed: seed)
            }
        }
        // The histories exercise both sides: steps that apply and steps refused.
        #expect(totals.recorded > 1000)
        #expect(totals.rejected > 100)
    }
}

