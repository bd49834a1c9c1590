import Foundation
import Testing

@Suite("record, ingest, verify and demo")
struct RecordingCommandTests {
    func seeded(_ scratch: Scratch) throws -> String {
        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            let result = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db])
            #expect(result.status == 0, "\(result)")
        }
        return db
    }

    func lines(_ name: String) throws -> [String] {
        try String(contentsOf: CLI.fixture(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    @Test("record prints each outcome of the seed flows exactly, from an argument or stdin")
    func record() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            for (index, (step, expected)) in zip(try lines("\(flow).ndjson"), try lines("expected/\(flow).outcomes.ndjson")).enumerated() {
                let result = index % 2 == 0
                    ? try CLI.run(["record", "--create", "--allow-new-brokers", step, "--db", db])
                    : try CLI.run(["record", "--create", "--allow-new-brokers", "--db", db], stdin: step)
                #expect(result.status == 0, "\(result)")
                #expect(result.stdout == expected + "\n")
                #expect(result.stderr == "")
            }
        }
        // The same step again is a duplicate: same seq, same hash, nothing written.
        let again = try CLI.run(["record", "--create", "--allow-new-brokers", try lines("flow-1.ndjson")[0], "--db", db])
        #expect(again.stdout == (try lines("expected/flow-1.outcomes.ndjson")[0]).replacingOccurrences(
            of: "\"status\":\"recorded\"", with: "\"status\":\"duplicate\"") + "\n")
    }

    @Test("a rejected step exits 2 with a JSON error and leaves the file's content unchanged")
    func rejectedStep() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let before = try CLI.sqlite3(db, ".dump")
        let result = try CLI.run(["record", "--create", "--allow-new-brokers", #"{"step":"referral.set","eventId":"x1","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","partnerId":"ib-alice","userId":1003}"#, "--db", db])
        #expect(result.status == 2)
        #expect(result.stdout == "")
        #expect(result.stderr == #"{"error":{"code":"PARTNER_ID_TAKEN","field":"partnerId","message":"partnerId \"ib-alice\" belongs to user 1001 (seq 5)"}}"# + "\n")
        let malformed = try CLI.run(["record", "--create", "--allow-new-brokers", "--db", db], stdin: "{\"step\":")
        #expect(malformed.status == 2)
        #expect(malformed.stderr.hasPrefix(#"{"error":{"code":"INVALID_JSON","message":"invalid JSON: "#))
        #expect(try CLI.sqlite3(db, ".dump") == before)
    }

    @Test("record (argument and stdin) and ingest decode alike: invalid UTF-8 and a byte order mark are INVALID_JSON")
    func oneDecoder() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        // Python passes raw bytes as the argument, on stdin and as an ingest line, and prints each
        // command's exit status and stderr.
        let output = try CLI.python(#"""
            import subprocess, sys, json
            binary, db, folder = sys.argv[1], sys.argv[2], sys.argv[3]
            step = b'{"step":"user.created","eventId":"e-\xff","brokerCrmName":"acme","at":"2026-03-02T09:05:00Z","userId":1001}'
            bom = b'\xef\xbb\xbf{"step":"user.created","eventId":"e-1","brokerCrmName":"acme","at":"2026-03-02T09:05:00Z","userId":1001}'
            for name, data in [("utf8", step), ("bom", bom)]:
                argument = subprocess.run([binary, "record", data, "--db", db], capture_output=True)
                stdin = subprocess.run([binary, "record", "--db", db], input=data, capture_output=True)
                open(folder + "/lines.ndjson", "wb").write(data + b"\n")
                ingest = subprocess.run([binary, "ingest", folder + "/lines.ndjson", "--db", db, "--create"], capture_output=True)
                line = json.loads(ingest.stderr)["error"]
                print(name, argument.returncode, stdin.returncode, ingest.returncode)
                print(argument.stderr.decode(), end="")
                print(stdin.stderr.decode(), end="")
                print(json.dumps({"error": {"code": line["code"], "message": line["message"]}}, separators=(",", ":")))
            """#, [CLI.binary.path, db, scratch.url.path])
        #expect(output == #"""
            utf8 2 2 3
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: invalid UTF-8 at byte 37"}}
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: invalid UTF-8 at byte 37"}}
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: invalid UTF-8 at byte 37"}}
            bom 2 2 3
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: a UTF-8 byte order mark (EF BB BF: JSON allows none, send the text without it) at byte 1"}}
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: a UTF-8 byte order mark (EF BB BF: JSON allows none, send the text without it) at byte 1"}}
            {"error":{"code":"INVALID_JSON","message":"invalid JSON: a UTF-8 byte order mark (EF BB BF: JSON allows none, send the text without it) at byte 1"}}

            """#)
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM event") == "0\n")
    }

    @Test("ingest reports each rejected line on stderr and exits 3; a re-run changes nothing")
    func ingestErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let result = try CLI.run(["ingest", CLI.fixture("errors.ndjson").path, "--db", db])
        #expect(result.status == 3)
        #expect(result.stdout == (try String(contentsOf: CLI.fixture("expected/errors.stdout"), encoding: .utf8)))
        #expect(result.stderr == (try String(contentsOf: CLI.fixture("expected/errors.stderr.ndjson"), encoding: .utf8)))

        // Steps recorded with a refused attribution are counted apart: recorded, yet no partner got the user.
        let fresh = try Scratch()
        defer { fresh.remove() }
        let outcomes = try CLI.run(["ingest", CLI.fixture("attribution-outcomes.ndjson").path, "--db", try seeded(fresh)])
        #expect(outcomes.status == 0)
        #expect(outcomes.stdout == "lines: 27, recorded: 27, duplicates: 0, rejected: 0 (7 recorded with a refused attribution: see --outcomes or report attributions)\n", "\(outcomes)")

        let before = try CLI.sqlite3(db, ".dump")
        for flow in ["flow-1", "flow-2", "errors"] {
            let again = try CLI.run(["ingest", "--format", "json", CLI.fixture("\(flow).ndjson").path, "--db", db])
            #expect(again.status == (flow == "errors" ? 3 : 0))
        }
        #expect(try CLI.sqlite3(db, ".dump") == before)
    }

    @Test("ingest reads stdin; --atomic rolls everything back on one bad line")
    func ingestAtomicFromStdin() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        let flow = try String(contentsOf: CLI.fixture("flow-1.ndjson"), encoding: .utf8)
        let bad = flow + "{\"step\":\"user.created\"}\n"
        let atomic = try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--atomic", "--format", "json", "--db", db], stdin: bad)
        #expect(atomic.status == 2)
        #expect(atomic.stdout == #"{"lines":11,"recorded":0,"duplicates":0,"rejected":1,"rolledBack":true,"refusedAttributions":0}"# + "\n")
        #expect(atomic.stderr == #"{"error":{"code":"MISSING_FIELD","field":"eventId","message":"missing field \"eventId\""},"line":11,"eventId":null}"# + "\n")
        #expect(try CLI.sqlite3(db, "SELECT COUNT(*) FROM event;") == "0\n")
        // Into a ledger with no rows, the first lines are built in bulk: one transaction, one report.
        let bulkDb = scratch.path("bulk.sqlite")
        let bulk = try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--batch-size", "4", "--report-commits", "--format", "json", "--db", bulkDb], stdin: bad)
        #expect(bulk.status == 3)
        #expect(bulk.stdout == """
            {"committedThroughLine":11,"recorded":10,"duplicates":0,"rejected":1}
            {"lines":11,"recorded":10,"duplicates":0,"rejected":1,"rolledBack":false,"refusedAttributions":0}

            """)
        let commits = try CLI.run(["ingest", "--create", "--allow-new-brokers", "-", "--incremental", "--batch-size", "4", "--report-commits", "--format", "json", "--db", db], stdin: bad)
        #expect(commits.status == 3)
        #expect(commits.stdout == """
            {"committedThroughLine":4,"recorded":4,"duplicates":0,"rejected":0}
            {"committedThroughLine":8,"recorded":8,"duplicates":0,"rejected":0}
            {"committedThroughLine":11,"recorded":10,"duplicates":0,"rejected":1}
            {"lines":11,"recorded":10,"duplicates":0,"rejected":1,"rolledBack":false,"refusedAttributions":0}

            """)
        let missing = try CLI.run(["ingest", "--create", "--allow-new-brokers", scratch.path("absent.ndjson"), "--db", db])
        #expect(missing.status == 2)
        #expect(missing.stderr.hasPrefix(#"{"error":{"code":"NOT_FOUND","field":"FILE","message":"cannot read "#))
    }

    @Test("verify passes on an intact ledger and names the sequence number of an edited payload byte")
    func verifyNamesTamperedEvent() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let intact = try CLI.run(["verify", "--db", db])
        #expect(intact.status == 0)
        #expect(intact.stdout == """
            events: 20
            head hash: b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146
            intact: yes

            """)
        // One byte of event 14's payload, changed with the sqlite3 shell (the triggers must go first).
        try CLI.sqlite3(db, """
            DROP TRIGGER event_no_update;
            UPDATE event SET payload = replace(payload, 'copy-strategy:1234', 'copy-strategy:1235') WHERE seq = 14;
            """)
        let tampered = try CLI.run(["verify", "--db", db, "--format", "json"])
        #expect(tampered.status == 4)
        #expect(tampered.stdout == #"{"intact":false,"events":20,"headHash":"b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146","firstBadSeq":14,"legacyEvents":0,"replayedEvents":20,"comparedRows":48,"problems":[{"kind":"chain","seq":14,"message":"event 14: hash does not match its payload, outcome and recordedAt (changed after it was recorded)"},{"kind":"schema","seq":null,"table":"event","message":"trigger event_no_update is missing: the log may be edited"},{"kind":"row","seq":14,"table":"link","key":"id=2","column":"target","message":"link row id=2: target is \"copy-strategy:1234\", the log gives \"copy-strategy:1235\""}]}"# + "\n")
        let table = try CLI.run(["verify", "--db", db])
        #expect(table.status == 4)
        #expect(table.stdout.hasSuffix("""
            first bad seq: 14
            problem  seq  table  detail
            -------  ---  -----  -------------------------------------------------------------------------------------------------
            chain    14   -      event 14: hash does not match its payload, outcome and recordedAt (changed after it was recorded)
            schema   -    event  trigger event_no_update is missing: the log may be edited
            row      14   link   link row id=2: target is "copy-strategy:1234", the log gives "copy-strategy:1235"

            """))
    }

    @Test("verify --expect-head catches a truncated log")
    func expectHead() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let head = "b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146"
        #expect(try CLI.run(["verify", "--expect-head", head, "--db", db]).status == 0)
        try CLI.sqlite3(db, "PRAGMA foreign_keys = OFF; DROP TRIGGER event_no_delete; DELETE FROM event WHERE seq = 20;")
        let result = try CLI.run(["verify", "--expect-head", head, "--db", db])
        #expect(result.status == 4)
        #expect(result.stdout.contains("the log does not end with the expected head \(head)"))
        #expect(try CLI.run(["verify", "--expect-head", "xyz", "--db", db]).status == 1)
    }

    @Test("the demo prints the expected walk through both flows")
    func demo() throws {
        let result = try CLI.run(["demo"])
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == (try String(contentsOf: CLI.fixture("expected/demo.txt"), encoding: .utf8)))
        let scratch = try Scratch()
        defer { scratch.remove() }
        let kept = try CLI.run(["demo", "--db", scratch.path("demo.sqlite"), "--format", "json"])
        #expect(kept.status == 0)
        #expect(try CLI.run(["verify", "--db", scratch.path("demo.sqlite")]).status == 0)
        let reused = try CLI.run(["demo", "--db", scratch.path("demo.sqlite")])
        #expect(reused.status == 1)
    }

    @Test("an auditor recomputes every hash with sqlite3, xxd and sha256sum alone")
    func auditorRecomputesChain() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        // The recipe of LedgerFormat.md, taken from the article and run by a shell.
        let article = try String(
            contentsOf: CLI.packageRoot.appendingPathComponent("Sources/InviteLedger/InviteLedger.docc/LedgerFormat.md"),
            encoding: .utf8)
        let section = try #require(article.range(of: "## Recomputing it without invite-ledger"))
        let after = article[section.upperBound...]
        let open = try #require(after.range(of: "```sh\n"))
        let close = try #require(after[open.upperBound...].range(of: "```"))
        let recipe = String(after[open.upperBound..<close.lowerBound])
        #expect(recipe.hasPrefix("db=invite-ledger.sqlite\n"))
        let script = "set -e\n" + recipe.replacingOccurrences(of: "db=invite-ledger.sqlite", with: "db=\"$1\"")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["-c", script, "audit", db]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(output == "chain intact: 20 events, head b899e3d50b1686f300c14a7f1ac7980a56dee5780b96cd194af435ba0d2a0146\n")
    }
}
