import Foundation
import Testing

/// The SQL examples of SqlViews.md, taken from the article and run by the `sqlite3` shell, give
/// what the command line prints.
@Suite("SQL views")
struct SqlViewTests {
    /// The article's ```sql blocks, in order.
    static func examples() throws -> [String] {
        let article = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("Sources/InviteLedger/InviteLedger.docc/SqlViews.md"),
            encoding: .utf8)
        return article.components(separatedBy: "```sql\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    static func json(_ text: String) throws -> Any {
        try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
    }

    /// A JSON value written with sorted keys: two equal values read the same.
    static func canonical(_ value: Any) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]), as: UTF8.self)
    }

    static func pick(_ object: Any, _ keys: [String], renaming: [String: String] = [:]) -> [String: Any] {
        let dictionary = object as? [String: Any] ?? [:]
        var picked: [String: Any] = [:]
        for key in keys {
            picked[renaming[key] ?? key] = dictionary[key] ?? NSNull()
        }
        return picked
    }

    @Test("every example of SqlViews.md answers as the command it names")
    func examplesMatchTheCommandLine() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db]).status == 0)
        }
        let examples = try Self.examples()
        #expect(examples.count == 8)
        func rows(_ index: Int) throws -> [[String: Any]] {
            let output = try CLI.sqlite3JSON(db, examples[index])
            return try Self.json(output) as? [[String: Any]] ?? []
        }
        func cli(_ arguments: [String]) throws -> [String: Any] {
            let result = try CLI.run(arguments + ["--format", "json", "--db", db])
            #expect(result.status == 0, "\(arguments): \(result)")
            return try Self.json(result.stdout) as? [String: Any] ?? [:]
        }
        let referralKeys = ["level", "userId", "parentUserId", "attributedAt", "partnerId", "partnerCtidTraderAccountId", "linkId"]
        let referrals = try cli(["referrals", "--user-id", "1001", "--depth", "3"])["referrals"] as? [Any] ?? []
        #expect(try Self.canonical(rows(0)) == Self.canonical(referrals.map { Self.pick($0, referralKeys) }))
        #expect(try rows(0).count == 2)

        let stats = try cli(["stats", "--user-id", "1001"])["levels"] ?? []
        #expect(try Self.canonical(rows(1)) == Self.canonical(stats))

        let upline = (try cli(["upline", "--user-id", "1003"])["upline"] as? [Any])?.first ?? [:]
        #expect(try Self.canonical(rows(2)) == Self.canonical([Self.pick(upline, ["userId", "partnerId"])]))

        let get = try cli(["referral", "get", "--account-id", "5002"])
        #expect(try Self.canonical(rows(3)) == Self.canonical([Self.pick(
            get, ["partnerId", "level", "userId", "ctidTraderAccountId", "crmPartnerRef", "since"])]))

        let verify = try cli(["verify"])
        #expect(try Self.canonical(rows(4)) == Self.canonical([["seq": verify["events"] ?? 0, "hash": verify["headHash"] ?? ""]]))

        let report = try CLI.run(["report", "attributions", "--format", "ndjson", "--db", db]).stdout
            .split(separator: "\n").map { try Self.json(String($0)) }.filter { Self.pick($0, ["userId"])["userId"] as? Int == 1003 }
        let keys = ["seq", "outcome", "via", "partnerId", "holderLevel", "holderCtidTraderAccountId", "linkId", "attributedAt", "level1UserId"]
        let expected = report.map { Self.pick($0, keys, renaming: ["attributedAt": "decidedAt", "level1UserId": "parentUserId"]) }
        #expect(try Self.canonical(rows(5)) == Self.canonical(expected))
        #expect(try rows(5).count == 1)

        let allLevels = try cli(["referrals", "--user-id", "1001", "--depth", "1000000"])["referrals"] as? [Any] ?? []
        let deepKeys = ["level", "userId", "parentUserId", "attributedAt", "partnerId"]
        #expect(try Self.canonical(rows(6)) == Self.canonical(allLevels.map { Self.pick($0, deepKeys) }))

        let asOf = try cli(["upline", "--user-id", "1003", "--as-of", "2026-04-01T00:00:00Z"])["upline"] as? [Any] ?? []
        let uplineKeys = ["level", "userId", "partnerId", "partnerCtidTraderAccountId"]
        #expect(try Self.canonical(rows(7)) == Self.canonical(asOf.map { Self.pick($0, uplineKeys) }))
        #expect(try rows(7).count == 2)
    }

    @Test("the example for levels deeper than 32 answers as referrals --depth on a chain of 80")
    func deepLevelsExample() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("chain.sqlite")
        var lines: [String] = []
        for user in 1...80 {
            let at = "2026-01-01T\(String(format: "%02d:%02d", user / 60, user % 60)):00Z"
            let partner = user > 1 ? #","partnerId":"p\#(user - 1)""# : ""
            lines.append(#"{"step":"user.created","eventId":"c\#(user)","brokerCrmName":"acme","at":"\#(at)","userId":\#(user + 1000)\#(partner)}"#)
            lines.append(#"{"step":"referral.set","eventId":"r\#(user)","brokerCrmName":"acme","at":"\#(at)","partnerId":"p\#(user)","userId":\#(user + 1000)}"#)
        }
        let file = scratch.path("chain.ndjson")
        try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", file, "--db", db]).status == 0)
        let sql = try Self.examples()[6]
        let rows = try Self.json(try CLI.sqlite3JSON(db, sql)) as? [[String: Any]] ?? []
        let result = try CLI.run(["referrals", "--user-id", "1001", "--depth", "100", "--limit", "100", "--format", "json", "--db", db])
        let referrals = (try Self.json(result.stdout) as? [String: Any])?["referrals"] as? [Any] ?? []
        #expect(rows.count == 79)
        #expect(try Self.canonical(rows) == Self.canonical(referrals.map {
            Self.pick($0, ["level", "userId", "parentUserId", "attributedAt", "partnerId"])
        }))
    }
}
