import Foundation

/// Runs the built `invite-ledger` binary as a user would, and captures what it printed.
enum CLI {
    /// A step of a test's set-up that did not do what it should.
    struct Failure: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }

    struct Result: CustomStringConvertible {
        var status: Int32
        var stdout: String
        var stderr: String

        var description: String { "exit \(status)\nstdout:\n\(stdout)\nstderr:\n\(stderr)" }

        /// stderr's lines, each parsed as JSON.
        var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
    }

    /// The binary next to the test bundle (`.build/<triple>/debug/invite-ledger`), or
    /// `$INVITE_LEDGER_BINARY` to test an installed one.
    static var binary: URL {
        if let path = ProcessInfo.processInfo.environment["INVITE_LEDGER_BINARY"] {
            return URL(fileURLWithPath: path)
        }
        var directory = Bundle.main.bundleURL
        if directory.pathExtension == "xctest" {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("invite-ledger")
    }

    /// The package's root, for `Fixtures/`.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static func fixture(_ name: String) -> URL {
        packageRoot.appendingPathComponent("Fixtures").appendingPathComponent(name)
    }

    /// Runs `invite-ledger arguments...`; stdout and stderr go to files, so a large output never
    /// blocks a pipe.
    @discardableResult
    static func run(
        _ arguments: [String], stdin: String? = nil, environment: [String: String] = [:],
        directory: URL? = nil
    ) throws -> Result {
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let outURL = scratch.appendingPathComponent("stdout")
        let errURL = scratch.appendingPathComponent("stderr")
        let inURL = scratch.appendingPathComponent("stdin")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: inURL.path, contents: Data((stdin ?? "").utf8))

        let process = Process()
        process.executableURL = binary
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        env.removeValue(forKey: "INVITE_LEDGER_DB")
        // recordedAt is hashed: the expected hashes of Fixtures/expected/ were recorded at this time.
        env["INVITE_LEDGER_FIXED_TIME"] = "2026-04-01T00:00:00Z"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        if let directory { process.currentDirectoryURL = directory }
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let input = try FileHandle(forReadingFrom: inURL)
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        try input.close()
        return Result(
            status: process.terminationStatus,
            stdout: try String(contentsOf: outURL, encoding: .utf8),
            stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    /// A query of every kind, in machine-readable formats, on the fixtures' partners: two ledgers
    /// that answer all of them alike answer alike.
    static let everyQuery: [[String]] = [
        ["referrals", "--partner-id", "ib-alice", "--depth", "5", "--format", "json"],
        ["referrals", "--user-id", "1001", "--depth", "5", "--as-of", "2026-04-06T00:00:00Z", "--format", "csv"],
        ["stats", "--crm-partner-ref", "CRM-1001", "--format", "json"],
        ["referral", "get", "--account-id", "5002", "--format", "json"],
        ["referral", "get", "--user-id", "1001", "--format", "json"],
        ["upline", "--user-id", "2001", "--format", "json"],
        ["trace", "--user-id", "1003", "--format", "json"],
        ["trace", "--account-id", "5002", "--format", "json"],
        ["report", "attributions", "--levels", "4", "--format", "ndjson"],
        ["report", "partners", "--format", "csv"],
    ]

    /// Runs a Python 3 script with arguments (`sys.argv[1:]`); returns what it printed, stderr included.
    static func python(_ script: String, _ arguments: [String]) throws -> String {
        try tool(["python3", "-c", script] + arguments)
    }

    /// Runs the system `sqlite3` shell.
    @discardableResult
    static func sqlite3(_ path: String, _ sql: String) throws -> String {
        try tool(["sqlite3", "-bail", "-cmd", ".timeout 10000", path, sql])
    }

    /// Runs SQL with the `sqlite3` shell in JSON mode (`-json`): an array of rows, or "" for none.
    static func sqlite3JSON(_ path: String, _ sql: String) throws -> String {
        try tool(["sqlite3", "-json", "-bail", path, sql])
    }

    /// Runs a program found on PATH; returns what it printed on stdout and stderr.
    private static func tool(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// A fresh directory, removed by `remove()`.
struct Scratch {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("invite-ledger-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// A ledger made with `init` in this directory, holding the seed flows (broker acme),
    /// ingested through the command line (so its head witness is there).
    func ledger(_ name: String = "ledger.sqlite", flows: [String] = ["flow-1", "flow-2"]) throws -> String {
        let db = path(name)
        guard try CLI.run(["init", "--db", db]).status == 0 else { throw CLI.Failure("init \(db)") }
        for flow in flows {
            let result = try CLI.run(["ingest", CLI.fixture("\(flow).ndjson").path, "--db", db])
            guard result.status == 0 else { throw CLI.Failure("ingest \(flow): \(result)") }
        }
        return db
    }

    func remove() { try? FileManager.default.removeItem(at: url) }
}
