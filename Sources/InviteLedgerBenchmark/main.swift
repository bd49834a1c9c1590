import Foundation
import InviteLedger
import LedgerStore

// invite-ledger-bench: generates a synthetic forest and measures the speed bars of issue 6.
//
//   swift run -c release invite-ledger-bench generate --users 1000000 --output forest.ndjson
//   swift run -c release invite-ledger-bench run [--users 1000000] [--runs 3] [--work DIR]

func usage() -> Never {
    FileHandle.standardError.write(Data("""
        usage: invite-ledger-bench generate [--users N] [--seed S] [--attachment preferential|uniform] --output FILE
               invite-ledger-bench run [--users N] [--seed S] [--attachment preferential|uniform] [--runs N] [--work DIR] [--reuse yes [--only queries]]
               invite-ledger-bench live [--users N] [--steps N] [--work DIR]   (record, one step per transaction, in process)
               invite-ledger-bench stream [--users N] [--steps N] [--work DIR]   (record --stream through a pipe)
               invite-ledger-bench chain [--users N] [--work DIR]   (a referral chain N deep, default 10,000)
               invite-ledger-bench activity [--users N] [--rows N] [--runs N] [--work DIR]   (deals through activity, against sqlite3; rows default 10 x users)
               invite-ledger-bench sha256   (throughput of the Swift SHA-256 on 400-byte messages)

        """.utf8))
    exit(1)
}

var arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else { usage() }
arguments.removeFirst()
var options: [String: String] = [:]
while arguments.count >= 2, arguments[0].hasPrefix("--") {
    options[arguments[0]] = arguments[1]
    arguments.removeFirst(2)
}
guard arguments.isEmpty else { usage() }
var generator = ForestGenerator()
if let users = options["--users"].flatMap(Int.init) { generator.users = users }
if let seed = options["--seed"].flatMap(UInt64.init) { generator.seed = seed }
if let attachment = options["--attachment"] {
    guard let value = ForestGenerator.Attachment(rawValue: attachment) else { usage() }
    generator.attachment = value
}

/// The work directory (`--work`, else one named `name` in the temporary directory) and the forest
/// generated into it.
@MainActor
func prepare(_ name: String) throws -> (work: String, forest: String) {
    let work = options["--work"] ?? FileManager.default.temporaryDirectory.appendingPathComponent(name).path
    try FileManager.default.createDirectory(atPath: work, withIntermediateDirectories: true)
    let forest = (work as NSString).appendingPathComponent("forest.ndjson")
    _ = FileManager.default.createFile(atPath: forest, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: forest))
    _ = try generator.generate(to: handle)
    try handle.close()
    return (work, forest)
}

/// The path of a ledger named `name` in `work`, with any earlier one and its files removed.
func freshLedger(in work: String, _ name: String) -> String {
    let path = (work as NSString).appendingPathComponent(name)
    for suffix in ["", "-wal", "-shm", "-journal", "-head"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    return path
}

do {
    switch command {
    case "generate":
        guard let output = options["--output"] else { usage() }
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        let summary = try generator.generate(to: handle)
        try handle.close()
        print("steps: \(summary.steps), attributions: \(summary.attributions)")
        print("biggest partners (userId: descendants): " + summary.biggestPartners.map { "\($0.userId): \($0.descendants)" }.joined(separator: ", "))
        print("mid-size partner: \(summary.midPartner.userId) (\(summary.midPartner.descendants) descendants)")
        print("deepest user: \(summary.deepestUserId) (depth \(summary.deepestDepth))")
    case "activity":
        let (work, forest) = try prepare("invite-ledger-activity")
        try ActivityBenchmark(
            forest: forest, work: work, rows: options["--rows"].flatMap(Int.init) ?? generator.users * 10,
            runs: options["--runs"].flatMap(Int.init) ?? 3
        ).run()
    case "live":
        // The live path: the library's record, one step per transaction, in process, on a new
        // ledger file (WAL, synchronous = NORMAL), over the first --steps steps of the forest.
        let (work, forest) = try prepare("invite-ledger-live")
        let limit = options["--steps"].flatMap(Int.init) ?? 100_000
        var steps: [Step] = []
        var reader = try NDJSONReader.open(path: forest)
        while steps.count < limit, let step = try reader.nextLine({ line, _ -> Step? in
            guard case .bytes(let bytes) = line else { return nil }
            return try? Step(jsonBytes: bytes)
        }) {
            if let step { steps.append(step) }
        }
        reader.close()
        let path = freshLedger(in: work, "live.sqlite")
        let ledger = try Ledger(path: path, access: .create)
        let start = DispatchTime.now().uptimeNanoseconds
        for step in steps {
            _ = try ledger.record(step)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        try ledger.close()
        print("live record: \(steps.count) steps, one transaction each, in \(String(format: "%.1f", seconds)) s: \(Int(Double(steps.count) / seconds)) steps/s")
    case "stream":
        // `invite-ledger record --stream` fed as fast as a client can write: committed steps/s
        // through the pipe (every answer read means a committed step).
        let (work, forest) = try prepare("invite-ledger-stream")
        let limit = options["--steps"].flatMap(Int.init) ?? 100_000
        let lines = try String(contentsOfFile: forest, encoding: .utf8).split(separator: "\n").prefix(limit)
        let path = freshLedger(in: work, "stream.sqlite")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("invite-ledger")
        process.arguments = ["record", "--stream", "--db", path, "--create"]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        try process.run()
        let start = DispatchTime.now().uptimeNanoseconds
        let payload = Data((lines.joined(separator: "\n") + "\n").utf8)
        Thread {
            input.fileHandleForWriting.write(payload)
            try? input.fileHandleForWriting.close()
        }.start()
        var answers = 0
        var pending = Data()
        while answers < lines.count {
            let chunk = output.fileHandleForReading.availableData
            guard !chunk.isEmpty else { break }
            pending.append(chunk)
            answers += pending.filter { $0 == 0x0A }.count
            if let last = pending.lastIndex(of: 0x0A) { pending.removeSubrange(...last) }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        process.waitUntilExit()
        print("record --stream: \(answers) steps answered (committed) in \(String(format: "%.1f", seconds)) s: \(Int(Double(answers) / seconds)) steps/s")
    case "chain":
        let work = options["--work"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("invite-ledger-chain").path
        try ChainBenchmark(users: options["--users"].flatMap(Int.init) ?? 10_000, work: work).run()
    case "sha256":
        // Throughput of the Swift SHA-256 on 400-byte messages (the size of an event).
        let message = [UInt8](repeating: 0x61, count: 400)
        let count = 500_000
        let start = DispatchTime.now().uptimeNanoseconds
        var digest: [UInt8] = []
        for _ in 0..<count {
            digest = SHA256.hash(message)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print("\(Int(Double(count) / seconds)) hashes/s, \(Int(Double(count * 400) / seconds / 1e6)) MB/s (\(digest.hex.prefix(8)))")
    case "run":
        var benchmark = Benchmark(
            generator: generator, runs: options["--runs"].flatMap(Int.init) ?? 3,
            work: options["--work"] ?? FileManager.default.temporaryDirectory.appendingPathComponent("invite-ledger-bench").path)
        benchmark.reuse = options["--reuse"] == "yes"
        benchmark.queriesOnly = options["--only"] == "queries"
        try benchmark.run()
    default:
        usage()
    }
} catch {
    FileHandle.standardError.write(Data("invite-ledger-bench: \(error)\n".utf8))
    exit(2)
}
