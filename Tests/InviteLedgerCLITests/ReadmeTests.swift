import Foundation
import Testing

/// README's commands run as written, on the ledger README says to build first.
@Suite("README")
struct ReadmeTests {
    /// Every line of README's ```sh blocks that runs `invite-ledger` or `sqlite3` (or writes an
    /// example's input with `printf`), comments removed.
    static func commands() throws -> [String] {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        var commands: [String] = []
        var isInBlock = false
        for line in readme.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if line.hasPrefix("```") {
                isInBlock = line == "```sh"
                continue
            }
            guard isInBlock, line.hasPrefix("invite-ledger ") || line.hasPrefix("sqlite3 ") || line.hasPrefix("printf ")
            else { continue }
            let command = line.range(of: "  #").map { String(line[..<$0.lowerBound]) } ?? line
            commands.append(command.trimmingCharacters(in: .whitespaces))
        }
        return commands
    }

    @Test("every invite-ledger and sqlite3 command of README's examples exits 0 on the demo's ledger")
    func commandsRun() throws {
        let commands = try Self.commands()
        let demo = "invite-ledger demo --db invite-ledger.sqlite"
        #expect(commands.contains(demo))
        #expect(commands.count >= 10)
        let scratch = try Scratch()
        defer { scratch.remove() }
        let binaries = CLI.binary.deletingLastPathComponent().path
        var failures: [String] = []
        for command in [demo] + commands.filter({ $0 != demo }) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", command]
            process.currentDirectoryURL = scratch.url
            var environment = ProcessInfo.processInfo.environment
            environment["PATH"] = binaries + ":" + (environment["PATH"] ?? "/usr/bin:/bin")
            environment.removeValue(forKey: "INVITE_LEDGER_DB")
            process.environment = environment
            let output = Pipe()
            process.standardOutput = output
            process.standardError = output
            try process.run()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            if process.terminationStatus != 0 {
                failures.append("\(command): exit \(process.terminationStatus): \(text.prefix(300))")
            }
        }
        #expect(failures == [])
    }
}
