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
        #expect(result.stderr == #"{"rows":3,"written":3,"unattributed":0,"rejected":0,"outsidePeriod":0,"snapshotSeq":47}"# + "\n")
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

@Suite("activity totals")
struct ActivityTotalsCommandTests {
    @Test("--sum: per level and partner, rows, distinct traders and exact sums; a bad value is a rejected row")
    func totals() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = try ActivityCommandTests().seeded(scratch)
        let deals = """
            dealId,userId,at,volume,commission
            A,1002,2026-04-01T00:00:00Z,0.1,1.005
            B,1002,2026-04-02T00:00:00Z,0.2,-0.005
            C,2001,2026-04-03T15:00:00Z,0.3,10
            D,1003,2026-04-03T16:00:00Z,1,0.000000000000000001
            E,1001,2026-04-04T00:00:00Z,2,1
            F,1003,2026-05-01T00:00:00Z,5,5
            G,1003,2026-04-05T00:00:00Z,1e3,5
            H,1003,2026-04-05T00:00:00Z,,5

            """
        let result = try CLI.run(
            ["activity", "-", "--sum", "volume,commission", "--levels", "2", "--to", "2026-04-30", "--print-summary", "--db", db],
            stdin: deals)
        #expect(result.status == 3, "\(result)")
        #expect(result.stdout == """
            level,partnerUserId,partnerId,rows,traders,volume,commission\r
            1,1001,ib-alice,2,1,0.3,1.000000000000000000\r
            1,1002,bob@ib.example,1,1,1.0,0.000000000000000001\r
            1,1003,ib-dave,1,1,0.3,10.000000000000000000\r
            1,,,1,1,2.0,1.000000000000000000\r
            2,1001,ib-alice,1,1,1.0,0.000000000000000001\r
            2,1002,bob@ib.example,1,1,0.3,10.000000000000000000\r
            2,,,3,2,2.3,2.000000000000000000\r

            """)
        #expect(result.stderr == """
            {"error":{"code":"INVALID_FIELD","field":"volume","message":"volume must be a decimal number (digits, an optional sign and point, at most 18 decimals and 38 digits), got \\"1e3\\""},"line":8}
            {"error":{"code":"MISSING_FIELD","field":"volume","message":"the row has no volume to sum"},"line":9}
            {"rows":8,"written":5,"unattributed":1,"rejected":2,"outsidePeriod":1,"snapshotSeq":47}

            """)
        let json = try CLI.run(
            ["activity", "-", "--input-format", "ndjson", "--sum", "volume", "--levels", "1", "--db", db],
            stdin: #"{"userId":1002,"at":"2026-04-01T00:00:00Z","volume":0.1}"# + "\n" + #"{"userId":1002,"at":"2026-04-01T00:00:00Z","volume":"0.2"}"# + "\n")
        #expect(json.status == 0, "\(json)")
        #expect(json.stdout == #"{"level":1,"partnerUserId":1001,"partnerId":"ib-alice","rows":2,"traders":1,"volume":"0.3"}"# + "\n")
        let missing = try CLI.run(["activity", "-", "--sum", "lots", "--db", db], stdin: deals)
        #expect(missing.status == 2)
        #expect(missing.stderr == #"{"error":{"code":"MISSING_FIELD","field":"lots","message":"the header has no column \"lots\" to sum"}}"# + "\n")
        let reserved = try CLI.run(["activity", "-", "--sum", "rows", "--db", db], stdin: deals)
        #expect(reserved.status == 2)
        #expect(reserved.stderr.contains(#""field":"--sum""#))
    }
}
