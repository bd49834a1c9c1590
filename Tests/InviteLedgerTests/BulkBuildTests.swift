import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// The bulk build (`LedgerBuild`, which `rebuild --to` and `verify` replay through) makes the
/// ledger the incremental path makes from the same log: every row of every table, the same
/// `sqlite_schema` (only pages differ), the same chain head; and `verify` passes on what it built.
@Suite("bulk build")
struct BulkBuildTests {
    /// Replays the log of `source` into a new scratch ledger, its first `bulkEvents` in bulk.
    static func replay(_ source: Ledger, bulkEvents: Int) throws -> (TemporaryDatabase, outcomes: [String]) {
        let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
        try LedgerSchema.migrator().migrate(scratch.db)
        var outcomes: [String] = []
        try source.queue.read { db in
            var replay = LogReplay(source: db, target: scratch.db)
            replay.bulkEvents = bulkEvents
            replay.transactionSize = 97
            try replay.run { event, result in
                switch result {
                case .recorded(let outcome, let text): outcomes.append("\(event.seq) \(outcome.status) \(text)")
                case .unreadable(let error), .rejected(let error): outcomes.append("\(event.seq) \(error)")
                }
            }
        }
        return (scratch, outcomes)
    }

    /// Every row of every table, in key order, and every schema object.
    static func content(_ db: Database) throws -> [String: [[DatabaseValue]]] {
        var content: [String: [[DatabaseValue]]] = [:]
        for table in try LedgerSchema.tables(db) {
            let order = table == "lineage" ? "ancestorRowId, depth, attributedAt, descendantUserId, validFrom" : "rowid"
            content[table] = try db.fetchAll(sql: "SELECT * FROM \"\(table)\" ORDER BY \(order)").map(\.values)
        }
        // The migrations applied, without the time each was applied at.
        content[Migrator.tableName] = try db.fetchAll(sql: "SELECT * FROM \(Migrator.tableName) ORDER BY rowid")
            .map { [$0.values[0]] }
        content["sqlite_schema"] = try db.fetchAll(sql: """
            SELECT type, name, tbl_name, sql FROM sqlite_schema ORDER BY type, name
            """).map(\.values)
        return content
    }

    static func expectAlike(_ lines: [String], _ context: String) throws {
        let (source, _) = try Fixtures.ingested(lines, batchSize: 250)
        let (incremental, incrementalOutcomes) = try replay(source, bulkEvents: 0)
        let expected = try content(incremental.db)
        let expectedHead = try HeadWitness.head(incremental.db)?.hash
        incremental.remove()
        // All of the log in bulk, and its first 300 events only, then batch by batch.
        var built: [String: [[DatabaseValue]]] = [:]
        for bulkEvents in [Int.max, 300] {
            let (bulk, bulkOutcomes) = try replay(source, bulkEvents: bulkEvents)
            defer { bulk.remove() }
            #expect(bulkOutcomes == incrementalOutcomes, "\(context), \(bulkEvents) in bulk: outcomes")
            built = try content(bulk.db)
            #expect(built.keys.sorted() == expected.keys.sorted())
            for table in expected.keys.sorted() {
                #expect(built[table] == expected[table], "\(context), \(bulkEvents) in bulk: \(table)")
            }
            #expect(try HeadWitness.head(bulk.db)?.hash == expectedHead)
        }
        // The replay is the ledger itself: its rows, table by table.
        let stored = try source.queue.read { db in try content(db) }
        for table in expected.keys.sorted() where table != Migrator.tableName {
            #expect(built[table] == stored[table], "\(context): \(table) is not the ledger's")
        }
        #expect(!(built["event"] ?? []).isEmpty && !(built["lineage"] ?? []).isEmpty)
    }

    @Test("the fixtures: the same rows, schema and head both ways")
    func fixtures() throws {
        let lines = try ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson", "errors.ndjson"]
            .flatMap(Fixtures.lines)
        try Self.expectAlike(lines, "fixtures")
    }

    @Test("generated histories of every step kind, with rejections, moves and back-dated steps: alike both ways",
          arguments: [UInt64(1), 2])
    func histories(seed: UInt64) throws {
        let backDated = try IntervalPropertyTests.history(seed: seed &* 0x51ED, steps: 120).lines
        try Self.expectAlike(RecordingPathsTests.history(seed: seed, users: 400) + backDated, "history \(seed)")
    }

    /// Ingests `lines` into a new in-memory ledger with `options`; the rejections as
    /// "line code", and each commit's last line.
    static func ingest(
        _ lines: [String], _ options: Ledger.IngestOptions
    ) throws -> (Ledger, Ledger.IngestSummary, rejected: [String], commits: [Int]) {
        let ingest = try Fixtures.ingest(lines, options: options)
        return (ingest.ledger, ingest.summary, ingest.rejections.map { "\($0.line) \($0.error.code.rawValue)" }, ingest.commits)
    }

    @Test("a first load built in bulk, whole or its first lines, is the ledger ingested batch by batch",
          arguments: [Int.max, 1_000])
    func firstLoad(bulkLines: Int) throws {
        let lines = try ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson", "errors.ndjson"]
            .flatMap(Fixtures.lines)
            + RecordingPathsTests.history(seed: 4, users: 300)
            + IntervalPropertyTests.history(seed: 9, steps: 150).lines
        let (bulk, bulkSummary, bulkRejected, bulkCommits) = try Self.ingest(
            lines, .init(batchSize: 400, firstLoadBulkLines: bulkLines))
        let (batches, summary, rejected, commits) = try Self.ingest(lines, .init(batchSize: 400, firstLoadBulkLines: 0))
        #expect(bulkSummary == summary)
        #expect(bulkSummary.recorded > 1_000 && bulkSummary.rejected > 0 && bulkSummary.refusedAttributions > 0)
        #expect(bulkSummary.refusedAttributions == summary.refusedAttributions)
        #expect(bulkRejected == rejected)
        // One commit for the bulk lines, then one per batch.
        let lineCount = lines.count
        #expect(commits == Array(stride(from: 400, to: lineCount, by: 400)) + [lineCount])
        #expect(bulkCommits == (bulkLines >= lineCount
            ? [lineCount] : [1_000] + Array(stride(from: 1_400, to: lineCount, by: 400)) + [lineCount]))
        let built = try bulk.queue.read { db in try Self.content(db) }
        let expected = try batches.queue.read { db in try Self.content(db) }
        #expect(built.keys.sorted() == expected.keys.sorted())
        for table in expected.keys.sorted() {
            #expect(built[table] == expected[table], "\(table)")
        }
        #expect(try bulk.verify().problems == [])
        #expect(try bulk.verify().headHash == batches.verify().headHash)
    }

    @Test("a ledger that holds rows is ingested into batch by batch")
    func notFirstLoad() throws {
        let ledger = try Fixtures.emptyLedger()
        _ = try ledger.record(json: try Fixtures.lines("flow-2.ndjson")[0])
        var reader = try NDJSONReader.open(path: Fixtures.url("flow-1.ndjson").path)
        defer { reader.close() }
        var commits: [Int] = []
        let summary = try ledger.ingest(&reader, options: .init(batchSize: 4), onCommit: { commits.append($0.committedThroughLine) })
        #expect(commits == [4, 8, 10])
        #expect(summary.recorded == 10)
        #expect(try ledger.verify().problems == [])
    }

    @Test("a ledger rebuilt the bulk way verifies, and answers as the original")
    func rebuiltVerifies() throws {
        let lines = try ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson"].flatMap(Fixtures.lines)
            + RecordingPathsTests.history(seed: 3, users: 200)
        let (source, _) = try Fixtures.ingested(lines, batchSize: 500)
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("bulk-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let destination = (directory as NSString).appendingPathComponent("rebuilt.sqlite")
        let report = try source.rebuild(to: destination)
        #expect(report.isIntact)
        let rebuilt = try Ledger(path: destination, access: .readWrite, clock: Fixtures.clock)
        let verified = try rebuilt.verify()
        #expect(verified.isIntact, "\(verified.problems)")
        #expect(verified.headHash == report.headHash)
        // Nothing of the build is left beside it.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).filter { !$0.hasPrefix("rebuilt.sqlite") } == [])
    }

    @Test("a build's rows by id span chunks, with ids never saved left empty")
    func rowsById() {
        var rows = PackedRows<BrokerRecord>()
        let size = Column<BrokerRecord>.chunkSize
        let build = BuildState(storedEvent: { _, _ in nil })
        // Ids 1 to 2.5 chunks, but every seventh, saved out of order within a chunk and saved twice.
        let ids = (1...Int64(size * 5 / 2)).filter { $0 % 7 != 0 }
        for id in ids.reversed() {
            rows.put(BrokerRecord(id: id, brokerCrmName: "old", guaranteedAttributionDays: 0), id: id)
        }
        for id in ids {
            rows.put(BrokerRecord(id: id, brokerCrmName: "b\(id)", guaranteedAttributionDays: 0), id: id)
        }
        var all: [BrokerRecord] = []
        rows.forEach { id, row in
            #expect(row.id == id)
            all.append(row)
        }
        #expect(all.map(\.id) == ids)
        #expect(all.allSatisfy { $0.brokerCrmName == "b\($0.id)" })
        #expect(rows[7] == nil && rows[0] == nil && rows[-3] == nil && rows[Int64(size * 3)] == nil)
        #expect(rows[Int64(size + 1)]?.brokerCrmName == "b\(size + 1)")
        var chunks: [[Int64]] = []
        rows.forEachChunk(in: build) { chunks.append($0.map(\.id)) }
        #expect(chunks.map(\.count) == [ids.filter { $0 <= size }.count, ids.filter { $0 > size && $0 <= 2 * size }.count,
                                         ids.filter { $0 > 2 * size }.count])
        #expect(chunks.flatMap { $0 } == ids)
    }

    @Test("the rows held by the million take the bytes Performance.md gives them")
    func packedStrides() {
        #expect(MemoryLayout<BuildState.PackedUser>.stride == 48)
        #expect(MemoryLayout<BuildState.PackedClick>.stride == 56)
        #expect(MemoryLayout<BuildState.PackedSignup>.stride == 72)
        #expect(MemoryLayout<BuildState.PackedAttribution>.stride == 64)
        #expect(MemoryLayout<BuildState.PackedPath>.stride == 40)
    }

    @Test("a click, a signup and an attribution keep a partnerId that is not their holder's")
    func partnerIdsApart() throws {
        let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
        defer { scratch.remove() }
        try LedgerSchema.migrator().migrate(scratch.db)
        let lines = [
            #"{"step":"broker.configured","eventId":"a0","brokerCrmName":"acme","at":"2026-03-02T08:00:00Z","guaranteedAttributionDays":0}"#,
            #"{"step":"user.created","eventId":"a1","brokerCrmName":"acme","at":"2026-03-02T09:00:00Z","userId":1}"#,
            #"{"step":"referral.set","eventId":"a2","brokerCrmName":"acme","at":"2026-03-02T09:01:00Z","partnerId":"ib-1","userId":1}"#,
            #"{"step":"link.clicked","eventId":"a3","brokerCrmName":"acme","at":"2026-03-02T09:02:00Z","partnerId":"ib-1","visitorId":"v1"}"#,
            #"{"step":"link.clicked","eventId":"a4","brokerCrmName":"acme","at":"2026-03-02T09:03:00Z","partnerId":"ib-none","visitorId":"v2"}"#,
            #"{"step":"signup.submitted","eventId":"a5","brokerCrmName":"acme","at":"2026-03-02T09:04:00Z","signupId":"s2","partnerId":"ib-none","visitorId":"v2"}"#,
            #"{"step":"user.created","eventId":"a6","brokerCrmName":"acme","at":"2026-03-02T09:05:00Z","userId":2,"signupId":"s2"}"#,
            #"{"step":"signup.submitted","eventId":"a7","brokerCrmName":"acme","at":"2026-03-02T09:06:00Z","signupId":"s3","partnerId":"ib-1","visitorId":"v1"}"#,
            #"{"step":"user.created","eventId":"a8","brokerCrmName":"acme","at":"2026-03-02T09:07:00Z","userId":3,"signupId":"s3"}"#,
        ]
        let built = try #require(try LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
            for line in lines {
                _ = try build.record(try Step(json: line), recordedAt: Fixtures.clock.now())
            }
            #expect(build.state.records(of: build.state.clicks).map(\.partnerId) == ["ib-1", "ib-none"])
            #expect(build.state.records(of: build.state.signups).map(\.partnerId) == ["ib-none", "ib-1"])
            #expect(build.state.records(of: build.state.attributions).map(\.partnerId) == ["ib-none", "ib-1"])
            build.isWholeLog = true
        })
        #expect(built.writtenKeys == nil)
        #expect(try String.fetchAll(scratch.db, sql: "SELECT partnerId FROM click ORDER BY id") == ["ib-1", "ib-none"])
        #expect(try String.fetchAll(scratch.db, sql: "SELECT outcome || ' ' || partnerId FROM attribution ORDER BY id")
            == ["UNKNOWN_PARTNER_ID ib-none", "ATTRIBUTED ib-1"])
    }

    @Test("a column reads its filler where never set, and grows a chunk at a time")
    func column() {
        var column = Column<Int64>(filler: .min)
        let size = Column<Int64>.chunkSize
        #expect(column[0] == .min && column[-1] == .min && column.count == 0)
        column[size + 2] = 7
        #expect(column.count == size + 3 && column.chunks.map(\.count) == [size, 3])
        #expect(column[size + 2] == 7 && column[size + 1] == .min && column[size + 3] == .min)
        column.append(8)
        #expect(column[size + 3] == 8 && column.count == size + 4)
        #expect(column.byteCount == 2 * size * 8)
    }

    @Test("a key index finds each row by its key through colliding hashes, replaces a row with its key, and grows")
    func keyIndex() {
        // Keys of 5,000 rows, every one hashed to one of 8 values, so that most probes collide.
        var keys: [Int64: String] = [:]
        var index = KeyIndex()
        func hash(_ key: String) -> Int { key.utf8.reduce(0) { ($0 + Int($1)) % 8 } }
        for id in Int64(1)...5_000 {
            let key = "k\(id % 4_000)"
            let replaced = index.first(hash: hash(key), where: { keys[$0] == key })
            index.set(id, hash: hash(key), replacing: replaced)
            keys[id] = key
            #expect(replaced == (id > 4_000 ? id - 4_000 : nil))
        }
        #expect(index.count == 4_000)
        for id in Int64(1_001)...5_000 {
            let key = keys[id]!
            #expect(index.first(hash: hash(key), where: { keys[$0] == key }) == id)
        }
        #expect(index.first(hash: hash("k4000"), where: { keys[$0] == "k4000" }) == nil)
        #expect(index.byteCount == 8_192 * 8)
    }

    @Test("a build finds an eventId it already wrote to the file: the same step is a duplicate, another a conflict")
    func duplicatesInTheFile() throws {
        let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
        defer { scratch.remove() }
        try LedgerSchema.migrator().migrate(scratch.db)
        let steps = try Fixtures.lines("flow-1.ndjson").map { try Step(json: $0) }
        var statuses: [String] = []
        var conflicts: [String] = []
        try LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
            // Each event is written to the file as soon as it is recorded.
            build.eventBatch = 1
            for step in steps {
                _ = try build.record(step, recordedAt: Fixtures.clock.now())
            }
            for step in steps {
                statuses.append("\(try build.record(step, recordedAt: Fixtures.clock.now()).status)")
                // The same eventId a year earlier.
                let changed = step.payload.replacingOccurrences(of: #""at":"2026-"#, with: #""at":"2025-"#)
                #expect(changed != step.payload)
                do {
                    _ = try build.record(try Step(json: changed), recordedAt: Fixtures.clock.now())
                } catch let error as LedgerError {
                    conflicts.append(error.code.rawValue)
                }
            }
        }
        #expect(statuses == Array(repeating: "duplicate", count: steps.count))
        #expect(conflicts == Array(repeating: "IDEMPOTENCY_CONFLICT", count: steps.count))
        #expect(try Int.fetchOne(scratch.db, sql: "SELECT count(*) FROM event") == steps.count)
    }

    @Test("a build holds the file's page cache to its own size, and gives the connection's back, also when it fails")
    func pageCache() throws {
        let steps = try Fixtures.lines("flow-1.ndjson").map { try Step(json: $0) }
        struct Stop: Error {}
        for fails in [false, true] {
            let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
            defer { scratch.remove() }
            try LedgerSchema.migrator().migrate(scratch.db)
            try scratch.db.setCacheSize(kibibytes: 65_536)
            var during: [Int] = []
            _ = try? LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
                during.append(try scratch.db.cacheSizeKiB())
                for step in steps {
                    _ = try build.record(step, recordedAt: Fixtures.clock.now())
                }
                if fails { throw Stop() }
            }
            #expect(during == [LedgerBuild.pageCacheKiB], "fails: \(fails)")
            #expect(try scratch.db.cacheSizeKiB() == 65_536, "fails: \(fails)")
            #expect(try Int.fetchOne(scratch.db, sql: "SELECT count(*) FROM event") == (fails ? 0 : steps.count))
        }
    }

    @Test("a build that fails half-way leaves the schema alone in its file")
    func failedBuildLeavesNothing() throws {
        let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
        defer { scratch.remove() }
        try LedgerSchema.migrator().migrate(scratch.db)
        let schema = try Self.content(scratch.db)
        struct Stop: Error {}
        let steps = try Fixtures.lines("flow-1.ndjson").map { try Step(json: $0) }
        #expect(throws: Stop.self) {
            try LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
                build.eventBatch = 2
                for step in steps {
                    _ = try build.record(step, recordedAt: Fixtures.clock.now())
                }
                throw Stop()
            }
        }
        #expect(try Self.content(scratch.db) == schema)
    }

    @Test("a build is full once its rows reach its memory budget, looked at every 4,096 steps")
    func memoryBudget() throws {
        let steps = try RecordingPathsTests.history(seed: 5, users: 2_400).map { try Step(json: $0) }
        #expect(steps.count > 8_192)
        for budget in [1, Int.max] {
            let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
            defer { scratch.remove() }
            try LedgerSchema.migrator().migrate(scratch.db)
            var fullAt: Int?
            var bytes: [Int] = []
            try LedgerBuild.run(into: scratch.db, brokers: .anyBroker, memoryBudget: budget) { build in
                var recorded = 0
                for step in steps {
                    // A rejected step (the history has some) is not counted.
                    guard (try? build.record(step, recordedAt: Fixtures.clock.now())) != nil else { continue }
                    recorded += 1
                    if build.isFull && fullAt == nil { fullAt = recorded }
                    if recorded % 4_096 == 0 { bytes.append(build.state.byteCount) }
                }
            }
            #expect(fullAt == (budget == 1 ? 4_096 : nil), "budget \(budget)")
            // The rows held grow with the steps recorded.
            #expect(bytes.count == 2 && bytes[0] > 0 && bytes[1] > bytes[0], "\(bytes)")
        }
    }

    @Test("a finished build holds no rows, and the keys of what it wrote only when a part follows it")
    func finishedBuildLetsRowsGo() throws {
        let steps = try Fixtures.lines("flow-1.ndjson").map { try Step(json: $0) }
        for isWholeLog in [false, true] {
            let scratch = try TemporaryDatabase(prefix: "bulk-build-test")
            defer { scratch.remove() }
            try LedgerSchema.migrator().migrate(scratch.db)
            var held = 0
            let built = try #require(try LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
                for step in steps {
                    _ = try build.record(step, recordedAt: Fixtures.clock.now())
                }
                held = build.state.byteCount
                build.isWholeLog = isWholeLog
            })
            #expect(held > 0)
            // Eight key indexes, empty.
            #expect(built.state.byteCount == 8 * KeyIndex().byteCount)
            #expect(built.state.user(brokerId: 1, userId: 1001) == nil)
            #expect(try Int.fetchOne(scratch.db, sql: "SELECT count(*) FROM ctidUser") ?? 0 > 0)
            if isWholeLog {
                #expect(built.writtenKeys == nil)
            } else {
                let keys = try #require(built.writtenKeys)
                #expect(keys.mayContain(WrittenKeys.key(.user, 1, 1001)))
                #expect(keys.mayContain(WrittenKeys.key(.event, 1, steps[0].eventId)))
            }
        }
    }
}
