import Foundation
import InviteLedger
import LedgerStore

/// `invite-ledger-bench activity`: the forest ingested, 1% of its attributed users moved with
/// their downlines mid-period, then `rows` deals by trading account with times spread over the
/// period (so deals fall on both sides of the moves) put through `invite-ledger activity` with 3
/// levels, CSV in and out, against the `sqlite3` shell doing the same job in the same run:
/// `.import` of the deals, three LEFT JOINs of `attribution` on `decidedAt <= at < validTo`
/// through `traderAccount`, CSV out.
struct ActivityBenchmark {
    var forest: String
    var work: String
    var rows: Int
    var runs: Int

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appendingPathComponent(name).path }

    private var cli: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("invite-ledger").path
    }

    private func log(_ message: String) {
        FileHandle.standardError.write(Data(("activity: " + message + "\n").utf8))
    }

    func run() throws {
        let database = freshLedger(in: work, "activity.sqlite")
        let ingest = try ChildProcess.run(cli, ["ingest", forest, "--db", database, "--create", "--quiet"])
        guard ingest.status == 0 else { throw BenchmarkError("ingest exited \(ingest.status)") }
        var random = SystemRandomNumberGenerator()
        let (users, partnerIds, accounts, period) = try {
            let db = try Database(path: database, mode: .readOnly)
            defer { try? db.close() }
            let users = try Int64.fetchAll(db, sql: """
                SELECT u.userId FROM attribution t JOIN ctidUser u ON u.id = t.userRowId
                WHERE t.validTo IS NULL AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED')
                """)
            let partnerIds = try String.fetchAll(db, sql: "SELECT partnerId FROM partnerIdHolder")
            let accounts = try Int64.fetchAll(db, sql: "SELECT ctidTraderAccountId FROM traderAccount")
            let low = try Int64.fetchOne(db, sql: "SELECT min(decidedAt) FROM attribution") ?? 0
            let high = try Int64.fetchOne(db, sql: "SELECT max(decidedAt) FROM attribution") ?? 0
            return (users, partnerIds, accounts, low...(high + 30 * 86_400_000))
        }()
        guard !users.isEmpty, !partnerIds.isEmpty, !accounts.isEmpty else { throw BenchmarkError("the forest has no accounts") }
        // Moves: 1% of the attributed users, to another partnerId, after every attribution.
        let moveTime = period.upperBound - 20 * 86_400_000
        var moves = ""
        for (index, userId) in users.shuffled(using: &random).prefix(max(1, users.count / 100)).enumerated() {
            let at = Timestamp(milliseconds: moveTime + Int64(index) * 1000).rfc3339
            moves += #"{"step":"attribution.reassigned","eventId":"move-\#(index)","brokerCrmName":"bench","at":"\#(at)","userId":\#(userId),"partnerId":"\#(partnerIds.randomElement(using: &random)!)","reason":"benchmark move","operator":"bench","force":true}"# + "\n"
        }
        try moves.write(toFile: path("moves.ndjson"), atomically: true, encoding: .utf8)
        let moved = try ChildProcess.run(cli, ["ingest", path("moves.ndjson"), "--db", database, "--quiet"])
        guard moved.status == 0 || moved.status == 3 else { throw BenchmarkError("ingest of the moves exited \(moved.status)") }

        let deals = path("deals.csv")
        let handle = try FileHandle(forWritingTo: { _ = FileManager.default.createFile(atPath: deals, contents: nil); return URL(fileURLWithPath: deals) }())
        var block = "dealId,ctidTraderAccountId,at,volume\n"
        for deal in 0..<rows {
            let at = Timestamp(milliseconds: Int64.random(in: period, using: &random)).rfc3339
            block += "\(deal),\(accounts.randomElement(using: &random)!),\(at),\(Int.random(in: 1...500, using: &random) / 100).\(Int.random(in: 10...99, using: &random))\n"
            if block.utf8.count > 1 << 20 {
                handle.write(Data(block.utf8))
                block = ""
            }
        }
        handle.write(Data(block.utf8))
        try handle.close()

        let script = """
            .mode csv
            .import \(deals) deal
            .headers on
            .output \(path("sqlite-out.csv"))
            SELECT d.dealId, d.ctidTraderAccountId, d.at, d.volume,
                   p1.userId AS level1UserId, a1.partnerId AS level1PartnerId, p2.userId AS level2UserId,
                   a2.partnerId AS level2PartnerId, p3.userId AS level3UserId, a3.partnerId AS level3PartnerId
            FROM (SELECT *, CAST(round((julianday(at) - 2440587.5) * 86400000) AS INTEGER) AS ms FROM deal) d
            LEFT JOIN traderAccount acc ON acc.brokerId = 1 AND acc.ctidTraderAccountId = CAST(d.ctidTraderAccountId AS INTEGER)
            LEFT JOIN attribution a1 ON a1.userRowId = acc.userRowId AND a1.outcome IN ('ATTRIBUTED', 'REASSIGNED')
                AND a1.decidedAt <= d.ms AND (a1.validTo IS NULL OR a1.validTo > d.ms)
            LEFT JOIN ctidUser p1 ON p1.id = a1.parentRowId
            LEFT JOIN attribution a2 ON a2.userRowId = a1.parentRowId AND a2.outcome IN ('ATTRIBUTED', 'REASSIGNED')
                AND a2.decidedAt <= d.ms AND (a2.validTo IS NULL OR a2.validTo > d.ms)
            LEFT JOIN ctidUser p2 ON p2.id = a2.parentRowId
            LEFT JOIN attribution a3 ON a3.userRowId = a2.parentRowId AND a3.outcome IN ('ATTRIBUTED', 'REASSIGNED')
                AND a3.decidedAt <= d.ms AND (a3.validTo IS NULL OR a3.validTo > d.ms)
            LEFT JOIN ctidUser p3 ON p3.id = a3.parentRowId;
            """
        try script.write(toFile: path("sqlite-job.sql"), atomically: true, encoding: .utf8)
        var ours: [Double] = []
        var rss: [Int] = []
        var theirs: [Double] = []
        for run in 1...runs {
            let measured = try ChildProcess.run(cli, ["activity", deals, "--output", path("out.csv"), "--db", database])
            guard measured.status == 0 else { throw BenchmarkError("activity exited \(measured.status)") }
            ours.append(measured.seconds)
            rss.append(measured.peakRSSKiB)
            // The sqlite3 job on a copy: .import adds a table.
            let copy = freshLedger(in: work, "sqlite-job.sqlite")
            try FileManager.default.copyItem(atPath: database, toPath: copy)
            let baseline = try ChildProcess.run("sqlite3", [copy], stdin: path("sqlite-job.sql"))
            guard baseline.status == 0 else { throw BenchmarkError("the sqlite3 job exited \(baseline.status)") }
            theirs.append(baseline.seconds)
            log("run \(run): activity \(String(format: "%.2f", measured.seconds)) s (peak RSS \(measured.peakRSSKiB / 1024) MiB), sqlite3 job \(String(format: "%.2f", baseline.seconds)) s")
        }
        let written = try Benchmark.countLines(path("out.csv")) - 1
        let baselineRows = try Benchmark.countLines(path("sqlite-out.csv")) - 1
        guard written == rows, baselineRows == rows else {
            throw BenchmarkError("activity wrote \(written) rows, the sqlite3 job \(baselineRows), of \(rows)")
        }
        let rate = Double(rows) / Benchmark.median(ours)
        let baselineRate = Double(rows) / Benchmark.median(theirs)
        print("""
            activity, 3 levels, CSV in and out: \(rows) deals (\(users.count / 100) users moved with their downlines mid-period)
              invite-ledger activity: \(Int(rate)) rows/s (median of \(runs): \(String(format: "%.2f", Benchmark.median(ours))) s), target >= 1,000,000 rows/s: \(rate >= 1_000_000 ? "met" : "NOT met")
              sqlite3 job (.import, 3 LEFT JOINs, CSV out): \(Int(baselineRate)) rows/s: ratio \(String(format: "%.1f", rate / baselineRate))x, target >= 10x: \(rate >= 10 * baselineRate ? "met" : "NOT met")
              peak RSS: \(rss.max()! / 1024) MiB, target < 256 MiB: \(rss.max()! < 256 * 1024 ? "met" : "NOT met")
            """)
    }
}
