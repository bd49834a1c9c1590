import Foundation
import Testing

/// `trace` and `upline` check the rows they show against the events those rows cite: a tampered
/// row is never shown as verified, and the command exits 4 naming it.
@Suite("answers say what they rest on")
struct EvidenceTests {
    @Test("a tampered attribution row: trace and upline exit 4, name the row, and vouch for nothing it shows")
    func tamperedParent() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        try CLI.sqlite3(db, "UPDATE attribution SET parentRowId = 4 WHERE id = 2;")
        let problem = "seq 17: attribution row id=2 (user 1003): the partner's userId is 1004, but event 17 recorded 1002"
        let trace = try CLI.run(["trace", "--user-id", "1003", "--db", db])
        #expect(trace.status == 4)
        #expect(trace.stdout.contains("17   2026-03-11T18:35:00.000Z  user creation + attribution  user.created        f2-07    ATTRIBUTED  NO\n"))
        #expect(trace.stdout.hasSuffix("\nNOT VERIFIED: rows shown disagree with the log (run `invite-ledger verify`):\n  \(problem)\n"))
        let upline = try CLI.run(["upline", "--user-id", "1003", "--db", db])
        #expect(upline.status == 4)
        #expect(upline.stdout.hasSuffix("\nNOT VERIFIED: rows shown disagree with the log (run `invite-ledger verify`):\n  \(problem)\n"))
        let json = try CLI.run(["upline", "--user-id", "1003", "--format", "json", "--db", db])
        #expect(json.status == 4)
        #expect(json.stdout.hasSuffix(#""verified":false,"problems":[{"seq":17,"message":"attribution row id=2 (user 1003): the partner's userId is 1004, but event 17 recorded 1002"}]}"# + "\n"))
        let traceJSON = try CLI.run(["trace", "--user-id", "1003", "--format", "json", "--db", db])
        #expect(traceJSON.status == 4)
        #expect(traceJSON.stdout.contains(#""verified":false,"problems":[{"seq":17,"#))
    }

    @Test("an edge made current again, and a signup row pointing at another click, are named")
    func tamperedCurrentAndSignup() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        #expect(try CLI.run(["record", #"{"step":"attribution.reassigned","eventId":"m1","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":1003,"partnerId":null,"reason":"r","operator":"o"}"#, "--db", db]).status == 0)
        // The edge the detachment ended is made current again.
        try CLI.sqlite3(db, "UPDATE attribution SET validTo = NULL WHERE id = 2;")
        let upline = try CLI.run(["upline", "--user-id", "1003", "--db", db])
        #expect(upline.status == 4)
        #expect(upline.stdout.contains("seq 17: attribution row id=2 (user 1003) is shown as current, but event 21 changed the user's partner after it"), "\(upline)")

        let second = try Scratch()
        defer { second.remove() }
        let other = try second.ledger()
        try CLI.sqlite3(other, "UPDATE signup SET clickRowId = 1 WHERE id = 2;")
        let trace = try CLI.run(["trace", "--user-id", "1003", "--db", other])
        #expect(trace.status == 4)
        #expect(trace.stdout.contains("click row id=1 cites event 7, whose visitorId is \"v-2\", but event 16 names \"v-3\""), "\(trace)")
    }

    @Test("an intact ledger: every step verified, no problem, exit 0")
    func intact() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try scratch.ledger()
        for query in [["trace", "--user-id", "1003"], ["upline", "--user-id", "1003"], ["trace", "--account-id", "5002"]] {
            let result = try CLI.run(query + ["--db", db])
            #expect(result.status == 0, "\(query): \(result)")
            #expect(!result.stdout.contains("NOT VERIFIED") && !result.stdout.contains(" NO\n"))
        }
    }
}
