import Foundation
import InviteLedger

/// `invite-ledger-bench chain`: a referral chain `users` deep (each user referred by the previous
/// one, each becoming a partner) ingested by the release binary, against `sqlite3 .import` of the
/// same lines; then the storage per user and the tree queries on the deepest partner.
struct ChainBenchmark {
    var users: Int
    var work: String

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appendingPathComponent(name).path }

    private var cli: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("invite-ledger").path
    }

    /// Two steps per user: `user.created` through the previous user's partnerId, then `referral.set`.
    func writeChain(to file: String) throws {
        let start = Timestamp(rfc3339: "2025-01-01T00:00:00Z")!.milliseconds
        var out = #"{"step":"broker.configured","eventId":"c0","brokerCrmName":"chain","at":"\#(Timestamp(milliseconds: start).rfc3339)","guaranteedAttributionDays":0}"# + "\n"
        for user in 1...users {
            let at = Timestamp(milliseconds: start + Int64(user) * 60_000).rfc3339
            let partner = user > 1 ? #","partnerId":"p\#(user - 1)""# : ""
            out += #"{"step":"user.created","eventId":"c\#(user)","brokerCrmName":"chain","at":"\#(at)","userId":\#(user)\#(partner)}"# + "\n"
            out += #"{"step":"referral.set","eventId":"r\#(user)","brokerCrmName":"chain","at":"\#(at)","partnerId":"p\#(user)","userId":\#(user)}"# + "\n"
        }
        try out.write(toFile: file, atomically: true, encoding: .utf8)
    }

    func run() throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        let chain = path("chain.ndjson")
        try writeChain(to: chain)
        let steps = Double(users * 2)
        let database = freshLedger(in: work, "chain.sqlite")
        let ingest = try ChildProcess.run(cli, ["ingest", chain, "--db", database, "--create", "--quiet"])
        guard ingest.status == 0 else { throw BenchmarkError("ingest exited \(ingest.status)") }

        let csv = path("chain.csv")
        try Benchmark.writeImportCSV(from: chain, to: csv)
        let baselineDatabase = freshLedger(in: work, "chain-import.sqlite")
        let script = path("chain-import.sql")
        try Benchmark.importScript(csv: csv).write(toFile: script, atomically: true, encoding: .utf8)
        let baseline = try ChildProcess.run("sqlite3", [baselineDatabase], stdin: script)
        guard baseline.status == 0 else { throw BenchmarkError("sqlite3 .import exited \(baseline.status)") }

        let bytes = (try FileManager.default.attributesOfItem(atPath: database)[.size] as? Int) ?? 0
        let ledger = try Ledger(path: database, access: .readOnly)
        defer { try? ledger.close() }
        let stats = try ledger.stats(of: .userId(1))
        guard stats.levels.count == users - 1, stats.levels.allSatisfy({ $0.count == 1 }) else {
            throw BenchmarkError("stats of user 1: \(stats.levels.count) levels, expected \(users - 1) of one user each")
        }
        func milliseconds(_ body: () throws -> Void) throws -> Double {
            var times: [Double] = []
            for _ in 0..<11 {
                let start = DispatchTime.now().uptimeNanoseconds
                try body()
                times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
            }
            return Benchmark.median(times)
        }
        let statsTime = try milliseconds { _ = try ledger.stats(of: .userId(1)) }
        let pageTime = try milliseconds { _ = try ledger.referrals(of: .userId(1), depth: Int64(users), limit: 50) }
        // The last page: the 50 deepest levels, reached by a cursor at level users - 51.
        var skipped = 0
        var cursor: String?
        while skipped < users - 51 {
            let page = try ledger.referrals(
                of: .userId(1), depth: Int64(users), limit: min(Ledger.maximumPageSize, users - 51 - skipped), after: cursor)
            skipped += page.referrals.count
            cursor = page.nextCursor
        }
        let deepTime = try milliseconds {
            _ = try ledger.referrals(of: .userId(1), depth: Int64(users), limit: 50, after: cursor)
        }
        let uplineTime = try milliseconds { _ = try ledger.upline(of: .userId(Int64(users))) }
        print("""
            chain of \(users) users (\(Int(steps)) steps):
              ingest: \(String(format: "%.2f", ingest.seconds)) s, \(Int(steps / ingest.seconds)) steps/s, peak RSS \(ingest.peakRSSKiB / 1024) MiB
              sqlite3 .import of the same lines: \(String(format: "%.2f", baseline.seconds)) s, \(Int(steps / baseline.seconds)) rows/s (ratio \(String(format: "%.3f", baseline.seconds / ingest.seconds)))
              database: \(bytes) bytes, \(bytes / users) bytes per user
              stats of user 1 (\(users - 1) levels): \(String(format: "%.2f", statsTime)) ms
              first page to depth \(users): \(String(format: "%.2f", pageTime)) ms; last page: \(String(format: "%.2f", deepTime)) ms
              upline of user \(users) (\(users - 1) levels): \(String(format: "%.2f", uplineTime)) ms
            """)
    }
}
