import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// The upline intervals: who was each user's level-k partner, from when to when.
@Suite("upline intervals")
struct UplineIntervalTests {
    /// A chain A(1) <- B(3) <- C(4) <- D(5), with E(2) beside A; then B moves under E with its
    /// downline (level 1 of B, 2 of C, 3 of D change), C moves under A through an account-level
    /// partnerId (level 1 of C, 2 and 3 of D change) and at that same instant B back under A, D is
    /// detached, then attached under B again: every boundary is a row.
    static func chain() throws -> Ledger {
        let ledger = try Fixtures.emptyLedger()
        var count = 0
        func record(_ name: String, _ at: String, _ fields: [String: Any]) throws {
            count += 1
            _ = try ledger.record(json: step(name, "c\(count)", at: "2026-01-\(at)Z", fields))
        }
        try record("broker.configured", "01T00:00:00", ["guaranteedAttributionDays": 0])
        try record("user.created", "01T00:00:00", ["userId": 1])
        try record("user.created", "01T00:00:00", ["userId": 2])
        try record("referral.set", "01T00:00:00", ["userId": 1, "partnerId": "pa"])
        try record("referral.set", "01T00:00:00", ["userId": 2, "partnerId": "pe"])
        try record("account.linked", "01T00:00:00", ["userId": 1, "ctidTraderAccountId": 901, "traderLogin": 9001])
        try record("referral.set", "01T00:00:00", ["ctidTraderAccountId": 901, "partnerId": "pa-acct"])
        try record("user.created", "02T00:00:00", ["userId": 3, "partnerId": "pa"])
        try record("referral.set", "02T00:00:00", ["userId": 3, "partnerId": "pb"])
        try record("user.created", "03T00:00:00", ["userId": 4, "partnerId": "pb"])
        try record("referral.set", "03T00:00:00", ["userId": 4, "partnerId": "pc"])
        try record("user.created", "04T00:00:00", ["userId": 5, "partnerId": "pc"])
        let move: [String: Any] = ["reason": "move", "operator": "ops", "force": true]
        try record("attribution.reassigned", "10T00:00:00", move.merging(["userId": 3, "partnerId": "pe"]) { $1 })
        try record("attribution.reassigned", "15T00:00:00", move.merging(["userId": 4, "partnerId": "pa-acct"]) { $1 })
        // B's new place begins exactly when C left it: no interval of C or D goes through it.
        try record("attribution.reassigned", "15T00:00:00", move.merging(["userId": 3, "partnerId": "pa"]) { $1 })
        try record("attribution.reassigned", "20T00:00:00", move.merging(["userId": 5, "partnerId": NSNull()]) { $1 })
        try record("attribution.reassigned", "25T00:00:00", move.merging(["userId": 5, "partnerId": "pb"]) { $1 })
        return ledger
    }

    static func lines(_ ledger: Ledger, _ options: ReportOptions) throws -> [String] {
        var lines: [String] = []
        try ledger.forEachUplineInterval(options) { interval in
            lines.append([
                "\(interval.userId)", "L\(interval.level)", "\(interval.partnerUserId)", interval.partnerId ?? "-",
                interval.partnerCtidTraderAccountId.map { "\($0)" } ?? "-",
                String(interval.validFrom.rfc3339.dropFirst(8).prefix(2)),
                interval.validTo.map { String($0.rfc3339.dropFirst(8).prefix(2)) } ?? "now",
                "\(interval.openedSeq):\(interval.openedStep)",
                interval.closedSeq.map { "\($0):\(interval.closedStep ?? "?")" } ?? "-",
            ].joined(separator: " "))
        }
        return lines
    }

    @Test("moves at level 1, 2 and 3, a detachment and an account-level partnerId: exact rows")
    func chainIntervals() throws {
        let ledger = try Self.chain()
        // Day of the month for times; seq:step of the events that opened and closed each interval.
        #expect(try Self.lines(ledger, .init(levels: 3)) == [
            "3 L1 1 pa - 02 10 8:user.created 13:attribution.reassigned",
            "3 L1 2 pe - 10 15 13:attribution.reassigned 15:attribution.reassigned",
            "3 L1 1 pa - 15 now 15:attribution.reassigned -",
            "4 L1 3 pb - 03 15 10:user.created 14:attribution.reassigned",
            "4 L1 1 pa-acct 901 15 now 14:attribution.reassigned -",
            "4 L2 1 pa - 03 10 10:user.created 13:attribution.reassigned",
            "4 L2 2 pe - 10 15 13:attribution.reassigned 14:attribution.reassigned",
            "5 L1 4 pc - 04 20 12:user.created 16:attribution.reassigned",
            "5 L1 3 pb - 25 now 17:attribution.reassigned -",
            "5 L2 3 pb - 04 15 12:user.created 14:attribution.reassigned",
            "5 L2 1 pa-acct 901 15 20 14:attribution.reassigned 16:attribution.reassigned",
            "5 L2 1 pa - 25 now 17:attribution.reassigned -",
            "5 L3 1 pa - 04 10 12:user.created 13:attribution.reassigned",
            "5 L3 2 pe - 10 15 13:attribution.reassigned 14:attribution.reassigned",
        ])
        // The period keeps the intervals that overlap it; --levels cuts the deeper ones.
        let period = ReportOptions(
            from: Timestamp(rfc3339: "2026-01-15T00:00:00Z"), to: Timestamp(rfc3339: "2026-01-20T00:00:00Z"), levels: 2)
        #expect(try Self.lines(ledger, period) == [
            "3 L1 1 pa - 15 now 15:attribution.reassigned -",
            "4 L1 1 pa-acct 901 15 now 14:attribution.reassigned -",
            "5 L1 4 pc - 04 20 12:user.created 16:attribution.reassigned",
            "5 L2 1 pa-acct 901 15 20 14:attribution.reassigned 16:attribution.reassigned",
        ])
    }

    @Test("a time exactly at a boundary belongs to the interval that begins there")
    func boundary() throws {
        let ledger = try Self.chain()
        let index = try ledger.queue.read { db in try UplineIndex(db: db, brokerId: 1) }
        let user = try #require(try ledger.rows("SELECT id FROM ctidUser WHERE userId = 5").first.flatMap { Int($0) })
        // Walked side by side, each at its own time, to depths that differ.
        let times = [
            "2026-01-09T23:59:59.999Z", "2026-01-10T00:00:00Z", "2026-01-15T00:00:00Z", "2026-01-20T00:00:00Z",
            "2026-01-24T23:59:59.999Z", "2026-01-25T00:00:00Z", "2026-01-03T00:00:00Z",
        ]
        var walkers = Array(repeating: user, count: times.count)
        var paths: [Int] = []
        var depths: [Int] = []
        index.uplines(of: &walkers, at: times.map { Timestamp(rfc3339: $0)!.milliseconds }, levels: 3, paths: &paths, depths: &depths)
        let partners = times.indices.map { walker in
            paths[(walker * 3)..<(walker * 3 + depths[walker])].map { index.userIds[Int(index.edges[$0].parent)] }
        }
        #expect(partners == [[4, 3, 1], [4, 3, 2], [4, 1], [], [], [3, 1], []])
    }

    /// The upline at `at` read from the intervals: level, partner userId, partnerId.
    static func uplineFromIntervals(_ intervals: [UplineInterval], userId: Int64, at: Timestamp) -> [String] {
        intervals.filter { $0.userId == userId && $0.validFrom <= at && ($0.validTo.map { at < $0 } ?? true) }
            .sorted { $0.level < $1.level }
            .map { "\($0.level) \($0.partnerUserId) \($0.partnerId ?? "-")" }
    }

    @Test("random histories: at every boundary and between, the intervals give what upline --as-of gives, and the view the same rows",
          .timeLimit(.minutes(3)))
    func modelAgainstUpline() throws {
        let seeds = UInt64(ProcessInfo.processInfo.environment["INTERVAL_SEEDS"] ?? "") ?? 25
        var checked = 0
        for seed in UInt64(1)...seeds {
            guard let history = try IntervalPropertyTests.consistentHistory(seed: seed &* 0x51_7CC1_B727, steps: 40) else { continue }
            let ledger = history.ledger
            var intervals: [UplineInterval] = []
            try ledger.forEachUplineInterval(.init(levels: 20)) { intervals.append($0) }
            // The view (SQL, a recursive query) holds the same rows as the report (Swift, in memory).
            let viewRows = try ledger.rows("""
                SELECT userId, level, partnerUserId, partnerId, partnerCtidTraderAccountId, validFrom, validTo,
                       openedSeq, openedStep, closedSeq, closedStep
                FROM uplineInterval ORDER BY userId, level, validFrom
                """)
            let reportRows = intervals.map { interval in
                [
                    "\(interval.userId)", "\(interval.level)", "\(interval.partnerUserId)", interval.partnerId ?? "NULL",
                    interval.partnerCtidTraderAccountId.map { "\($0)" } ?? "NULL", interval.validFrom.rfc3339,
                    interval.validTo?.rfc3339 ?? "NULL", "\(interval.openedSeq)", interval.openedStep,
                    interval.closedSeq.map { "\($0)" } ?? "NULL", interval.closedStep ?? "NULL",
                ].joined(separator: "|")
            }
            #expect(viewRows == reportRows, "seed \(seed)")
            // Every boundary, a millisecond before it, and a time between: upline --as-of agrees.
            var times = Set<Int64>()
            for interval in intervals {
                times.insert(interval.validFrom.milliseconds)
                times.insert(interval.validFrom.milliseconds - 1)
                if let end = interval.validTo?.milliseconds {
                    times.insert(end)
                    times.insert(end - 1)
                    times.insert((interval.validFrom.milliseconds + end) / 2)
                }
            }
            let users = try ledger.rows("SELECT userId FROM ctidUser ORDER BY userId").compactMap { Int64($0) }
            for time in times.sorted() {
                let at = Timestamp(milliseconds: time)
                for userId in users {
                    let upline = try ledger.upline(of: .userId(userId), asOf: at)
                    let expected = upline.levels.prefix(20).map { "\($0.level) \($0.userId) \($0.partnerId ?? "-")" }
                    #expect(Self.uplineFromIntervals(intervals, userId: userId, at: at) == expected,
                            "seed \(seed), user \(userId) at \(at.rfc3339)")
                    checked += 1
                }
            }
        }
        #expect(checked > 4000)
    }
}
