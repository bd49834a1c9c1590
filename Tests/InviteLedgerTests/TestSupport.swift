import Foundation
import LedgerStore

@testable import InviteLedger

/// Paths and helpers shared by the service tests.
enum Fixtures {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures")
    }

    static func url(_ name: String) -> URL { root.appendingPathComponent(name) }

    static func lines(_ name: String) throws -> [String] {
        try String(contentsOf: url(name), encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// Lines written to a new temporary NDJSON file; the caller removes it.
    static func temporaryFile(_ lines: [String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lines-\(UUID().uuidString).ndjson")
        try lines.joined(separator: "\n").write(to: url, atomically: true, encoding: .utf8)
        return url
    }

    /// A fresh ledger with `lines` ingested in batches of `batchSize`, and the codes of the
    /// lines it rejected, in order.
    static func ingested(_ lines: [String], batchSize: Int) throws -> (ledger: Ledger, rejected: [String]) {
        let ingest = try ingest(lines, options: .init(batchSize: batchSize))
        return (ingest.ledger, ingest.rejections.map(\.error.code.rawValue))
    }

    /// A fresh ledger with `lines` ingested with `options`: its summary, the rejections in order,
    /// and the last line of each commit.
    static func ingest(
        _ lines: [String], options: Ledger.IngestOptions
    ) throws -> (ledger: Ledger, summary: Ledger.IngestSummary, rejections: [Ledger.Rejection], commits: [Int]) {
        let url = try temporaryFile(lines)
        defer { try? FileManager.default.removeItem(at: url) }
        let ledger = try emptyLedger()
        var reader = try NDJSONReader.open(path: url.path)
        defer { reader.close() }
        var rejections: [Ledger.Rejection] = []
        var commits: [Int] = []
        let summary = try ledger.ingest(
            &reader, options: options, onRejection: { rejections.append($0) }, onCommit: { commits.append($0.committedThroughLine) })
        return (ledger, summary, rejections, commits)
    }

    /// The clock of every test ledger: recordedAt is hashed, and the expected hashes of
    /// `Fixtures/expected/` were recorded at this time.
    static let clock = Ledger.Clock.fixed(Timestamp(rfc3339: "2026-04-01T00:00:00Z")!)

    /// A fresh, empty in-memory ledger with the tests' fixed clock. Its steps may introduce their
    /// brokers (the rules' tests name brokers without a `broker.configured` step first); the
    /// default policy has tests of its own.
    static func emptyLedger(brokers: BrokerPolicy = .anyBroker) throws -> Ledger {
        try Ledger(path: ":memory:", clock: clock, brokers: brokers)
    }

    /// A fresh in-memory ledger with the named fixture files recorded, one step at a time.
    static func ledger(
        _ files: [String] = ["flow-1.ndjson", "flow-2.ndjson"], brokers: BrokerPolicy = .anyBroker
    ) throws -> Ledger {
        let ledger = try emptyLedger(brokers: brokers)
        for file in files {
            for line in try lines(file) {
                _ = try ledger.record(json: line)
            }
        }
        return ledger
    }
}

/// A new directory of the temporary directory, for tests that need files (a ledger on disk, a
/// second connection): `remove()` deletes it and everything in it.
struct ScratchDirectory {
    let url: URL

    init(_ prefix: String) throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: url) }
}

extension Ledger {
    /// Every row of every table, as text: two equal snapshots mean equal content.
    func snapshot() throws -> String {
        try queue.read { db in
            var text = ""
            let tables = try String.fetchAll(
                db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' ORDER BY name")
            for table in tables {
                text += "# \(table)\n"
                for row in try db.fetchAll(sql: "SELECT * FROM \"\(table)\"") {
                    text += row.values.map(\.description).joined(separator: "|") + "\n"
                }
            }
            return text
        }
    }

    /// Rows of a query, each as `a|b|c`.
    func rows(_ sql: String, _ arguments: StatementArguments = []) throws -> [String] {
        try queue.read { db in
            try db.fetchAll(sql: sql, arguments: arguments).map { $0.values.map(\.description).joined(separator: "|") }
        }
    }

    /// Runs SQL on the ledger's connection, bypassing the service: for tampering tests.
    func tamper(_ sql: String) throws {
        try queue.inDatabase { db in try db.execute(sql: sql) }
    }
}

/// A step as JSON, with the common fields filled in.
func step(
    _ name: String, _ eventId: String, at: String = "2026-05-01T00:00:00Z", broker: String = "acme",
    _ fields: [String: Any] = [:]
) -> String {
    var members: [(String, JSONValue)] = [
        ("step", .string(name)), ("eventId", .string(eventId)), ("brokerCrmName", .string(broker)), ("at", .string(at)),
    ]
    for (key, value) in fields.sorted(by: { $0.key < $1.key }) {
        switch value {
        case let text as String: members.append((key, .string(text)))
        case let number as Int: members.append((key, .integer(Int64(number))))
        case let number as Int64: members.append((key, .integer(number)))
        case let flag as Bool: members.append((key, .bool(flag)))
        case is NSNull: members.append((key, .null))
        default: fatalError("unsupported test value \(value)")
        }
    }
    return JSONValue.object(members).serialized()
}
