import Foundation
import InviteLedger
import LedgerStore

/// Generates the forest, then measures each figure of issue 6 against its baseline, in the same
/// run, and prints a table (also written to `results.md` in the work directory).
struct Benchmark {
    let generator: ForestGenerator
    let runs: Int
    let work: String
    /// Skip generating and ingesting: measure queries, report and verify on the work directory's ledger.
    var reuse = false
    /// Measure the client area's queries only (with `reuse`: to compare two builds on one ledger).
    var queriesOnly = false

    struct Figure {
        var name: String
        var value: Double
        var unit: String
        var baseline: Double?
        var target: String
        var met: Bool?
    }

    private var figures: [Figure] = []
    /// The median time of `sqlite3 .import` of as many rows as the forest has steps: the baseline
    /// of the three jobs that build a whole ledger from a log (first load, rebuild, verify).
    private var importSeconds: Double?

    init(generator: ForestGenerator, runs: Int, work: String) {
        self.generator = generator
        self.runs = max(1, runs)
        self.work = work
    }

    private func path(_ name: String) -> String { URL(fileURLWithPath: work).appendingPathComponent(name).path }

    private var cli: String {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("invite-ledger").path
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }

    private func log(_ text: String) {
        FileHandle.standardError.write(Data((text + "\n").utf8))
    }

    /// Removes a database of the work directory with its files, head witness included (a ledger's
    /// witness left behind would make the next ingest refuse the new, empty file).
    private func removeDatabase(_ name: String) {
        _ = freshLedger(in: work, name)
    }

    mutating func run() throws {
        try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
        guard FileManager.default.isExecutableFile(atPath: cli) else {
            throw BenchmarkError("\(cli) is missing: build it first (swift build -c release)")
        }
        // 1. The forest.
        let forest = path("forest.ndjson")
        let summary: ForestGenerator.Summary
        if reuse {
            summary = try generator.generate(to: FileHandle(forWritingAtPath: "/dev/null")!)
        } else {
            summary = try generateAndIngest(forest)
        }
        try measureReads(summary)
    }

    private mutating func generateAndIngest(_ forest: String) throws -> ForestGenerator.Summary {
        log("generating \(generator.users) users (seed \(generator.seed)) into \(forest)")
        _ = FileManager.default.createFile(atPath: forest, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: forest))
        let summary = try generator.generate(to: handle)
        try handle.close()
        let steps = Double(summary.steps)
        log("\(summary.steps) steps; biggest partners: \(summary.biggestPartners.prefix(3).map { "\($0.userId) (\($0.descendants))" }.joined(separator: ", ")); mid: \(summary.midPartner.userId) (\(summary.midPartner.descendants)); deepest: \(summary.deepestUserId) (depth \(summary.deepestDepth))")

        // 2. Ingest, against sqlite3 .import of the same number of rows.
        let csv = path("forest.csv")
        try Self.writeImportCSV(from: forest, to: csv)
        var ingestTimes: [Double] = []
        var ingestRSS: [Int] = []
        var importTimes: [Double] = []
        var flatness: [Double] = []
        for run in 1...runs {
            removeDatabase("ledger.sqlite")
            // The time at which each million lines was committed, from --report-commits.
            var millionTimes: [Double] = [0]
            var lastLine = 0
            var commits: [(line: Int, seconds: Double)] = [(0, 0)]
            let ingest = try ChildProcess.run(
                cli, ["ingest", forest, "--db", path("ledger.sqlite"), "--create", "--format", "json", "--report-commits"]
            ) { line, seconds in
                guard case .number(let text)? = (try? JSONParser.parse(line))?["committedThroughLine"],
                      let committed = Int(text) else { return }
                if committed / 1_000_000 > lastLine / 1_000_000 { millionTimes.append(seconds) }
                lastLine = committed
                commits.append((committed, seconds))
            }
            guard ingest.status == 0 else { throw BenchmarkError("ingest exited \(ingest.status): see \(path("ingest.out"))") }
            ingestTimes.append(ingest.seconds)
            ingestRSS.append(ingest.peakRSSKiB)
            removeDatabase("baseline.sqlite")
            let script = path("import.sql")
            try Self.importScript(csv: csv).write(toFile: script, atomically: true, encoding: .utf8)
            let baseline = try ChildProcess.run("sqlite3", [path("baseline.sqlite")], stdin: script)
            guard baseline.status == 0 else { throw BenchmarkError("sqlite3 .import exited \(baseline.status)") }
            importTimes.append(baseline.seconds)
            log("ingest run \(run): \(String(format: "%.1f", ingest.seconds)) s (\(Int(steps / ingest.seconds)) steps/s), sqlite3 .import: \(String(format: "%.1f", baseline.seconds)) s")
            let perMillion = zip(millionTimes.dropFirst(), millionTimes).map { 1_000_000 / ($0 - $1) }
            log("ingest run \(run), steps/s per million steps: " + perMillion.map { "\(Int($0))" }.joined(separator: ", "))
            // The last million: from the last commit at least a million lines before the end.
            if let first = perMillion.first, let end = commits.last, end.line >= 2_000_000,
               let start = commits.last(where: { $0.line <= end.line - 1_000_000 })
            {
                let last = Double(end.line - start.line) / (end.seconds - start.seconds)
                log("ingest run \(run), last million steps: \(Int(last)) steps/s (\(start.line + 1) to \(end.line))")
                flatness.append(last / first)
            }
        }
        importSeconds = Self.median(importTimes)
        let ingestRate = steps / Self.median(ingestTimes)
        figures.append(Figure(
            name: "first load, ingest into an empty ledger (steps/s)", value: ingestRate, unit: "steps/s",
            baseline: steps / Self.median(importTimes), target: "ratio >= 0.4",
            met: ingestRate >= 0.4 * steps / Self.median(importTimes)))
        if !flatness.isEmpty {
            let ratio = Self.median(flatness)
            figures.append(Figure(
                name: "ingest, last million steps against the first (rate ratio, \(generator.attachment.rawValue) forest)",
                value: ratio * 100, unit: "%", baseline: nil, target: ">= 70%", met: ratio >= 0.7))
        }
        let ingestPeak = Double(ingestRSS.max() ?? 0) / 1024
        // A first load's bulk start holds its rows in memory: the bound of a first load is 512 MiB.
        figures.append(Figure(name: "ingest peak RSS", value: ingestPeak, unit: "MiB", baseline: nil, target: "<= 512 MiB", met: ingestPeak <= 512))
        return summary
    }

    private mutating func measureReads(_ summary: ForestGenerator.Summary) throws {

        // 3. The client area's queries, in process.
        let ledger = try Ledger(path: path("ledger.sqlite"), access: .readOnly)
        let biggest = summary.biggestPartners.first!
        for (label, partner) in [("biggest partner \(biggest.userId), \(biggest.descendants) descendants", biggest.userId),
                                 ("mid-size partner \(summary.midPartner.userId), \(summary.midPartner.descendants) descendants", summary.midPartner.userId)] {
            try measureQuery("first page of direct referrals, \(label)", target: 5) {
                _ = try ledger.referrals(of: .userId(partner), depth: 1, limit: 50)
            }
            try measureQuery("first page to depth 3, \(label)", target: 5) {
                _ = try ledger.referrals(of: .userId(partner), depth: 3, limit: 50)
            }
            try measureQuery("stats per level, \(label)", target: partner == biggest.userId ? 50 : 5) {
                _ = try ledger.stats(of: .userId(partner))
            }
        }
        try measureQuery("upline of the deepest user (\(summary.deepestUserId), depth \(summary.deepestDepth))", target: 5) {
            _ = try ledger.upline(of: .userId(summary.deepestUserId))
        }
        try measureQuery("trace of the deepest user (\(summary.deepestDepth) upline sections)", target: 5) {
            _ = try ledger.trace(of: .userId(summary.deepestUserId))
        }

        if queriesOnly {
            try ledger.close()
            printTable(summary: summary)
            return
        }

        // 4. The attributions report with 3 upline levels, against sqlite3 -csv on the same query.
        let brokerId = try Int64.fetchOne(Database(path: path("ledger.sqlite"), mode: .readOnly), sql: "SELECT id FROM broker") ?? 1
        let baselineSQL = Self.baselineReportSQL(brokerId: brokerId)
        var reportTimes: [Double] = []
        var reportRSS: [Int] = []
        var sqliteTimes: [Double] = []
        for run in 1...runs {
            let report = try ChildProcess.run(cli, ["report", "attributions", "--levels", "3", "--output", path("report.csv"), "--db", path("ledger.sqlite")])
            guard report.status == 0 else { throw BenchmarkError("report exited \(report.status)") }
            reportTimes.append(report.seconds)
            reportRSS.append(report.peakRSSKiB)
            // No header: one of the query's column names spans two lines.
            let baseline = try ChildProcess.run("sqlite3", ["-csv", path("ledger.sqlite"), baselineSQL], stdout: path("baseline.csv"))
            guard baseline.status == 0 else { throw BenchmarkError("sqlite3 -csv exited \(baseline.status)") }
            sqliteTimes.append(baseline.seconds)
            log("report run \(run): \(String(format: "%.2f", report.seconds)) s, sqlite3 -csv: \(String(format: "%.2f", baseline.seconds)) s")
        }
        let rows = Double(try Self.countLines(path("report.csv")) - 1)
        let baselineRows = Double(try Self.countLines(path("baseline.csv")))
        guard rows == baselineRows else { throw BenchmarkError("report has \(rows) rows, the sqlite3 baseline \(baselineRows)") }
        let reportRate = rows / Self.median(reportTimes)
        let sqliteRate = rows / Self.median(sqliteTimes)
        figures.append(Figure(
            name: "attributions report, 3 levels (rows/s)", value: reportRate, unit: "rows/s", baseline: sqliteRate,
            target: "ratio >= 1.0", met: reportRate >= sqliteRate))
        let reportPeak = Double(reportRSS.max() ?? 0) / 1024
        figures.append(Figure(name: "report peak RSS", value: reportPeak, unit: "MiB", baseline: nil, target: "< 150 MiB", met: reportPeak < 150))

        // 4b. The upline intervals, 3 levels, against sqlite3 -csv running the view's recursive
        //     query cut at 3 levels (the same rows in the same order).
        let intervalSQL = try Self.baselineIntervalSQL()
        var intervalTimes: [Double] = []
        var intervalRSS: [Int] = []
        var intervalSQLiteTimes: [Double] = []
        for run in 1...runs {
            let report = try ChildProcess.run(
                cli, ["report", "upline-intervals", "--levels", "3", "--output", path("intervals.csv"), "--db", path("ledger.sqlite")])
            guard report.status == 0 else { throw BenchmarkError("report upline-intervals exited \(report.status)") }
            intervalTimes.append(report.seconds)
            intervalRSS.append(report.peakRSSKiB)
            let baseline = try ChildProcess.run(
                "sqlite3", ["-csv", "-header", path("ledger.sqlite"), intervalSQL], stdout: path("intervals-baseline.csv"))
            guard baseline.status == 0 else { throw BenchmarkError("sqlite3 -csv exited \(baseline.status)") }
            intervalSQLiteTimes.append(baseline.seconds)
            log("interval report run \(run): \(String(format: "%.2f", report.seconds)) s, sqlite3 -csv: \(String(format: "%.2f", baseline.seconds)) s")
        }
        let intervalRows = Double(try Self.countLines(path("intervals.csv")) - 1)
        let intervalBaselineRows = Double(try Self.countLines(path("intervals-baseline.csv")) - 1)
        guard intervalRows == intervalBaselineRows else {
            throw BenchmarkError("the interval report has \(intervalRows) rows, the sqlite3 baseline \(intervalBaselineRows)")
        }
        let intervalRate = intervalRows / Self.median(intervalTimes)
        let intervalSQLiteRate = intervalRows / Self.median(intervalSQLiteTimes)
        figures.append(Figure(
            name: "upline intervals report, 3 levels (rows/s)", value: intervalRate, unit: "rows/s", baseline: intervalSQLiteRate,
            target: "ratio >= 1.0", met: intervalRate >= intervalSQLiteRate))
        let intervalPeak = Double(intervalRSS.max() ?? 0) / 1024
        figures.append(Figure(
            name: "upline intervals report peak RSS", value: intervalPeak, unit: "MiB", baseline: nil, target: "< 256 MiB",
            met: intervalPeak < 256))

        // 5. verify: the hash chain alone (in process), and everything (chain, integrity, foreign
        //    keys, schema, the log replayed and every row compared) as the command an auditor runs;
        //    then `rebuild --to`, the repair path. Both build a whole ledger from the log, as the
        //    first load does: their baseline is the same run's `sqlite3 .import`.
        var chainTimes: [Double] = []
        var events = 0.0
        for _ in 1...runs {
            let start = DispatchTime.now().uptimeNanoseconds
            let chain = try ledger.verify(chainOnly: true)
            chainTimes.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9)
            events = Double(chain.events)
            guard chain.isIntact else { throw BenchmarkError("the generated ledger's hash chain does not verify") }
        }
        try ledger.close()
        let chainRate = events / Self.median(chainTimes)
        figures.append(Figure(name: "verify, hash chain (events/s)", value: chainRate, unit: "events/s", baseline: nil,
                              target: ">= 333,000 events/s", met: chainRate >= 333_000))
        let importRate = importSeconds.map { Double(summary.steps) / $0 }
        let verify = try measureCommand("verify", ["verify", "--quiet", "--db", path("ledger.sqlite")])
        figures.append(Figure(name: "verify, all checks (events/s)", value: events / verify.seconds, unit: "events/s",
                              baseline: importRate, target: "ratio >= 0.3", met: importRate.map { events / verify.seconds >= 0.3 * $0 }))
        figures.append(Figure(name: "verify peak RSS", value: verify.peakMiB, unit: "MiB", baseline: nil, target: "<= 512 MiB",
                              met: verify.peakMiB <= 512))
        let rebuild = try measureCommand("rebuild --to", ["rebuild", "--to", path("rebuilt.sqlite"), "--quiet", "--db", path("ledger.sqlite")]) {
            removeDatabase("rebuilt.sqlite")
        }
        figures.append(Figure(name: "rebuild --to (events/s)", value: events / rebuild.seconds, unit: "events/s",
                              baseline: importRate, target: "ratio >= 0.4 (the first load's)",
                              met: importRate.map { events / rebuild.seconds >= 0.4 * $0 }))
        figures.append(Figure(name: "rebuild --to peak RSS", value: rebuild.peakMiB, unit: "MiB", baseline: nil, target: "<= 512 MiB",
                              met: rebuild.peakMiB <= 512))
        removeDatabase("rebuilt.sqlite")
        printTable(summary: summary)
    }

    /// Runs a command of the release binary `runs` times (after `prepare`, each time): the median
    /// time and the largest peak RSS.
    private func measureCommand(
        _ name: String, _ arguments: [String], prepare: () -> Void = {}
    ) throws -> (seconds: Double, peakMiB: Double) {
        var times: [Double] = []
        var peak = 0
        for run in 1...runs {
            prepare()
            let result = try ChildProcess.run(cli, arguments)
            guard result.status == 0 else { throw BenchmarkError("\(name) exited \(result.status)") }
            times.append(result.seconds)
            peak = max(peak, result.peakRSSKiB)
            log("\(name) run \(run): \(String(format: "%.1f", result.seconds)) s, peak RSS \(result.peakRSSKiB / 1024) MiB")
        }
        return (Self.median(times), Double(peak) / 1024)
    }

    private mutating func measureQuery(_ name: String, target milliseconds: Double, _ body: () throws -> Void) throws {
        for _ in 0..<3 { try body() }
        var times: [Double] = []
        for _ in 0..<31 {
            let start = DispatchTime.now().uptimeNanoseconds
            try body()
            times.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        let median = Self.median(times)
        log("\(name): \(String(format: "%.3f", median)) ms")
        figures.append(Figure(name: name, value: median, unit: "ms", baseline: nil, target: "< \(Int(milliseconds)) ms", met: median < milliseconds))
    }

    private func printTable(summary: ForestGenerator.Summary) {
        var text = "| figure | median | baseline (same run) | ratio | target | met |\n|---|---|---|---|---|---|\n"
        for figure in figures {
            let value = figure.unit == "ms" ? String(format: "%.3f ms", figure.value)
                : figure.unit == "%" ? String(format: "%.0f%%", figure.value)
                : figure.unit == "MiB" ? String(format: "%.0f MiB", figure.value)
                : "\(Int(figure.value).formatted()) \(figure.unit)"
            let baseline = figure.baseline.map { "\(Int($0).formatted()) \(figure.unit)" } ?? "-"
            let ratio = figure.baseline.map { String(format: "%.2f", figure.value / $0) } ?? "-"
            let met = figure.met.map { $0 ? "yes" : "**no**" } ?? "-"
            text += "| \(figure.name) | \(value) | \(baseline) | \(ratio) | \(figure.target) | \(met) |\n"
        }
        text += "\n\(summary.steps.formatted()) steps, \(generator.users.formatted()) users, \(runs) runs (median), seed \(generator.seed).\n"
        print(text)
        try? text.write(toFile: path("results.md"), atomically: true, encoding: .utf8)
    }

    /// The baseline: the sqlite3 shell script that imports the CSV rows into one table with a
    /// unique eventId, in one transaction.
    static func importScript(csv: String) -> String {
        """
        CREATE TABLE step (seq INTEGER PRIMARY KEY, eventId TEXT NOT NULL, step TEXT NOT NULL, at TEXT NOT NULL, payload TEXT NOT NULL);
        CREATE UNIQUE INDEX step_eventId ON step (eventId);
        .mode csv
        BEGIN;
        .import \(csv) step
        COMMIT;

        """
    }

    /// The NDJSON as CSV rows (seq, eventId, step, at, payload) for `.import`.
    static func writeImportCSV(from source: String, to destination: String) throws {
        var reader = try NDJSONReader.open(path: source)
        defer { reader.close() }
        _ = FileManager.default.createFile(atPath: destination, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: destination))
        defer { try? handle.close() }
        var out: [UInt8] = []
        var seq = 0
        while try reader.nextLine({ line, _ in
            guard case .bytes(let bytes) = line else { return }
            seq += 1
            let value = try JSONParser.parse(bytes)
            var fields = [String(seq)]
            for key in ["eventId", "step", "at"] {
                if case .string(let text)? = value[key] { fields.append(text) } else { fields.append("") }
            }
            fields.append(String(decoding: bytes, as: UTF8.self))
            CSVWriter.appendRecord(fields, to: &out)
            if out.count > 1 << 20 {
                try handle.write(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }) != nil {}
        try handle.write(contentsOf: out)
    }

    /// The report's own query, with the timestamp and boolean formatted by SQL, for sqlite3 -csv.
    static func baselineReportSQL(brokerId: Int64) -> String {
        AttributionReport.sql(levels: 3)
            .replacingOccurrences(
                of: "SELECT t.eventSeq, t.decidedAt,",
                with: "SELECT t.eventSeq AS seq, strftime('%Y-%m-%dT%H:%M:%fZ', t.decidedAt / 1000.0, 'unixepoch') AS attributedAt,")
            .replacingOccurrences(of: "t.forced,", with: "CASE t.forced WHEN 1 THEN 'true' ELSE 'false' END AS forced,")
            .replacingOccurrences(of: "?1", with: String(brokerId))
            .replacingOccurrences(of: "?2", with: String(Int64.min))
            .replacingOccurrences(of: "?3", with: String(Int64.max))
    }

    /// The view `uplineInterval` of migration 0016 as a query cut at 3 levels, in the report's
    /// columns and order.
    static func baselineIntervalSQL() throws -> String {
        guard let view = LedgerSchema.migrations.first(where: { $0.identifier == "0016_create_upline_interval_view" })?.sql,
              let start = view.range(of: "WITH RECURSIVE")
        else { throw BenchmarkError("migration 0016 has no recursive view") }
        let query = String(view[start.lowerBound...]).trimmingCharacters(in: .whitespacesAndNewlines.union(.init(charactersIn: ";")))
            .replacingOccurrences(of: "WHERE up.level < 20", with: "WHERE up.level < 3")
            .replacingOccurrences(of: "SELECT b.brokerCrmName AS brokerCrmName,\n", with: "SELECT ")
        return query + "\nORDER BY u.userId, up.level, up.validFrom;"
    }

    static func countLines(_ path: String) throws -> Int {
        var reader = try NDJSONReader.open(path: path)
        defer { reader.close() }
        var count = 0
        while try reader.nextLine({ _, _ in count += 1 }) != nil {}
        return count
    }
}
