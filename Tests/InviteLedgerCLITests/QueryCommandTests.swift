import Foundation
import Testing

@Suite("query commands")
struct QueryCommandTests {
    /// A file ledger with the seed flows and every attribution outcome.
    func seeded(_ scratch: Scratch) throws -> String {
        let db = scratch.path("ledger.sqlite")
        for name in ["flow-1", "flow-2", "attribution-outcomes"] {
            let result = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(name).ndjson").path, "--db", db])
            #expect(result.status == 0, "\(result)")
        }
        return db
    }

    @Test("referrals in every format")
    func referralsFormats() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let table = try CLI.run(["referrals", "--partner-id", "ib-alice", "--depth", "2", "--db", db])
        #expect(table.status == 0, "\(table)")
        // The same columns in every format: the table, CSV and JSON all end with brokerName.
        #expect(table.stdout == [
            "level  userId  parentUserId  attributedAt              partnerId  partnerCtidTraderAccountId  linkId  accounts  brokerName",
            "-----  ------  ------------  ------------------------  ---------  --------------------------  ------  --------  ---------------",
            "1      1002    1001          2026-03-03T12:05:00.000Z  ib-alice                               L-1     1         Acme Markets",
            "1      1012    1001          2026-04-08T10:00:00.000Z  ib-alice                                       0         ",
            "1      1003    1001          2026-04-09T11:00:00.000Z  ib-alice                                       1         Acme Markets EU",
            "2      2001    1003          2026-04-03T14:00:00.000Z  ib-dave                                        0         Acme Markets",
            "(last page)",
        ].map { $0 + "\n" }.joined())
        let csv = try CLI.run(["referrals", "--user-id", "1001", "--depth", "3", "--as-of", "2026-04-06T00:00:00Z", "--format", "csv", "--db", db])
        #expect(csv.stdout == [
            "level,userId,parentUserId,attributedAt,partnerId,partnerCtidTraderAccountId,linkId,accounts,brokerName",
            "1,1002,1001,2026-03-03T12:05:00.000Z,ib-alice,,L-1,1,Acme Markets",
            "2,1003,1002,2026-03-11T18:35:00.000Z,bob@ib.example,5002,L-2,1,Acme Markets EU",
            "3,2001,1003,2026-04-03T14:00:00.000Z,ib-dave,,,0,Acme Markets",
            "3,1012,1003,2026-04-05T10:00:00.000Z,ib-dave,,,0,",
        ].map { $0 + "\r\n" }.joined())
        let tree = try CLI.run(["referrals", "--user-id", "1001", "--depth", "3", "--as-of", "2026-04-06T00:00:00Z", "--format", "tree", "--db", db])
        #expect(tree.stdout == """
            1001
            └─ 1002  2026-03-03T12:05:00.000Z  via ib-alice  link L-1
               └─ 1003  2026-03-11T18:35:00.000Z  via bob@ib.example (account 5002)  link L-2
                  ├─ 2001  2026-04-03T14:00:00.000Z  via ib-dave
                  └─ 1012  2026-04-05T10:00:00.000Z  via ib-dave

            """)
        let dot = try CLI.run(["referrals", "--crm-partner-ref", "CRM-1002", "--depth", "2", "--as-of", "2026-04-06T00:00:00Z", "--format", "dot", "--db", db])
        #expect(dot.stdout == """
            digraph referrals {
              rankdir=LR;
              node [shape=box];
              "1002" [style=bold];
              "1003" [label="1003\\nlevel 1"];
              "2001" [label="2001\\nlevel 2"];
              "1012" [label="1012\\nlevel 2"];
              "1002" -> "1003" [label="bob@ib.example"];
              "1003" -> "2001" [label="ib-dave"];
              "1003" -> "1012" [label="ib-dave"];
            }

            """)
        let json = try CLI.run(["referrals", "--account-id", "5003", "--format", "json", "--db", db])
        #expect(json.stdout == #"{"broker":"acme","partnerUserId":1003,"depth":1,"asOf":null,"referrals":[{"level":1,"userId":2001,"parentUserId":1003,"attributedAt":"2026-04-03T14:00:00.000Z","partnerId":"ib-dave","partnerCtidTraderAccountId":null,"linkId":null,"accounts":0,"brokerName":"Acme Markets"}],"nextCursor":null}"# + "\n")
    }

    @Test("referrals pages: --limit and --after")
    func referralsPages() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let first = try CLI.run(["referrals", "--user-id", "1001", "--depth", "2", "--limit", "2", "--format", "json", "--db", db])
        guard let data = first.stdout.data(using: .utf8),
              let object = try JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cursor = object["nextCursor"] as? String
        else {
            Issue.record("no cursor: \(first)")
            return
        }
        let second = try CLI.run(["referrals", "--user-id", "1001", "--depth", "2", "--limit", "2", "--after", cursor, "--format", "csv", "--db", db])
        #expect(second.stdout.split(separator: "\r\n").dropFirst().map { $0.split(separator: ",")[1] } == ["1003", "2001"])
        // A CSV page says where the next starts on stderr, its columns unchanged.
        let firstCSV = try CLI.run(["referrals", "--user-id", "1001", "--depth", "2", "--limit", "2", "--format", "csv", "--db", db])
        #expect(firstCSV.stderr == "next page: --after \(cursor)\n")
        let dot = try CLI.run(["referrals", "--user-id", "1001", "--depth", "2", "--limit", "2", "--format", "dot", "--db", db])
        #expect(dot.stdout.hasSuffix("""
              // truncated at 2 referrals; next page: --after \(cursor)
              "more" [shape=note, style=dashed, label="more referrals:\\n--after \(cursor)"];
            }

            """), "\(dot.stdout)")
        let bad = try CLI.run(["referrals", "--user-id", "1001", "--after", "r1.x", "--db", db])
        #expect(bad.status == 2)
        #expect(bad.stderr == #"{"error":{"code":"INVALID_CURSOR","field":"--after","message":"\"r1.x\" is not a cursor printed by a previous page (nextCursor)"}}"# + "\n")
    }

    @Test("stats, referral get, upline and trace")
    func otherQueries() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let stats = try CLI.run(["stats", "--partner-id", "ib-alice", "--format", "json", "--db", db])
        #expect(stats.stdout == #"{"broker":"acme","partnerUserId":1001,"asOf":null,"levels":[{"level":1,"count":3},{"level":2,"count":1}],"total":4}"# + "\n")
        let get = try CLI.run(["referral", "get", "--account-id", "5002", "--format", "json", "--db", db])
        #expect(get.stdout == #"{"broker":"acme","partnerId":"bob@ib.example","level":"account","userId":1002,"ctidTraderAccountId":5002,"since":"2026-03-10T10:05:00.000Z","crmPartnerRef":"CRM-1002"}"# + "\n")
        let missing = try CLI.run(["referral", "get", "--user-id", "1002", "--db", db])
        #expect(missing.status == 2)
        #expect(missing.stderr == #"{"error":{"code":"NOT_FOUND","field":"--user-id","message":"user 1002 has no user-level partnerId"}}"# + "\n")
        let upline = try CLI.run(["upline", "--user-id", "2001", "--as-of", "2026-04-05T00:00:00Z", "--db", db])
        #expect(upline.stdout == """
            level  userId  partnerId       partnerCtidTraderAccountId  attributedAt              crmPartnerRef
            -----  ------  --------------  --------------------------  ------------------------  -------------
            1      1003    ib-dave                                     2026-04-03T14:00:00.000Z  
            2      1002    bob@ib.example  5002                        2026-03-11T18:35:00.000Z  CRM-1002
            3      1001    ib-alice                                    2026-03-03T12:05:00.000Z  CRM-1001

            """)
        let trace = try CLI.run(["trace", "--user-id", "1012", "--format", "json", "--db", db])
        #expect(trace.status == 0)
        #expect(trace.stdout.contains(#""role":"reassignment","outcome":{"forced":true,"#))
        let traceText = try CLI.run(["trace", "--user-id", "1012", "--db", db])
        #expect(traceText.stdout.contains("REASSIGNED (forced)"))
    }

    @Test("query commands open the file read-only and leave it byte for byte unchanged")
    func readOnly() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        // Checkpoint so that the whole content is in the main file, then compare the bytes.
        try CLI.sqlite3(db, "PRAGMA wal_checkpoint(TRUNCATE);")
        let before = try Data(contentsOf: URL(fileURLWithPath: db))
        for arguments in [
            ["referrals", "--user-id", "1001"], ["stats", "--user-id", "1001"], ["referral", "get", "--user-id", "1001"],
            ["upline", "--user-id", "2001"], ["trace", "--user-id", "1003"], ["verify"], ["migrate", "--status"],
        ] {
            #expect(try CLI.run(arguments + ["--db", db]).status == 0, "\(arguments)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: db)) == before)
        // Made read-only on disk, the file still answers queries.
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: db)
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o644], ofItemAtPath: db) }
        #expect(try CLI.run(["stats", "--user-id", "1001", "--db", db]).status == 0)
    }

    @Test("queries name what is wrong: missing database, no selector, two brokers")
    func queryErrors() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let absent = try CLI.run(["stats", "--user-id", "1", "--db", scratch.path("absent.sqlite")])
        #expect(absent.status == 5)
        #expect(absent.stderr == #"{"error":{"code":"NOT_INITIALIZED","message":"no ledger at \#(scratch.path("absent.sqlite")); create it with `invite-ledger init`"}}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: scratch.path("absent.sqlite")))
        let db = try seeded(scratch)
        let none = try CLI.run(["referrals", "--db", db])
        #expect(none.status == 1)
        #expect(none.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--user-id","message":"name the partner with exactly one of --user-id, --account-id, --partner-id, --crm-partner-ref"}}"# + "\n"))
        let two = try CLI.run(["upline", "--user-id", "1", "--account-id", "2", "--db", db])
        #expect(two.status == 1)
        let badTime = try CLI.run(["stats", "--user-id", "1001", "--as-of", "yesterday", "--db", db])
        #expect(badTime.status == 1)
        #expect(badTime.stderr.hasPrefix(#"{"error":{"code":"USAGE","field":"--as-of","message":"option --as-of: expected an RFC 3339 time such as 2026-03-31T00:00:00Z, or a date such as 2026-03-31, got \"yesterday\""}}"# + "\n"))
        // A date alone is the start of that day, UTC.
        let dated = try CLI.run(["stats", "--user-id", "1001", "--as-of", "2026-03-12", "--format", "json", "--db", db])
        let timed = try CLI.run(["stats", "--user-id", "1001", "--as-of", "2026-03-12T00:00:00Z", "--format", "json", "--db", db])
        #expect(dated.status == 0)
        #expect(dated.stdout == timed.stdout)
        try CLI.run(["record", "--create", "--allow-new-brokers", #"{"step":"user.created","eventId":"z1","brokerCrmName":"zeta","at":"2026-04-01T00:00:00Z","userId":1001}"#, "--db", db])
        let ambiguous = try CLI.run(["stats", "--user-id", "1001", "--db", db])
        #expect(ambiguous.status == 2)
        #expect(ambiguous.stderr == #"{"error":{"code":"AMBIGUOUS_BROKER","field":"--broker","message":"the ledger holds 2 brokers (acme, zeta); name one with --broker"}}"# + "\n")
        let scoped = try CLI.run(["stats", "--user-id", "1001", "--broker", "zeta", "--format", "json", "--db", db])
        #expect(scoped.stdout == #"{"broker":"zeta","partnerUserId":1001,"asOf":null,"levels":[],"total":0}"# + "\n")
    }
}
