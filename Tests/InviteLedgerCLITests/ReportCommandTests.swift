import Foundation
import Testing

@Suite("reports")
struct ReportCommandTests {
    func seeded(_ scratch: Scratch) throws -> String {
        let db = scratch.path("ledger.sqlite")
        for name in ["flow-1", "flow-2", "attribution-outcomes"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(name).ndjson").path, "--db", db]).status == 0)
        }
        return db
    }

    @Test("the reports in both formats match their golden files", arguments: [
        ("attributions", "csv"), ("attributions", "ndjson"), ("partners", "csv"), ("partners", "ndjson"),
        ("upline-intervals", "csv"), ("upline-intervals", "ndjson"),
    ])
    func goldenFiles(report: String, format: String) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let result = try CLI.run(["report", report, "--format", format, "--db", db])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == (try String(contentsOf: CLI.fixture("expected/report-\(report).\(format)"), encoding: .utf8)))
        #expect(result.stderr == "")
    }

    @Test("--from/--to select the period; --output writes atomically; --print-summary names the snapshot")
    func periodAndOutput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let output = scratch.path("period.ndjson")
        let result = try CLI.run([
            "report", "attributions", "--from", "2026-04-05T00:00:00Z", "--to", "2026-04-08T00:00:00Z", "--levels", "1",
            "--format", "ndjson", "--output", output, "--print-summary", "--db", db,
        ])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == "")
        #expect(result.stderr == #"{"rows":2,"snapshotSeq":47}"# + "\n")
        #expect(try String(contentsOf: URL(fileURLWithPath: output), encoding: .utf8) == """
            {"seq":35,"attributedAt":"2026-04-05T10:00:00.000Z","outcome":"REASSIGNED","via":"reassignment","userId":1012,"brokerName":null,"partnerId":"ib-dave","holderLevel":"user","holderCtidTraderAccountId":null,"linkId":null,"forced":true,"reason":"partner dispute #41","operator":"support@acme","refusedPartnerId":null,"previousUserId":1001,"previousPartnerId":"ib-alice","previousValidFrom":"2026-04-04T10:00:00.000Z","previousValidTo":"2026-04-05T10:00:00.000Z","level1UserId":1003,"level1PartnerId":"ib-dave"}
            {"seq":37,"attributedAt":"2026-04-07T10:00:00.000Z","outcome":"DETACHED","via":"reassignment","userId":1012,"brokerName":null,"partnerId":null,"holderLevel":null,"holderCtidTraderAccountId":null,"linkId":null,"forced":true,"reason":"fraud review","operator":"risk@acme","refusedPartnerId":null,"previousUserId":1003,"previousPartnerId":"ib-dave","previousValidFrom":"2026-04-05T10:00:00.000Z","previousValidTo":"2026-04-07T10:00:00.000Z","level1UserId":null,"level1PartnerId":null}

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".partial") } == [])
        // A failing report leaves neither the final file nor a partial one.
        let failed = try CLI.run(["report", "partners", "--broker", "nobody", "--output", scratch.path("failed.csv"), "--db", db])
        #expect(failed.status == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".partial") } == [])
        #expect(!FileManager.default.fileExists(atPath: scratch.path("failed.csv")))
        let backwards = try CLI.run(["report", "attributions", "--from", "2026-05-01T00:00:00Z", "--to", "2026-04-01T00:00:00Z", "--db", db])
        #expect(backwards.status == 2)
        #expect(backwards.stderr == #"{"error":{"code":"INVALID_FIELD","field":"--to","message":"to (2026-04-01T00:00:00.000Z) is before from (2026-05-01T00:00:00.000Z)"}}"# + "\n")
    }

    @Test("--outcome keeps the accepted or the refused decisions; a refused row's level 1 is the partner the user kept")
    func outcomeFilter() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let golden = try String(contentsOf: CLI.fixture("expected/report-attributions.csv"), encoding: .utf8)
            .split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        let header = golden[0]
        let changes: Set<String> = ["ATTRIBUTED", "REASSIGNED", "DETACHED"]
        let rows = golden.dropFirst().filter { !$0.isEmpty }
        func outcome(_ row: String) -> String { String(row.split(separator: ",", omittingEmptySubsequences: false)[2]) }
        let accepted = try CLI.run(["report", "attributions", "--outcome", "accepted", "--db", db])
        #expect(accepted.status == 0, "\(accepted)")
        #expect(accepted.stdout == ([header] + rows.filter { changes.contains(outcome($0)) }).map { $0 + "\r\n" }.joined())
        let rejected = try CLI.run(["report", "attributions", "--outcome", "rejected", "--db", db])
        #expect(rejected.status == 0, "\(rejected)")
        #expect(rejected.stdout == ([header] + rows.filter { !changes.contains(outcome($0)) }).map { $0 + "\r\n" }.joined())
        // Counted per level-1 partner, the accepted rows give alice 1002, 1012 (04-04 and 04-08)
        // and 1003 (04-09): four; the whole report also names her on the refused step 21, where
        // 1002 kept her.
        let level1 = header.split(separator: ",").firstIndex(of: "level1UserId")!
        func level1Count(_ csv: String) -> Int {
            csv.split(separator: "\r\n").dropFirst().filter { $0.split(separator: ",", omittingEmptySubsequences: false)[level1] == "1001" }.count
        }
        #expect(level1Count(accepted.stdout) == 4)
        #expect(level1Count(golden.joined(separator: "\r\n")) == 5)
        #expect(rows.count == 15)
        #expect(rejected.stdout.contains(
            "21,2026-04-01T09:00:00.000Z,ALREADY_ATTRIBUTED,invite,1002,Acme Markets,ib-carol,user,,,false,,,ib-carol,,,,,1001,ib-alice,,,,\r\n"))
        let all = try CLI.run(["report", "attributions", "--outcome", "all", "--db", db])
        #expect(all.stdout == golden.joined(separator: "\r\n"))
        let typo = try CLI.run(["report", "attributions", "--outcome", "accept", "--db", db])
        #expect(typo.status == 1)
        #expect(typo.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--outcome","message":"option --outcome: expected one of accepted, rejected, all, got \"accept\""}}"#))
        #expect(typo.stdout == "")
    }

    @Test("awkward partnerIds survive a round trip through a real CSV parser")
    func awkwardValues() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let partnerIds = [
            "plain", "comma,inside", "say \"hi\"", "\"", ",", "first.last+ib@example.com", "Алиса-партнёр", "パートナー",
            "100% 'off'; DROP TABLE event;--", " spaced ", "emoji \u{1F600}",
        ]
        var lines: [String] = []
        for (index, partnerId) in partnerIds.enumerated() {
            let partner = 100 + index
            let referred = 200 + index
            lines.append(#"{"step":"user.created","eventId":"p\#(index)","brokerCrmName":"acme","at":"2026-01-01T00:00:00Z","userId":\#(partner)}"#)
            let escaped = String(decoding: try JSONSerialization.data(withJSONObject: [partnerId], options: [.withoutEscapingSlashes]), as: UTF8.self).dropFirst().dropLast()
            lines.append(#"{"step":"referral.set","eventId":"s\#(index)","brokerCrmName":"acme","at":"2026-01-01T00:00:00Z","partnerId":\#(escaped),"userId":\#(partner)}"#)
            lines.append(#"{"step":"user.created","eventId":"u\#(index)","brokerCrmName":"acme","at":"2026-01-02T00:00:0\#(index % 10)Z","userId":\#(referred),"partnerId":\#(escaped),"brokerName":"Acme, \"EU\""}"#)
        }
        let ingest = try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--db", db], stdin: lines.joined(separator: "\n") + "\n")
        #expect(ingest.status == 0, "\(ingest)")
        let report = scratch.path("report.csv")
        #expect(try CLI.run(["report", "attributions", "--levels", "1", "--output", report, "--db", db]).status == 0)
        let parsed = try python("""
            import csv, json, sys
            with open(sys.argv[1], newline='', encoding='utf-8') as f:
                rows = list(csv.DictReader(f, strict=True))
            print(json.dumps([[r['userId'], r['partnerId'], r['level1PartnerId'], r['brokerName']] for r in rows]))
            """, report)
        let expected = partnerIds.enumerated().map { ["\(200 + $0.offset)", $0.element, $0.element, "Acme, \"EU\""] }
        let decoded = try JSONSerialization.jsonObject(with: Data(parsed.utf8)) as? [[String]]
        #expect(decoded?.sorted { $0[0] < $1[0] } == expected)
        // And the NDJSON parses back to the same values.
        let ndjson = try CLI.run(["report", "attributions", "--levels", "1", "--format", "ndjson", "--db", db])
        let values = ndjson.stdout.split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.compactMap { $0["partnerId"] as? String }
        #expect(values.sorted() == partnerIds.sorted())
    }

    @Test("a report taken while another process ingests holds exactly what was committed before it began")
    func snapshotDuringIngest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let lines = SyntheticSteps.lines(partners: 100, users: 8_000)
        let file = scratch.path("big.ndjson")
        try SyntheticSteps.write(lines, to: file)
        #expect(try CLI.run(["init", "--db", db]).status == 0)

        let ingest = Process()
        ingest.executableURL = CLI.binary
        ingest.arguments = ["ingest", "--create", "--allow-new-brokers", file, "--incremental", "--batch-size", "500", "--report-commits", "--db", db]
        let commitsURL = scratch.url.appendingPathComponent("commits")
        _ = FileManager.default.createFile(atPath: commitsURL.path, contents: nil)
        ingest.standardOutput = try FileHandle(forWritingTo: commitsURL)
        try ingest.run()
        // Wait for a few commits, then report while the ingest goes on.
        var reports: [(summary: String, csv: String)] = []
        for _ in 0..<3 {
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline {
                let count = (try? String(contentsOf: commitsURL, encoding: .utf8))?.split(separator: "\n").count ?? 0
                if count > reports.count * 6 + 2 { break }
                Thread.sleep(forTimeInterval: 0.01)
            }
            let report = try CLI.run(["report", "attributions", "--levels", "2", "--print-summary", "--db", db])
            #expect(report.status == 0, "\(report.stderr)")
            reports.append((report.stderr, report.stdout))
        }
        ingest.waitUntilExit()
        #expect(ingest.terminationStatus == 0)
        let committed = try String(contentsOf: commitsURL, encoding: .utf8).split(separator: "\n").compactMap {
            (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any]
        }.compactMap { $0["recorded"] as? Int }
        let final = try CLI.run(["report", "attributions", "--levels", "2", "--db", db])
        let finalRows = final.stdout.split(separator: "\r\n", omittingEmptySubsequences: false)
        for report in reports {
            let summary = try JSONSerialization.jsonObject(with: Data(report.summary.utf8)) as? [String: Int]
            let snapshotSeq = summary?["snapshotSeq"] ?? -1
            // The snapshot ends on a commit: never inside a batch.
            #expect(committed.contains(snapshotSeq), "snapshot at seq \(snapshotSeq) is not a commit point")
            // Its rows are exactly the final report's rows recorded up to that seq.
            let expected = finalRows.filter { row in
                guard let seq = Int(row.split(separator: ",").first ?? "") else { return true }
                return seq <= snapshotSeq
            }
            #expect(report.csv.split(separator: "\r\n", omittingEmptySubsequences: false) == expected)
            #expect(summary?["rows"] == expected.count - 2)
        }
        #expect(reports.contains { (try? JSONSerialization.jsonObject(with: Data($0.summary.utf8)) as? [String: Int])?["snapshotSeq"] ?? 0 < lines.count },
                "at least one report ran before the ingest finished")
    }

    func python(_ script: String, _ argument: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", script, argument]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return output
    }
}
