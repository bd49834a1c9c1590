import Foundation
import Testing

/// Crashes, concurrency, hostile input and broker isolation, through the real binary.
@Suite("reliability", .serialized)
struct ReliabilityTests {
    /// Starts `invite-ledger` without waiting for it.
    func start(_ arguments: [String], stdout: String) throws -> Process {
        let process = Process()
        process.executableURL = CLI.binary
        process.arguments = arguments
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    /// The synthetic steps of the crash tests, written to `steps.ndjson` in `scratch`.
    func stepsFile(_ scratch: Scratch) throws -> (lines: [String], file: String) {
        let lines = SyntheticSteps.lines(partners: 50, users: 4_000)
        let file = scratch.path("steps.ndjson")
        try SyntheticSteps.write(lines, to: file)
        return (lines, file)
    }

    /// Starts `ingest --report-commits` of `file` into `db` in batches of `batch` (`options`
    /// added), SIGKILLs it after `delay` seconds, and returns whether the kill landed (it may have
    /// finished first) and the last line it acknowledged as committed (its reports are written
    /// to `reports`).
    func killedIngest(
        _ file: String, into db: String, batch: Int, options: [String] = ["--incremental"], after delay: Double,
        reports: String
    ) throws -> (killed: Bool, acknowledged: Int) {
        let ingest = try start(
            ["ingest", "--create", "--allow-new-brokers", file, "--batch-size", String(batch), "--report-commits", "--db", db]
                + options,
            stdout: reports)
        Thread.sleep(forTimeInterval: delay)
        kill(ingest.processIdentifier, SIGKILL)
        ingest.waitUntilExit()
        let acknowledged = try String(contentsOf: URL(fileURLWithPath: reports), encoding: .utf8)
            .split(separator: "\n").compactMap { line -> Int? in
                ((try? JSONSerialization.jsonObject(with: Data(line.utf8))) as? [String: Any])?["committedThroughLine"] as? Int
            }.max() ?? 0
        return (ingest.terminationReason == .uncaughtSignal, acknowledged)
    }

    func eventIds(_ db: String) throws -> [String] {
        try CLI.sqlite3(db, "SELECT eventId FROM event ORDER BY seq;").split(separator: "\n").map(String.init)
    }

    @Test("SIGKILL at random moments of an ingest, 20 times: nothing acknowledged is lost, nothing half-written, a re-run completes",
          .timeLimit(.minutes(5)))
    func killedIngest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (lines, file) = try stepsFile(scratch)
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let batch = 100
        var generator = SystemRandomNumberGenerator()
        var kills = 0
        var rounds = 0
        while kills < 20 && rounds < 60 {
            rounds += 1
            let (killed, acknowledged) = try killedIngest(
                file, into: db, batch: batch, after: Double.random(in: 0.02...0.6, using: &generator),
                reports: scratch.path("commits-\(rounds)"))
            if killed { kills += 1 }
            // Everything acknowledged as committed is there.
            let recorded = try eventIds(db)
            #expect(recorded.count >= acknowledged, "round \(rounds): \(acknowledged) acknowledged, \(recorded.count) recorded")
            // Only whole batches, as a prefix of the file: no step or batch half-written.
            #expect(recorded.count % batch == 0 || recorded.count == lines.count, "round \(rounds): \(recorded.count) events")
            #expect(recorded == (0..<recorded.count).map { "e\($0 + 1)" }, "round \(rounds)")
            let verify = try CLI.run(["verify", "--db", db])
            #expect(verify.status == 0, "round \(rounds): \(verify.stdout)")
        }
        #expect(kills >= 20, "only \(kills) kills landed in \(rounds) rounds")
        let before = try eventIds(db).count
        let rerun = try CLI.run(["ingest", "--create", "--allow-new-brokers", file, "--format", "json", "--db", db])
        #expect(rerun.status == 0)
        #expect(rerun.stdout == #"{"lines":\#(lines.count),"recorded":\#(lines.count - before),"duplicates":\#(before),"rejected":0,"rolledBack":false,"refusedAttributions":0}"# + "\n")
        #expect(try eventIds(db) == (0..<lines.count).map { "e\($0 + 1)" })
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        print("crash test: \(kills) SIGKILLs in \(rounds) rounds, \(lines.count) steps, nothing lost")
    }

    /// A first load (an ingest into a ledger with no rows) commits without waiting for the disk:
    /// a killed one must still keep everything it acknowledged, whole batches only, and verify.
    /// Built in bulk (every other round), its one transaction is all or nothing.
    @Test("SIGKILL during first loads, each into a new ledger, in bulk or batch by batch: what was acknowledged is there, and it verifies",
          .timeLimit(.minutes(5)))
    func killedFirstLoad() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let (lines, file) = try stepsFile(scratch)
        var generator = SystemRandomNumberGenerator()
        var kills = (bulk: 0, batches: 0)
        for round in 1...16 {
            let isBulk = round % 2 == 1
            let db = scratch.path("ledger-\(round).sqlite")
            let (killed, acknowledged) = try killedIngest(
                file, into: db, batch: 100, options: isBulk ? [] : ["--incremental"],
                after: Double.random(in: 0.1...0.5, using: &generator), reports: scratch.path("commits-\(round)"))
            guard killed else { continue }
            if isBulk { kills.bulk += 1 } else { kills.batches += 1 }
            let recorded = try eventIds(db)
            #expect(recorded.count >= acknowledged, "round \(round): \(acknowledged) acknowledged, \(recorded.count) recorded")
            #expect(recorded == (0..<recorded.count).map { "e\($0 + 1)" }, "round \(round)")
            if isBulk {
                #expect(recorded.count == 0 || recorded.count == lines.count, "round \(round): \(recorded.count) events")
                #expect(acknowledged == 0 || acknowledged == lines.count, "round \(round): \(acknowledged) acknowledged")
            }
            #expect(try CLI.run(["verify", "--db", db]).status == 0, "round \(round)")
        }
        #expect(kills.bulk >= 3 && kills.batches >= 3, "only \(kills) kills landed")
        print("first-load kills: \(kills.bulk) in bulk, \(kills.batches) batch by batch")
    }

    @Test("readers and verify beside writers never see 'database is locked' nor a false alarm; two writers both finish",
          .timeLimit(.minutes(5)))
    func concurrency() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let first = SyntheticSteps.lines(partners: 40, users: 3_000)
        let second = SyntheticSteps.lines(partners: 40, users: 3_000, broker: "zeta")
        try SyntheticSteps.write(first, to: scratch.path("acme.ndjson"))
        try SyntheticSteps.write(second, to: scratch.path("zeta.ndjson"))
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        // Two writers at once, on two brokers, while readers loop on the first.
        var writerA = try start(["ingest", "--create", "--allow-new-brokers", scratch.path("acme.ndjson"), "--batch-size", "50", "--db", db], stdout: scratch.path("a.out"))
        var writerB = try start(["ingest", "--create", "--allow-new-brokers", scratch.path("zeta.ndjson"), "--batch-size", "50", "--db", db], stdout: scratch.path("b.out"))
        var steps = first.count + second.count
        var extraWriters = 0
        let queries: [[String]] = [
            ["referrals", "--broker", "acme", "--partner-id", "ib-1", "--depth", "3", "--format", "json"],
            ["trace", "--broker", "acme", "--user-id", "1"],
            ["stats", "--broker", "acme", "--user-id", "1"],
            ["report", "attributions", "--broker", "acme", "--levels", "3", "--print-summary"],
            // verify proves the snapshot it read: a witness the writers moved on since is no cut log.
            ["verify", "--chain-only"],
        ]
        var operations = 0
        var verifies = 0
        var failures: [String] = []
        var snapshots: [(seq: Int, rows: Int)] = []
        // Wait for the first commit, so that broker acme exists.
        while (try? CLI.sqlite3(db, "SELECT COUNT(*) FROM broker WHERE brokerCrmName = 'acme';")) != "1\n" {
            Thread.sleep(forTimeInterval: 0.01)
        }
        var loops = 0
        while writerA.isRunning || writerB.isRunning || (verifies < 4 && extraWriters < 20) {
            loops += 1
            // On a fast machine the writers may end before four verifications ran beside them:
            // keep writing, on new brokers (the reports below read acme alone), until they have.
            if !writerA.isRunning && !writerB.isRunning {
                writerA.waitUntilExit()
                writerB.waitUntilExit()
                #expect(writerA.terminationStatus == 0)
                #expect(writerB.terminationStatus == 0)
                extraWriters += 1
                for (index, _) in ["a", "b"].enumerated() {
                    let lines = SyntheticSteps.lines(partners: 40, users: 3_000, broker: "extra-\(extraWriters)-\(index)")
                    try SyntheticSteps.write(lines, to: scratch.path("extra-\(extraWriters)-\(index).ndjson"))
                    steps += lines.count
                }
                writerA = try start(["ingest", "--create", "--allow-new-brokers", scratch.path("extra-\(extraWriters)-0.ndjson"), "--batch-size", "50", "--db", db], stdout: scratch.path("a.out"))
                writerB = try start(["ingest", "--create", "--allow-new-brokers", scratch.path("extra-\(extraWriters)-1.ndjson"), "--batch-size", "50", "--db", db], stdout: scratch.path("b.out"))
            }
            // The full verification (a replay, slow in a debug build) every fourth round.
            for query in queries + (loops % 4 == 1 ? [["verify"]] : []) {
                let result = try CLI.run(query + ["--db", db])
                operations += 1
                if query[0] == "verify" && (writerA.isRunning || writerB.isRunning) { verifies += 1 }
                if result.status != 0 || result.stderr.lowercased().contains("locked") || result.stderr.lowercased().contains("busy") {
                    if !(query[0] == "report" && result.status == 0) {
                        failures.append("\(query[0]): exit \(result.status): \(result.stderr)")
                    }
                }
                if query[0] == "report", let summary = try? JSONSerialization.jsonObject(with: Data(result.stderr.utf8)) as? [String: Int] {
                    snapshots.append((summary["snapshotSeq"] ?? -1, summary["rows"] ?? -1))
                }
            }
        }
        writerA.waitUntilExit()
        writerB.waitUntilExit()
        #expect(writerA.terminationStatus == 0)
        #expect(writerB.terminationStatus == 0)
        #expect(failures == [])
        #expect(verifies >= 4, "only \(verifies) verifications beside the writers")
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM event;") == "\(steps)\n")
        // Each report saw a consistent snapshot: exactly the acme decisions recorded up to its seq.
        for snapshot in snapshots {
            let expected = try CLI.sqlite3(db, """
                SELECT COUNT(*) FROM attribution t JOIN broker b ON b.id = t.brokerId
                WHERE b.brokerCrmName = 'acme' AND t.eventSeq <= \(snapshot.seq);
                """)
            #expect(expected == "\(snapshot.rows)\n", "report at seq \(snapshot.seq)")
        }
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        print("concurrency test: \(operations) reads (\(verifies) verify) beside 2 writers (\(steps) steps, \(extraWriters) more rounds of them), no lock error, no false alarm")
    }

    @Test("hostile input: every line rejected with a code or stored verbatim, never a crash, nothing else written",
          .timeLimit(.minutes(3)))
    func hostileInput() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db]).status == 0)
        }
        let valid = #"{"step":"referral.set","eventId":"h-0","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","partnerId":"ib-dave","userId":1003}"#
        var corpus: [[UInt8]] = []
        // Truncated at every length.
        for length in stride(from: 0, to: valid.utf8.count, by: 7) {
            corpus.append(Array(valid.utf8.prefix(length)))
        }
        func line(_ text: String) { corpus.append(Array(text.utf8)) }
        for number in ["1e400", "99999999999999999999999999", "-1", "0", "-0", "1.5", "0x10", "NaN", "Infinity", "007"] {
            line(#"{"step":"user.created","eventId":"h-n\#(number.hashValue)","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":\#(number)}"#)
        }
        line(#"{"step":"user.created","eventId":"h-deep","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":"# + String(repeating: "[", count: 50_000) + String(repeating: "]", count: 50_000) + "}")
        line(#"{"step":"referral.set","eventId":"h-big","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":1003,"partnerId":""# + String(repeating: "x", count: 10 << 20) + "\"}")
        line(#"{"step":"user.created","eventId":"h-huge","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"brokerName":""# + String(repeating: "y", count: 17 << 20) + "\"}")
        corpus.append(Array(#"{"step":"user.created","eventId":"h-u1","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"brokerName":""#.utf8) + [0xC3, 0x28, 0x22, 0x7D])
        corpus.append(Array(#"{"step":"user.created","eventId":"h-u2","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"brokerName":""#.utf8) + [0xFF, 0xFE, 0x22, 0x7D])
        corpus.append(Array(#"{"step":"user.created","eventId":"h-nul","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"brokerName":"a"#.utf8) + [0x00] + Array("b\"}".utf8))
        corpus.append([0x00, 0x00, 0x00])
        line(#"{"step":"user.created","eventId":"h-esc-nul","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"brokerName":"a\u0000b"}"#)
        line(#"{"step":"user.created","eventId":"h-dup","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"userId":8}"#)
        line(#"{"step":"user.created","eventId":"h-obj","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":7,"extra":{"a":1}}"#)
        line(#"{"step":null}"#)
        line("{}")
        line("null")
        line(#""just a string""#)
        // SQL and awkward text in every string field: refused where the rules say so, else kept as data.
        let sql = "'; DROP TABLE event; --"
        line(#"{"step":"user.created","eventId":"\#(sql)","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":501,"brokerName":"\#(sql)"}"#)
        line(#"{"step":"user.created","eventId":"h-sql2","brokerCrmName":"\#(sql)","at":"2026-04-01T00:00:00Z","userId":502}"#)
        line(#"{"step":"partner.registered","eventId":"h-sql3","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","crmPartnerRef":"\#(sql)"}"#)
        line(#"{"step":"referral.set","eventId":"h-sql4","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","partnerId":"\#(sql)","userId":501}"#)
        line(#"{"step":"referral.set","eventId":"h-q","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","partnerId":"100% \"quoted\" %27%22 \\ ok","userId":1003}"#)
        line(#"{"step":"link.issued","eventId":"h-sql5","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","linkId":"\#(sql)","partnerId":"\#(sql)","url":"https://x.example/?q=';--"}"#)
        line(#"{"step":"signup.submitted","eventId":"h-sql6","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","signupId":"\#(sql)","partnerId":"' OR 1=1 --","visitorId":"\#(sql)"}"#)
        let input = corpus.map { $0 + [0x0A] }.reduce([], +)
        try Data(input).write(to: scratch.url.appendingPathComponent("hostile.ndjson"))
        let result = try CLI.run(["ingest", "--create", "--allow-new-brokers", scratch.path("hostile.ndjson"), "--format", "json", "--db", db])
        #expect(result.status == 3, "\(result.stdout)")
        let known = Set(["INVALID_JSON", "UNKNOWN_STEP", "MISSING_FIELD", "UNKNOWN_FIELD", "INVALID_FIELD", "UNKNOWN_USER",
                         "PARTNER_ID_TAKEN"])
        let rejections = result.stderrLines.compactMap { (try? JSONSerialization.jsonObject(with: Data($0.utf8))) as? [String: Any] }
        #expect(rejections.count == result.stderrLines.count)
        let errors = rejections.map { $0["error"] as? [String: Any] ?? [:] }
        #expect(errors.contains { ($0["message"] as? String ?? "").hasSuffix("bytes is longer than 16777216 bytes") })
        for error in errors {
            #expect(known.contains(error["code"] as? String ?? ""), "\(error)")
            #expect((error["message"] as? String ?? "").isEmpty == false)
        }
        let accepted = Set(1...corpus.count).subtracting(rejections.compactMap { $0["line"] as? Int })
        // Exactly the well-formed lines were recorded, with their text kept verbatim.
        #expect(try CLI.sqlite3(db, "SELECT eventId FROM event WHERE seq > 20 ORDER BY seq;")
            == "\(sql)\nh-sql3\nh-sql4\nh-q\nh-sql5\nh-sql6\n")
        #expect(accepted.count == 7, "six steps, and the empty line (skipped)")
        #expect(try CLI.sqlite3(db, "SELECT partnerId FROM partnerIdHolder WHERE partnerId LIKE '%DROP%' OR partnerId LIKE '100%%';")
            == "\(sql)\n100% \"quoted\" %27%22 \\ ok\n")
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM sqlite_schema WHERE name = 'event';") == "1\n")
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        print("hostile input: \(corpus.count) lines, \(rejections.count) rejected with a code, \(accepted.count) stored verbatim")
    }

    @Test("two brokers in one file: every command scoped to one returns what a file with only that broker returns")
    func brokerIsolation() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let alone = scratch.path("alone.sqlite")
        let shared = scratch.path("shared.sqlite")
        for name in ["flow-1", "flow-2", "attribution-outcomes"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(name).ndjson").path, "--db", alone]).status == 0)
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(name).ndjson").path, "--db", shared]).status == 0)
        }
        // Broker zeta reuses acme's userIds, accounts and partnerIds (including ib-alice), arranged differently.
        let zeta = [
            #"{"step":"user.created","eventId":"z1","brokerCrmName":"zeta","at":"2026-03-01T00:00:00Z","userId":1003}"#,
            #"{"step":"referral.set","eventId":"z2","brokerCrmName":"zeta","at":"2026-03-01T00:00:00Z","partnerId":"ib-alice","userId":1003}"#,
            #"{"step":"user.created","eventId":"z3","brokerCrmName":"zeta","at":"2026-03-02T00:00:00Z","userId":1001,"partnerId":"ib-alice"}"#,
            #"{"step":"account.linked","eventId":"z4","brokerCrmName":"zeta","at":"2026-03-02T00:00:00Z","userId":1001,"ctidTraderAccountId":5002}"#,
            #"{"step":"referral.set","eventId":"z5","brokerCrmName":"zeta","at":"2026-03-02T00:00:00Z","partnerId":"bob@ib.example","ctidTraderAccountId":5002}"#,
            #"{"step":"invite.received","eventId":"z6","brokerCrmName":"zeta","at":"2026-03-03T00:00:00Z","invitedUserId":1002,"partnerUserId":1001,"brokerName":"Zeta"}"#,
            #"{"step":"attribution.reassigned","eventId":"z7","brokerCrmName":"zeta","at":"2026-04-09T11:30:00Z","userId":1002,"partnerId":"ib-alice","reason":"r","operator":"o"}"#,
        ]
        let zetaResult = try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--db", shared], stdin: zeta.joined(separator: "\n") + "\n")
        #expect(zetaResult.status == 0, "\(zetaResult)")
        for command in CLI.everyQuery {
            let expected = try CLI.run(command + ["--broker", "acme", "--db", alone])
            let scoped = try CLI.run(command + ["--broker", "acme", "--db", shared])
            #expect(expected.status == 0, "\(command)")
            #expect(scoped.stdout == expected.stdout, "\(command)")
            #expect(scoped.status == expected.status, "\(command)")
        }
        // And zeta sees its own tree only.
        let zetaTree = try CLI.run(["referrals", "--broker", "zeta", "--partner-id", "ib-alice", "--format", "csv", "--db", shared])
        #expect(zetaTree.stdout.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",")[1] } == ["1001", "1002"])
    }
}
