import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// A first load (ingest into a ledger with no rows) and the replays of `verify` and `rebuild`
/// know which keys they wrote (`WrittenKeys`) and do not search the file for the others. These
/// tests prove that it never answers "absent" for a row that is there.
@Suite("first load")
struct FirstLoadTests {
    @Test("WrittenKeys never misses a key it holds, and answers 'perhaps' for few it does not")
    func writtenKeys() {
        var keys = WrittenKeys()
        // Past the first filter's capacity, so that a second, larger one is in use.
        let count: Int64 = 400_000
        for value in 0..<count {
            keys.insert(WrittenKeys.key(.user, 1, value))
        }
        keys.insert(WrittenKeys.key(.event, 2, "e1"))
        keys.insert(WrittenKeys.key(.visitorClick, 2, "v1", "p1"))
        for value in 0..<count {
            #expect(keys.mayContain(WrittenKeys.key(.user, 1, value)), "user \(value)")
        }
        #expect(keys.mayContain(WrittenKeys.key(.event, 2, "e1")))
        #expect(keys.mayContain(WrittenKeys.key(.visitorClick, 2, "v1", "p1")))
        // Other values, other brokers, other kinds: mostly absent.
        var perhaps = 0
        for value in count..<(2 * count) where keys.mayContain(WrittenKeys.key(.user, 1, value)) {
            perhaps += 1
        }
        for value in 0..<count where keys.mayContain(WrittenKeys.key(.account, 1, value)) {
            perhaps += 1
        }
        #expect(perhaps < Int(2 * count) / 20, "\(perhaps) false 'perhaps' answers of \(2 * count)")
        print("WrittenKeys: \(perhaps) false 'perhaps' answers of \(2 * count) keys never written")
        #expect(!keys.mayContain(WrittenKeys.key(.event, 2, "e2")) || !keys.mayContain(WrittenKeys.key(.event, 2, "e3")))
    }

    /// A first load whose ledger another process writes to between two of its batches: what the
    /// other process wrote must be found (its user exists, its eventId is a duplicate).
    @Test("a first load notices another writer and finds what it wrote")
    func anotherWriter() throws {
        let scratch = try ScratchDirectory("first-load")
        defer { scratch.remove() }
        let path = scratch.path("ledger.sqlite")
        let loader = try Ledger(path: path, access: .create, clock: Fixtures.clock, brokers: .anyBroker)
        let other = try Ledger(path: path, access: .readWrite, clock: Fixtures.clock, brokers: .anyBroker)
        let lines = [
            step("user.created", "e1", ["userId": 1]),
            step("user.created", "e2", ["userId": 2]),
            // Written by the other process meanwhile: user 3 exists, and so does eventId e9.
            step("referral.set", "e3", ["userId": 3, "partnerId": "p3"]),
            step("user.created", "e9", ["userId": 3]),
            step("user.created", "e4", ["userId": 4, "partnerId": "p3"]),
        ]
        let url = try Fixtures.temporaryFile(lines)
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try NDJSONReader.open(path: url.path)
        defer { reader.close() }
        var rejected: [String] = []
        var commits = 0
        let summary = try loader.ingest(
            &reader, options: .init(batchSize: 2, firstLoadBulkLines: 0), onRejection: { rejected.append($0.error.code.rawValue) },
            onCommit: { _ in
                commits += 1
                if commits == 1 {
                    _ = try? other.record(json: step("user.created", "e9", ["userId": 3]))
                }
            })
        #expect(rejected == [])
        #expect(summary.recorded == 4)
        #expect(summary.duplicates == 1)
        #expect(try loader.rows("SELECT u.userId, a.outcome FROM attribution a JOIN ctidUser u ON u.id = a.userRowId")
            == ["4|ATTRIBUTED"])
        #expect(try loader.verify().problems == [])
        try other.close()
        try loader.close()
    }
}
