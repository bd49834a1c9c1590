import Foundation
import Testing

@Suite("activity")
struct ActivityCommandTests {
    func seeded(_ scratch: Scratch) throws -> String {
        let db = scratch.path("ledger.sqlite")
        for name in ["flow-1", "flow-2", "attribution-outcomes"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(name).ndjson").path, "--db", db]).status == 0)
        }
        return db
    }

    func expected(_ name: String) throws -> String {
        try String(contentsOf: CLI.fixture("expected/\(name)"), encoding: .utf8)
    }

    @Test("CSV and NDJSON deals get their upline as of their time; each bad row is reported by line and code", arguments: [
        ("activity-deals.csv", ["--levels", "3"]), ("activity-deals.ndjson", ["--input-format", "ndjson", "--levels", "2"]),
    ])
    func goldenFiles(file: String, options: [String]) throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let result = try CLI.run(["activity", CLI.fixture(file).path, "--db", db] + options)
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout == (try expected(file)))
        #expect(result.stderr == (try expected("\(file).stderr.ndjson")))
    }

    @Test("a deal exactly at a move with downline gets the new level 2; one a millisecond before, the old")
    func boundary() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let deals = "dealId,userId,at\nA,2001,2026-04-09T10:59:59.999Z\nB,2001,2026-04-09T11:00:00Z\nC,2001,2026-04-09T13:00:00+02:00\n"
        let result = try CLI.run(["activity", "-", "--levels", "2", "--print-summary", "--db", db], stdin: deals)
        #expect(result.status == 0, "\(result)")
        #expect(result.stdout == """
            dealId,userId,at,attributed,level1UserId,level1PartnerId,level2UserId,level2PartnerId\r
            A,2001,2026-04-09T10:59:59.999Z,true,1003,ib-dave,1002,bob@ib.example\r
            B,2001,2026-04-09T11:00:00Z,true,1003,ib-dave,1001,ib-alice\r
            C,2001,2026-04-09T13:00:00+02:00,true,1003,ib-dave,1001,ib-alice\r

            """)
        #expect(result.stderr == #"{"rows":3,"written":3,"unattributed":0,"rejected":0,"snapshotSeq":47}"# + "\n")
    }

    @Test("--stop-on-error stops at the first bad row (exit 2) and --output leaves no file; a bad header writes nothing")
    func stopAndHeader() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try seeded(scratch)
        let out = scratch.path("out.csv")
        let stopped = try CLI.run(["activity", CLI.fixture("activity-deals.csv").path, "--stop-on-error", "--output", out, "--db", db])
        #expect(stopped.status == 2)
        #expect(stopped.stderr == #"{"error":{"code":"UNKNOWN_USER","field":"userId","message":"no user 9999 in broker acme"},"line":10}"# + "\n")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".partial") } == [])

        let renamed = try CLI.run(
            ["activity", "-", "--time-column", "closedAt", "--account-column", "login", "--levels", "1", "--db", db],
            stdin: "login,closedAt\n5002,2026-04-01T00:00:00Z\n")
        #expect(renamed.status == 0, "\(renamed)")
        #expect(renamed.stdout == "login,closedAt,attributed,level1UserId,level1PartnerId\r\n5002,2026-04-01T00:00:00Z,true,1001,ib-alice\r\n")

        for (input, options, error) in [
            ("dealId,userId\nD1,1002\n", [String](),
             #"{"error":{"code":"MISSING_FIELD","field":"at","message":"the header has no column \"at\" (the time of each row; --time-column names another)"}}"#),
            ("dealId,at\nD1,2026-04-01T00:00:00Z\n", [],
             #"{"error":{"code":"MISSING_FIELD","field":"userId","message":"the header has neither \"userId\" nor \"ctidTraderAccountId\": each row must name its trader"}}"#),
            ("userId,at,level1UserId\n1002,2026-04-01T00:00:00Z,7\n", [],
             #"{"error":{"code":"INVALID_FIELD","field":"level1UserId","message":"the input already has a column \"level1UserId\", which the output adds"}}"#),
            ("", [], #"{"error":{"code":"MISSING_FIELD","field":"at","message":"the input is empty: a CSV input begins with a header line"}}"#),
            ("userId,at\n", ["--time-column", "userId"],
             #"{"error":{"code":"INVALID_FIELD","field":"--time-column","message":"the time, user and account columns must differ, got userId, userId, ctidTraderAccountId"}}"#),
        ] {
            let result = try CLI.run(["activity", "-", "--output", out, "--db", db] + options, stdin: input)
            #expect(result.status == 2, "\(input)")
            #expect(result.stdout == "")
            #expect(result.stderr == error + "\n")
            #expect(!FileManager.default.fileExists(atPath: out))
        }
        let unknownBroker = try CLI.run(["activity", "-", "--broker", "nobody", "--db", db], stdin: "userId,at\n")
        #expect(unknownBroker.status == 2)
        #expect(unknownBroker.stderr.contains(#""code":"UNKNOWN_BROKER""#))
    }
}
