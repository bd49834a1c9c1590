import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// A referral chain deeper than the closure table's stored paths (`LineageTable.storedDepth`):
/// every tree answer must be what the tree itself says, whatever the depth.
@Suite("deep chains")
struct DeepChainTests {
    static let users: Int64 = 100
    static let start = Timestamp(rfc3339: "2026-01-01T00:00:00Z")!.milliseconds

    static func time(_ minute: Int64) -> String { Timestamp(milliseconds: start + minute * 60_000).rfc3339 }

    /// The tree as a test sees it: each attributed user's parent and attribution time.
    struct Tree {
        var parent: [Int64: (userId: Int64, at: Int64)] = [:]

        /// The descendants of `partner` to `depth` levels, in the client area's order, as
        /// `level|userId|parentUserId|attributedAt`.
        func referrals(of partner: Int64, depth: Int64) -> [String] {
            rows(of: partner, depth: depth).map { "\($0.level)|\($0.userId)|\($0.parent)|\($0.at)" }
        }

        /// The number of descendants at each level, as `level:count`.
        func counts(of partner: Int64, depth: Int64) -> [String] {
            Dictionary(grouping: rows(of: partner, depth: depth), by: \.level)
                .sorted { $0.key < $1.key }.map { "\($0.key):\($0.value.count)" }
        }

        private func rows(of partner: Int64, depth: Int64) -> [(level: Int64, at: Int64, userId: Int64, parent: Int64)] {
            var rows: [(level: Int64, at: Int64, userId: Int64, parent: Int64)] = []
            var frontier = [partner]
            var level: Int64 = 0
            while !frontier.isEmpty && level < depth {
                level += 1
                let next = parent.filter { frontier.contains($0.value.userId) }
                rows += next.map { (level, $0.value.at, $0.key, $0.value.userId) }
                frontier = Array(next.keys)
            }
            return rows.sorted { ($0.level, $0.at, $0.userId) < ($1.level, $1.at, $1.userId) }
        }

        func upline(of userId: Int64) -> [Int64] {
            var chain: [Int64] = []
            var current = userId
            while let up = parent[current] {
                chain.append(up.userId)
                current = up.userId
            }
            return chain
        }
    }

    /// Users 1...users, each referred by the previous one, each holding partnerId `p<userId>`.
    static func chain() throws -> (Ledger, Tree) {
        let ledger = try Fixtures.emptyLedger()
        var tree = Tree()
        for user in 1...users {
            var fields: [String: Any] = ["userId": user]
            if user > 1 {
                fields["partnerId"] = "p\(user - 1)"
                tree.parent[user] = (user - 1, start + user * 60_000)
            }
            _ = try ledger.record(json: step("user.created", "c\(user)", at: time(user), fields))
            _ = try ledger.record(json: step("referral.set", "r\(user)", at: time(user), ["partnerId": "p\(user)", "userId": user]))
        }
        return (ledger, tree)
    }

    /// Every page of `referrals`, `limit` rows at a time, as `level|userId|parentUserId|attributedAt`.
    static func allPages(_ ledger: Ledger, of partner: Int64, depth: Int64, asOf: Timestamp?, limit: Int) throws -> [String] {
        var rows: [String] = []
        var page = try ledger.referrals(of: .userId(partner), depth: depth, asOf: asOf, limit: limit)
        while true {
            rows += page.referrals.map { "\($0.level)|\($0.userId)|\($0.parentUserId)|\($0.attributedAt.milliseconds)" }
            guard let cursor = page.nextCursor else { break }
            page = try ledger.referrals(of: .userId(partner), depth: depth, asOf: asOf, limit: limit, after: cursor)
        }
        return rows
    }

    /// Pages (across the stored depth), counts and uplines of several partners equal the tree's.
    static func expectAnswers(_ ledger: Ledger, _ tree: Tree, asOf: Timestamp?) throws {
        let stored = LineageTable.storedDepth
        for partner: Int64 in [1, 2, 40, 60, 69] {
            for depth in [1, stored - 1, stored, stored + 1, 2 * stored, 2 * stored + 1, 99, 1_000, Int64.max] {
                let expected = tree.referrals(of: partner, depth: depth)
                for limit in [7, 50] {
                    #expect(try allPages(ledger, of: partner, depth: depth, asOf: asOf, limit: limit) == expected,
                            "partner \(partner), depth \(depth), limit \(limit)")
                }
                let stats = try ledger.stats(of: .userId(partner), depth: depth, asOf: asOf)
                #expect(stats.levels.map { "\($0.level):\($0.count)" } == tree.counts(of: partner, depth: depth),
                        "partner \(partner), depth \(depth)")
            }
        }
        for user: Int64 in [100, 95, 61, 33] {
            #expect(try ledger.upline(of: .userId(user), asOf: asOf).levels.map(\.userId) == tree.upline(of: user))
        }
    }

    @Test("a chain of 100: pages, counts and uplines at every depth equal the tree's; paths are stored to the bound only")
    func answersAtEveryDepth() throws {
        let (ledger, tree) = try Self.chain()
        try Self.expectAnswers(ledger, tree, asOf: nil)
        // A user costs at most storedDepth paths: 32 for each user deeper than 32.
        let stored = LineageTable.storedDepth
        let expected = (1..<Self.users).reduce(Int64(0)) { $0 + min($1, stored) }
        #expect(try ledger.rows("SELECT COUNT(*), MAX(depth) FROM lineage") == ["\(expected)|\(stored)"])
        #expect(try ledger.verify().isIntact)
        // The partners report counts its levels from stored paths alone.
        #expect(ReportOptions.maximumLevels <= Int(stored))
    }

    @Test("moves and a detachment deep in the chain: every answer now and as of each earlier time equals the tree's")
    func reassignmentsAsOf() throws {
        let (ledger, tree) = try Self.chain()
        var trees: [(Timestamp, Tree)] = [(Timestamp(milliseconds: Self.start + 200 * 60_000), tree)]
        var current = tree
        func move(_ user: Int64, under partner: Int64?, minute: Int64) throws {
            var fields: [String: Any] = ["userId": user, "reason": "support", "operator": "ops", "force": true]
            fields["partnerId"] = partner.map { "p\($0)" } ?? NSNull()
            _ = try ledger.record(json: step("attribution.reassigned", "m\(user)", at: Self.time(minute), fields))
            current.parent[user] = partner.map { ($0, Self.start + minute * 60_000) }
            trees.append((Timestamp(milliseconds: Self.start + minute * 60_000 + 1), current))
        }
        try move(60, under: 1, minute: 300)
        try move(90, under: 40, minute: 400)
        try move(95, under: nil, minute: 500)
        try move(69, under: 2, minute: 600)
        for (time, tree) in trees {
            try Self.expectAnswers(ledger, tree, asOf: time)
        }
        try Self.expectAnswers(ledger, current, asOf: nil)
        #expect(try ledger.rows("SELECT COUNT(*) FROM lineage WHERE depth > \(LineageTable.storedDepth)") == ["0"])
        #expect(try ledger.verify().isIntact)
    }

    @Test("a deep, bushy tree under 60 random moves and detachments: every answer equals the tree's, now and before")
    func randomMoves() throws {
        var random = FuzzTests.Random(state: 7)
        let ledger = try Fixtures.emptyLedger()
        var tree = Tree()
        // Each user is referred by one of the three users before it: about 60 levels for 150 users.
        for user: Int64 in 1...150 {
            var fields: [String: Any] = ["userId": user]
            if user > 1 {
                let partner = max(1, user - 1 - Int64(random.next() % 3))
                fields["partnerId"] = "p\(partner)"
                tree.parent[user] = (partner, Self.start + user * 60_000)
            }
            _ = try ledger.record(json: step("user.created", "c\(user)", at: Self.time(user), fields))
            _ = try ledger.record(json: step("referral.set", "r\(user)", at: Self.time(user), ["partnerId": "p\(user)", "userId": user]))
        }
        var snapshots: [(Timestamp, Tree)] = []
        for move: Int64 in 1...60 {
            let minute = 1_000 + move * 10
            let user = Int64(random.next() % 150) + 1
            let subtree = Set(tree.referrals(of: user, depth: .max).map { Int64($0.split(separator: "|")[1])! } + [user])
            var partner: Int64? = Int64(random.next() % 150) + 1
            if random.next() % 5 == 0 && tree.parent[user] != nil { partner = nil }
            if let target = partner, subtree.contains(target) || tree.parent[user]?.userId == target { continue }
            var fields: [String: Any] = ["userId": user, "reason": "support", "operator": "ops", "force": true]
            fields["partnerId"] = partner.map { "p\($0)" } ?? NSNull()
            if partner == nil && tree.parent[user] == nil { continue }
            _ = try ledger.record(json: step("attribution.reassigned", "m\(move)", at: Self.time(minute), fields))
            snapshots.append((Timestamp(milliseconds: Self.start + minute * 60_000 - 1), tree))
            tree.parent[user] = partner.map { ($0, Self.start + minute * 60_000) }
        }
        #expect(snapshots.count >= 40)
        for (time, before) in snapshots.enumerated().filter({ $0.offset % 10 == 0 }).map(\.element) {
            try Self.expectAnswers(ledger, before, asOf: time)
        }
        try Self.expectAnswers(ledger, tree, asOf: nil)
        #expect(try ledger.verify().isIntact)
    }

    @Test("a file written before the bound: migrating drops the deeper paths, verify passes, answers stay")
    func migrationDropsDeeperPaths() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("deep-\(UUID().uuidString).sqlite").path
        defer { for suffix in ["", "-wal", "-shm", "-head"] { try? FileManager.default.removeItem(atPath: path + suffix) } }
        var tree = Tree()
        do {
            let ledger = try Ledger(path: path, access: .create, clock: Fixtures.clock, brokers: .anyBroker)
            for user: Int64 in 1...40 {
                var fields: [String: Any] = ["userId": user]
                if user > 1 {
                    fields["partnerId"] = "p\(user - 1)"
                    tree.parent[user] = (user - 1, Self.start + user * 60_000)
                }
                _ = try ledger.record(json: step("user.created", "c\(user)", at: Self.time(user), fields))
                _ = try ledger.record(json: step("referral.set", "r\(user)", at: Self.time(user), ["partnerId": "p\(user)", "userId": user]))
            }
            // What earlier versions stored: every path, however deep; and no migration 0014.
            try ledger.tamper("""
                WITH RECURSIVE deeper(ancestorRowId, depth, attributedAt, descendantUserId, validFrom, descendantRowId) AS (
                    SELECT ancestorRowId, depth, attributedAt, descendantUserId, validFrom, descendantRowId FROM lineage WHERE depth = 32
                    UNION ALL
                    SELECT d.ancestorRowId, d.depth + 1, l.attributedAt, l.descendantUserId, l.validFrom, l.descendantRowId
                    FROM deeper d JOIN lineage l ON l.ancestorRowId = d.descendantRowId AND l.depth = 1
                )
                INSERT INTO lineage (ancestorRowId, depth, attributedAt, descendantUserId, validFrom, validTo, descendantRowId)
                SELECT ancestorRowId, depth, attributedAt, descendantUserId, validFrom, NULL, descendantRowId FROM deeper WHERE depth > 32;
                DELETE FROM inviteLedgerMigration WHERE identifier = '0014_bound_lineage_depth';
                """)
            let every = 39 * 40 / 2
            #expect(try ledger.rows("SELECT COUNT(*), MAX(depth) FROM lineage") == ["\(every)|39"])
            try ledger.close()
            // Earlier versions' witness kept no digest of the migrations table or the schema.
            let witness = try String(contentsOfFile: path + "-head", encoding: .utf8)
            try witness.replacingOccurrences(of: #","(migrations|schema)":"[0-9a-f]{64}""#, with: "", options: .regularExpression)
                .write(toFile: path + "-head", atomically: true, encoding: .utf8)
        }
        #expect(try Ledger.migrate(path: path) == ["0014_bound_lineage_depth"])
        let ledger = try Ledger(path: path, clock: Fixtures.clock)
        defer { try? ledger.close() }
        let bounded = 39 * 40 / 2 - 7 * 8 / 2  // the 28 paths 33 to 39 levels apart are gone
        #expect(try ledger.rows("SELECT COUNT(*), MAX(depth) FROM lineage") == ["\(bounded)|32"])
        #expect(try ledger.verify().isIntact)
        #expect(try Self.allPages(ledger, of: 1, depth: 100, asOf: nil, limit: 9) == tree.referrals(of: 1, depth: 100))
    }

    @Test("a cycle through a chain deeper than the stored paths is still refused")
    func cycleBeyondStoredDepth() throws {
        let (ledger, _) = try Self.chain()
        let before = try ledger.snapshot()
        let error = try #require(throws: LedgerError.self) {
            try ledger.record(json: step("attribution.reassigned", "x1", at: Self.time(300),
                                         ["userId": 1, "partnerId": "p100", "reason": "r", "operator": "o"]))
        }
        #expect(error.code == .cycle)
        #expect(error.field == "partnerId")
        #expect(try ledger.snapshot() == before)
        // The webhook's decision is recorded: CYCLE, and no edge.
        let invite = try ledger.record(json: step("invite.received", "x2", at: Self.time(300),
                                                  ["invitedUserId": 1, "partnerUserId": 100, "brokerName": "B"]))
        #expect(invite.result == "CYCLE")
        #expect(try ledger.upline(of: .userId(1)).levels.isEmpty)
    }
}
