import Foundation
import Testing

/// `record --stream`: the pipe a back office in any language writes steps into, driven here by a
/// Python program as a PHP or Java one would.
@Suite("record --stream")
struct StreamTests {
    @Test("one answer per line, in order, the same as record's; rejected lines answered with their error")
    func answers() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let lines = try String(contentsOf: CLI.fixture("flow-1.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        let input = lines.prefix(4) + [#"{"step":"bogus","eventId":"b-1"}"#, ""] + lines.dropFirst(4)
        let result = try CLI.run(["record", "--create", "--allow-new-brokers", "--stream", "--db", scratch.path("ledger.sqlite")], stdin: input.joined(separator: "\n") + "\n")
        #expect(result.status == 0, "\(result)")
        let expected = try String(contentsOf: CLI.fixture("expected/flow-1.outcomes.ndjson"), encoding: .utf8)
            .split(separator: "\n").map(String.init)
        let error = #"{"error":{"code":"UNKNOWN_STEP","field":"step","message":"unknown step \"bogus\"; expected one of broker.configured, partner.registered, user.created, account.linked, referral.set, referral.deleted, link.issued, link.generated, link.clicked, signup.submitted, invite.received, attribution.reassigned"},"line":5,"eventId":"b-1"}"#
        #expect(result.stdout.split(separator: "\n").map(String.init) == Array(expected.prefix(4)) + [error] + expected.dropFirst(4))
        #expect(try CLI.run(["verify", "--db", scratch.path("ledger.sqlite")]).status == 0)
    }

    @Test("ingest --outcomes answers every line as the stream does, rejected lines in the same shape")
    func ingestOutcomes() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let lines = try String(contentsOf: CLI.fixture("flow-1.ndjson"), encoding: .utf8).split(separator: "\n").map(String.init)
        let input = lines.prefix(4) + [#"{"step":"bogus","eventId":"b-1"}"#, ""] + lines.dropFirst(4)
        let streamed = try CLI.run(["record", "--stream", "--create", "--db", scratch.path("a.sqlite")], stdin: input.joined(separator: "\n") + "\n")
        let ingested = try CLI.run(["ingest", "-", "--outcomes", "--batch-size", "3", "--format", "json", "--create", "--db", scratch.path("b.sqlite")],
                                   stdin: input.joined(separator: "\n") + "\n")
        #expect(ingested.status == 3)
        let answers = ingested.stdout.split(separator: "\n").map(String.init)
        #expect(Array(answers.dropLast()) == streamed.stdout.split(separator: "\n").map(String.init))
        #expect(answers.last == #"{"lines":11,"recorded":10,"duplicates":0,"rejected":1,"rolledBack":false,"refusedAttributions":0}"#)
        // The rejected line is said the same way on stderr.
        #expect(ingested.stderr == answers[4] + "\n")
        #expect(answers[4].hasPrefix(#"{"error":{"code":"UNKNOWN_STEP","field":"step","#))
    }

    @Test("driven from Python one step at a time, then killed mid-stream: every answered step is in the log",
          .timeLimit(.minutes(2)))
    func pythonClientKilled() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let steps = scratch.path("steps.ndjson")
        try SyntheticSteps.write(SyntheticSteps.lines(partners: 20, users: 3_000), to: steps)
        let db = scratch.path("ledger.sqlite")
        // The client writes steps as fast as it can from one thread and reads answers on another;
        // after 2 s it kills the ledger process and reports what was answered.
        let output = try CLI.python("""
            import subprocess, sys, threading, time, json, signal
            binary, db, steps = sys.argv[1:4]
            process = subprocess.Popen([binary, "record", "--stream", "--create", "--allow-new-brokers", "--db", db],
                                       stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            lines = open(steps, "rb").read().splitlines()
            def feed():
                try:
                    for line in lines:
                        process.stdin.write(line + b"\\n")
                        process.stdin.flush()
                except BrokenPipeError:
                    pass
            threading.Thread(target=feed, daemon=True).start()
            # Killed after 2 s whatever it is doing: when every step is answered sooner, the
            # ledger waits for more input, and a read of its answers would wait forever.
            threading.Timer(2.0, lambda: process.send_signal(signal.SIGKILL)).start()
            answered = []
            while True:
                answer = process.stdout.readline()
                if not answer.endswith(b"\\n"):
                    break
                answered.append(json.loads(answer))
            process.wait()
            print(json.dumps([[a["seq"], a["eventId"], a["hash"]] for a in answered if "seq" in a]))
            """, [CLI.binary.path, db, steps])
        let answered = try #require((try? JSONSerialization.jsonObject(with: Data(output.utf8))) as? [[Any]], "\(output)")
        #expect(answered.count > 100, "only \(answered.count) answers in 2 s")
        let logged = try CLI.sqlite3(db, "SELECT seq, eventId, lower(hex(hash)) FROM event ORDER BY seq;")
            .split(separator: "\n").map { $0.split(separator: "|").map(String.init) }
        #expect(logged.count >= answered.count)
        for (entry, row) in zip(answered, logged) {
            #expect(["\(entry[0])", "\(entry[1])", "\(entry[2])"] == row)
        }
        #expect(try CLI.run(["verify", "--db", db]).status == 0)
        print("stream test: \(answered.count) steps answered before the kill, \(logged.count) in the log, all answered ones there")
    }
}
