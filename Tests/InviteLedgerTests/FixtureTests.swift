import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

@Suite("Fixtures")
struct FixtureTests {
    @Test("each step of the seed flows and of every attribution outcome decides exactly as expected")
    func outcomesMatchExpected() throws {
        let ledger = try Fixtures.emptyLedger()
        for name in ["flow-1", "flow-2", "attribution-outcomes"] {
            let expected = try Fixtures.lines("expected/\(name).outcomes.ndjson")
            let steps = try Fixtures.lines("\(name).ndjson")
            #expect(steps.count == expected.count)
            for (line, expectation) in zip(steps, expected) {
                #expect(try ledger.record(json: line).json.serialized() == expectation)
            }
        }
        #expect(try ledger.verify().isIntact)
    }

    @Test("every error fixture is rejected with its code, field and message, and changes nothing")
    func errorsMatchExpected() throws {
        // The default broker policy: a step naming an unknown broker is UNKNOWN_BROKER.
        let ledger = try Fixtures.ledger(brokers: .knownBrokers)
        var rejections: [String] = []
        var reader = try NDJSONReader.open(path: Fixtures.url("errors.ndjson").path)
        defer { reader.close() }
        let summary = try ledger.ingest(&reader, onRejection: { rejections.append($0.json.serialized()) })
        #expect(rejections == (try Fixtures.lines("expected/errors.stderr.ndjson")))
        #expect(summary == Ledger.IngestSummary(lines: 49, recorded: 2, duplicates: 0, rejected: 47, committedThroughLine: 49))
        // Only the two valid lines (broker.configured and a referral.deleted) were recorded.
        #expect(try ledger.rows("SELECT seq, eventId, step FROM event WHERE seq > 20") == [
            "21|e-36|broker.configured", "22|e-40|referral.deleted",
        ])
        let codes = Set(rejections.compactMap { line -> String? in
            guard case .string(let code)? = (try? JSONParser.parse(line))?["error"]?["code"] else { return nil }
            return code
        })
        // BROKER_NOT_ALLOWED needs a write pinned to a broker: BrokerPolicyTests has it.
        let stepCodes = Set(LedgerError.Code.allCases.map(\.rawValue)).subtracting([
            "AMBIGUOUS_BROKER", "INVALID_CURSOR", "NOT_INITIALIZED", "SCHEMA_OUTDATED", "BROKER_NOT_ALLOWED",
        ])
        #expect(codes == stepCodes, "every code a step can be rejected with has a fixture line")
    }

    @Test("steps rejected inside a batch leave nothing behind: the rest is recorded as if they were not there",
          arguments: [8, 3, 100, 1, 2_000])
    func rejectionInsideBatch(batchSize: Int) throws {
        let good = try Fixtures.lines("flow-1.ndjson") + Fixtures.lines("flow-2.ndjson")
        var lines = good
        // An unknown signup and an unknown partner user, in the middle of batches.
        lines.insert(#"{"step":"user.created","eventId":"x-1","brokerCrmName":"acme","at":"2026-04-01T00:00:00Z","userId":1005,"signupId":"S-404"}"#, at: 12)
        lines.insert(#"{"step":"invite.received","eventId":"x-2","brokerCrmName":"acme","at":"2026-04-04T00:00:00Z","invitedUserId":2001,"partnerUserId":9999,"brokerName":"Acme Markets"}"#, at: 5)
        let (ledger, summary, rejected, commitLines) = try Fixtures.ingest(
            lines, options: Ledger.IngestOptions(batchSize: batchSize, firstLoadBulkLines: 0))
        let rejections = rejected.map { $0.json.serialized() }
        let commits = commitLines.count
        #expect(commits == (lines.count + batchSize - 1) / batchSize)
        #expect(summary == Ledger.IngestSummary(
            lines: good.count + 2, recorded: good.count, duplicates: 0, rejected: 2, committedThroughLine: good.count + 2))
        #expect(rejections == [
            #"{"error":{"code":"UNKNOWN_USER","field":"partnerUserId","message":"no user 9999 in broker acme"},"line":6,"eventId":"x-2"}"#,
            #"{"error":{"code":"UNKNOWN_SIGNUP","field":"signupId","message":"no signup \"S-404\""},"line":14,"eventId":"x-1"}"#,
        ])
        let expected = try Fixtures.ledger()
        #expect(try ledger.verify().headHash == expected.verify().headHash)
        #expect(try ledger.verify().isIntact)
        let tables = try ledger.queue.inDatabase { try LedgerSchema.tables($0) }
        #expect(tables.count >= 12)
        for table in tables {
            #expect(try ledger.rows("SELECT * FROM \(table)") == expected.rows("SELECT * FROM \(table)"), "\(table)")
        }
    }

    @Test("replaying a fixture changes nothing: the content stays byte for byte equal")
    func replayIsIdempotent() throws {
        let files = ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"]
        let ledger = try Fixtures.ledger(files)
        let before = try ledger.snapshot()
        for file in files {
            var reader = try NDJSONReader.open(path: Fixtures.url(file).path)
            defer { reader.close() }
            let summary = try ledger.ingest(&reader)
            #expect(summary.recorded == 0)
            #expect(summary.rejected == 0)
            #expect(summary.duplicates == summary.lines)
        }
        #expect(try ledger.snapshot() == before)
    }

    @Test("a rejected step leaves the database exactly as it was, even after partial work")
    func rejectedStepChangesNothing() throws {
        let ledger = try Fixtures.ledger()
        let before = try ledger.snapshot()
        let rejected = [
            // Rejected after the broker row would have been created.
            step("user.created", "r1", broker: "newbroker", ["userId": 1, "signupId": "S-404"]),
            // Rejected after the user row would have been inserted: the signup was completed by 1002.
            step("user.created", "r2", ["userId": 1099, "signupId": "S-2"]),
            // Rejected in the middle of a reassignment (cycle).
            step("attribution.reassigned", "r3", ["userId": 1001, "partnerId": "bob@ib.example", "reason": "r", "operator": "o"]),
            // Rejected by idempotency.
            step("user.created", "f1-02", ["userId": 1001]),
        ]
        for json in rejected {
            #expect(throws: LedgerError.self) { try ledger.record(json: json) }
        }
        #expect(try ledger.snapshot() == before)
    }

    @Test("--atomic: one rejected line rolls the whole file back")
    func atomicIngest() throws {
        let ledger = try Fixtures.ledger(["flow-1.ndjson"])
        let before = try ledger.snapshot()
        var reader = try NDJSONReader.open(path: Fixtures.url("flow-2.ndjson").path)
        let summary = try ledger.ingest(&reader, options: .init(isAtomic: true))
        reader.close()
        #expect(summary.recorded == 10 && summary.rejected == 0 && !summary.rolledBack)
        #expect(try ledger.snapshot() != before)

        let after = try ledger.snapshot()
        var errors = try NDJSONReader.open(path: Fixtures.url("errors.ndjson").path)
        let failed = try ledger.ingest(&errors, options: .init(isAtomic: true))
        errors.close()
        #expect(failed.rolledBack)
        #expect(failed.rejected == 46)
        #expect(failed.recorded == 0)
        #expect(try ledger.snapshot() == after)
    }

    @Test("ingest commits in batches and reports each commit")
    func batches() throws {
        let ledger = try Fixtures.emptyLedger()
        var reader = try NDJSONReader.open(path: Fixtures.url("flow-1.ndjson").path)
        defer { reader.close() }
        var commits: [Int] = []
        let summary = try ledger.ingest(
            &reader, options: .init(batchSize: 4, firstLoadBulkLines: 0), onCommit: { commits.append($0.committedThroughLine) })
        #expect(commits == [4, 8, 10])
        #expect(summary.recorded == 10)
    }
}
