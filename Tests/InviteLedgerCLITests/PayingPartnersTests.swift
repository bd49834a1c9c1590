import Foundation
import Testing

/// The worked example of PayingPartners.md, run as the article says: its history ingested, its
/// commands' outputs and every number of its payout table recomputed.
@Suite("Paying partners article")
struct PayingPartnersTests {
    static func article() throws -> String {
        try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("Sources/InviteLedger/InviteLedger.docc/PayingPartners.md"),
            encoding: .utf8)
    }

    /// The code blocks of a language, in order.
    static func blocks(_ text: String, _ language: String) -> [String] {
        text.components(separatedBy: "```\(language)\n").dropFirst().map { $0.components(separatedBy: "```")[0] }
    }

    @Test("the worked example: intervals, activity and the payout table are what the commands give")
    func workedExample() throws {
        let text = try Self.article()
        let scratch = try Scratch()
        defer { scratch.remove() }
        let history = try #require(Self.blocks(text, "json").first)
        let csv = Self.blocks(text, "csv")
        #expect(csv.count == 4)
        try history.write(toFile: scratch.path("history.ndjson"), atomically: true, encoding: .utf8)
        try csv[0].write(toFile: scratch.path("deals.csv"), atomically: true, encoding: .utf8)
        let commands = try #require(Self.blocks(text, "sh").first).split(separator: "\n").map {
            $0.split(separator: " ").dropFirst().map(String.init)
        }
        #expect(commands.count == 4)
        let db = scratch.path("ledger.sqlite")
        var outputs: [String] = []
        for arguments in commands {
            let result = try CLI.run(
                arguments.map { $0.hasSuffix(".ndjson") || $0.hasSuffix(".csv") ? scratch.path($0) : $0 } + ["--db", db])
            #expect(result.status == 0, "\(arguments): \(result)")
            outputs.append(result.stdout.replacingOccurrences(of: "\r\n", with: "\n"))
        }
        #expect(outputs[1] == csv[1])
        #expect(outputs[2] == csv[2])
        #expect(outputs[3] == csv[3])
        // The totals agree with the payout table below.
        let totals = outputs[3].split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false) }
        let totalLots = Dictionary(uniqueKeysWithValues: totals.filter { !$0[1].isEmpty }.map { ("\($0[1]) \($0[0])", Int($0[5])!) })

        // The payout table, recomputed from the activity's output at $5 and $2 per lot.
        let rows = outputs[2].split(separator: "\n").dropFirst().map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
        var lots: [String: Int] = [:]
        var unpaid = 0
        for row in rows {
            let count = Int(row[3])!
            if row[4] == "false" { unpaid += count }
            if !row[5].isEmpty { lots["\(row[5]) 1", default: 0] += count }
            if !row[7].isEmpty { lots["\(row[7]) 2", default: 0] += count }
        }
        var table: [String: (Int, Int)] = [:]
        for line in text.split(separator: "\n") where line.hasPrefix("| ") && line.contains("$") {
            let cells = line.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            let userId = cells[0].split(separator: "(")[1].split(separator: ",")[0]
            table["\(userId) \(cells[1])"] = (Int(cells[2])!, Int(cells[3].dropFirst())!)
        }
        #expect(table.count == 3)
        for (key, value) in table {
            #expect(lots[key] == value.0, "\(key)")
            #expect(value.1 == value.0 * (key.hasSuffix(" 1") ? 5 : 2), "\(key)")
        }
        #expect(lots.count == table.count)
        #expect(totalLots == lots)
        #expect(text.contains("Dan's \(unpaid) lots of 25 March pay nobody"))
        // The two trees the article compares with.
        let late = try CLI.run(["upline", "--user-id", "4", "--as-of", "2026-03-31T00:00:00Z", "--format", "json", "--db", db])
        #expect(late.stdout.contains(#""upline":[]"#))
        let mid = try CLI.run(["upline", "--user-id", "4", "--as-of", "2026-03-15T00:00:00Z", "--format", "json", "--db", db])
        #expect(mid.stdout.contains(#"{"level":2,"userId":2,"partnerId":"ib-bob""#))
    }
}
