import Foundation
import Testing

/// What a user of swift-argument-parser tools expects: version, help, suggestions, options in any
/// place, and errors that say what went wrong.
@Suite("command-line conventions")
struct ConventionTests {
    @Test("--version and version print the version and the schema, as text or JSON")
    func version() throws {
        for arguments in [["--version"], ["version"]] {
            let result = try CLI.run(arguments)
            #expect(result.status == 0)
            #expect(result.stdout == "invite-ledger 0.12.0 (schema 0016_create_upline_interval_view)\n", "\(result)")
            let json = try CLI.run(arguments + ["--format", "json"])
            #expect(json.status == 0)
            #expect(json.stdout == #"{"version":"0.12.0","schema":"0016_create_upline_interval_view"}"# + "\n", "\(json)")
        }
        let bad = try CLI.run(["--version", "--format", "xml"])
        #expect(bad.status == 1)
    }

    @Test("the manual page names every command and every option, the exit statuses, the environment and the files")
    func manualPage() throws {
        let page = try CLI.run(["help", "--man"])
        #expect(page.status == 0)
        #expect(page.stdout.hasPrefix(".TH INVITE-LEDGER 1 "))
        for section in [".SH NAME", ".SH SYNOPSIS", ".SH COMMANDS", ".SH EXIT STATUS", ".SH ENVIRONMENT", ".SH FILES"] {
            #expect(page.stdout.contains("\n\(section)\n"), "\(section)")
        }
        let overview = try CLI.run(["help"]).stdout
        let names = overview.split(separator: "\n", omittingEmptySubsequences: false).drop { !$0.hasPrefix("COMMANDS:") }.dropFirst()
            .prefix { !$0.isEmpty }.map { $0.trimmingCharacters(in: .whitespaces).components(separatedBy: "  ")[0] }
        #expect(names.count >= 16)
        for name in names {
            #expect(page.stdout.contains(".SS \(name.replacingOccurrences(of: "-", with: "\\-"))\n"), "command \(name)")
            let help = try CLI.run(name.split(separator: " ").map(String.init) + ["--help"]).stdout
            for option in help.split(separator: "\n").drop(while: { $0 != "OPTIONS:" }).dropFirst()
                .compactMap({ $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first }) where option.hasPrefix("--") {
                #expect(page.stdout.contains(".B \(option.replacingOccurrences(of: "-", with: "\\-"))"), "\(name) \(option)")
            }
        }
        for status in ["0", "1", "2", "3", "4", "5", "74"] {
            #expect(page.stdout.contains(".TP\n.B \(status)\n"), "exit status \(status)")
        }
        #expect(page.stdout.contains("INVITE_LEDGER_DB") && page.stdout.contains("INVITE_LEDGER_FIXED_TIME"))
    }

    @Test("help, help COMMAND and group help")
    func help() throws {
        let overview = try CLI.run(["help"])
        #expect(overview.status == 0)
        #expect(overview.stdout == (try CLI.run(["--help"]).stdout))
        #expect(overview.stdout.contains("  report attributions"))
        let helpOfHelp = try CLI.run(["help", "--help"])
        #expect(helpOfHelp.status == 0)
        #expect(helpOfHelp.stdout == overview.stdout)
        #expect(try CLI.run(["help", "stats", "--help"]).stdout == (try CLI.run(["stats", "--help"]).stdout))
        let command = try CLI.run(["help", "referral", "get"])
        #expect(command.status == 0)
        #expect(command.stdout == (try CLI.run(["referral", "get", "--help"]).stdout))
        for arguments in [["help", "report"], ["report", "--help"], ["referral", "--help"]] {
            let group = try CLI.run(arguments)
            #expect(group.status == 0, "\(arguments)")
            #expect(group.stdout.contains("SUBCOMMANDS:\n"), "\(arguments)")
        }
        #expect(try CLI.run(["report"]).stderr.hasPrefix("OVERVIEW: invite-ledger report: 3 commands."))
        #expect(try CLI.run(["referral"]).stderr.hasPrefix("OVERVIEW: invite-ledger referral: 1 command."))
        #expect(try CLI.run(["report"]).status == 1)
    }

    @Test("a misspelled command or option gets a suggestion and exit status 1", arguments: [
        (["stat", "--user-id", "1"], #"{"error":{"code":"USAGE","message":"unknown command `stat` (did you mean `stats`?)"}}"# + "\n"),
        (["report", "partner"], #"{"error":{"code":"USAGE","message":"unknown command `report partner` (did you mean `report partners`?)"}}"# + "\n"),
        (["stats", "--usr-id", "1"], #"{"error":{"code":"USAGE","field":"--usr-id","message":"unknown option --usr-id for `invite-ledger stats` (did you mean `--user-id`?)"}}"# + "\n"),
        (["ingest", "--create", "--allow-new-brokers", "-", "--atomc"], #"{"error":{"code":"USAGE","field":"--atomc","message":"unknown option --atomc for `invite-ledger ingest` (did you mean `--atomic`?)"}}"# + "\n"),
        (["referrals", "--partner", "7"], #"{"error":{"code":"USAGE","field":"--partner","message":"unknown option --partner for `invite-ledger referrals` (did you mean `--partner-id`?)"}}"# + "\n"),
    ])
    func suggestions(arguments: [String], message: String) throws {
        let result = try CLI.run(arguments)
        #expect(result.status == 1)
        #expect(result.stderr.hasPrefix(message), "\(result)")
    }

    @Test("options before the command are the command's, values included")
    func leadingOptions() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", db]).status == 0)
        let before = try CLI.run(["--db", db, "--broker", "acme", "--format", "json", "stats", "--user-id", "1001"])
        let after = try CLI.run(["stats", "--user-id", "1001", "--broker", "acme", "--format", "json", "--db", db])
        #expect(before.status == 0, "\(before)")
        #expect(before.stdout == after.stdout)
    }

    @Test("--output - is stdout; a device is written in place, never renamed over")
    func outputTargets() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let db = scratch.path("ledger.sqlite")
        #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--db", db]).status == 0)
        let toStdout = try CLI.run(["report", "attributions", "--output", "-", "--db", db])
        #expect(toStdout.status == 0)
        #expect(toStdout.stdout == (try CLI.run(["report", "attributions", "--db", db]).stdout))
        #expect(!FileManager.default.fileExists(atPath: "-"))
        let toNull = try CLI.run(["report", "attributions", "--output", "/dev/null", "--db", db])
        #expect(toNull.status == 0)
        let attributes = try FileManager.default.attributesOfItem(atPath: "/dev/null")
        #expect(attributes[.type] as? FileAttributeType == .typeCharacterSpecial, "/dev/null was replaced")
        let toFull = try CLI.run(["report", "attributions", "--output", "/dev/full", "--db", db])
        #expect(toFull.status == 74)
        #expect(toFull.stderr == #"{"error":{"code":"OUTPUT_FAILED","message":"cannot write to /dev/full: No space left on device"}}"# + "\n", "\(toFull)")
        #expect(try FileManager.default.attributesOfItem(atPath: "/dev/full")[.type] as? FileAttributeType == .typeCharacterSpecial)
    }

    @Test("a report on a ledger without any broker is the header alone; referral get names the CRM partner as upline does")
    func emptyReportAndCrmPartner() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let empty = scratch.path("empty.sqlite")
        #expect(try CLI.run(["init", "--db", empty]).status == 0)
        let report = try CLI.run(["report", "partners", "--db", empty])
        #expect(report.status == 0, "\(report)")
        #expect(report.stdout == (try CLI.run(["report", "partners", "--db", empty, "--broker", "acme"]).stdout))
        #expect(report.stdout.hasPrefix("userId,crmPartnerRef,") && report.stdout.hasSuffix("\r\n") && report.stdout.split(separator: "\r\n").count == 1)

        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db]).status == 0)
        }
        let get = try CLI.run(["referral", "get", "--account-id", "5002", "--format", "json", "--db", db])
        let upline = try CLI.run(["upline", "--user-id", "1003", "--format", "json", "--db", db])
        #expect(get.stdout.contains(#""crmPartnerRef":"CRM-1002""#), "\(get)")
        #expect(upline.stdout.contains(#""crmPartnerRef":"CRM-1002""#), "\(upline)")
    }

    @Test("a read-only copy in a read-only directory, without -shm, is queried, verified and attributes activity as immutable, with a notice")
    func readOnlyCopy() throws {
        let scratch = try Scratch()
        defer {
            chmod(scratch.url.appendingPathComponent("copy").path, 0o755)
            scratch.remove()
        }
        let db = scratch.path("ledger.sqlite")
        for flow in ["flow-1", "flow-2"] {
            #expect(try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("\(flow).ndjson").path, "--db", db]).status == 0)
        }
        let folder = scratch.url.appendingPathComponent("copy")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("ledger.sqlite").path
        try FileManager.default.copyItem(atPath: db, toPath: copy)
        chmod(copy, 0o444)
        chmod(folder.path, 0o555)
        chmod(scratch.url.path, 0o755)
        // Root may write anywhere: run the binary as an ordinary user, as an auditor would.
        let asAuditor = getuid() == 0 ? ["runuser", "-u", "nobody", "--", CLI.binary.path] : [CLI.binary.path]
        let deals = scratch.path("deals.csv")
        try "userId,at\n1003,2026-04-01T00:00:00Z\n".write(toFile: deals, atomically: true, encoding: .utf8)
        chmod(deals, 0o644)
        let output = try CLI.python("""
            import subprocess, sys
            for arguments in (["stats", "--user-id", "1001", "--format", "json"], ["verify", "--format", "json"],
                              ["activity", "\(deals)", "--levels", "1"]):
                done = subprocess.run(sys.argv[2:] + arguments + ["--db", sys.argv[1]], capture_output=True)
                print(done.returncode, done.stdout.decode().strip()[:40], done.stderr.decode().strip())
            """, [copy] + asAuditor)
        let notice = "notice: \(copy) is read-only and has no -shm file beside it: opened as immutable (read without locks; no other process may write it meanwhile)"
        #expect(output == """
            0 {"broker":"acme","partnerUserId":1001,"a \(notice)
            0 {"intact":true,"events":20,"headHash":"b \(notice)
            0 userId,at,attributed,level1UserId,level1 \(notice)

            """)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ledger.sqlite"])
    }

    @Test("ingest --progress gives a rate and an estimate per commit; --quiet prints nothing but rejections")
    func progressAndQuiet() throws {
        let scratch = try Scratch()
        defer { scratch.remove() }
        let progress = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--incremental", "--batch-size", "4", "--progress", "--db", scratch.path("a.sqlite")])
        #expect(progress.status == 0)
        let lines = progress.stderr.split(separator: "\n").map(String.init)
        #expect(lines.count == 3, "\(progress)")
        #expect(lines.first?.hasPrefix("ingested 4 lines (4 recorded, 0 rejected), ") == true, "\(progress)")
        #expect(lines.first?.contains(" lines/s, ") == true && lines.first?.contains("% of the input, about ") == true, "\(progress)")
        #expect(lines.last?.hasPrefix("ingested 10 lines (10 recorded, 0 rejected), ") == true && lines.last?.hasSuffix(", 100% of the input") == true, "\(progress)")
        let quiet = try CLI.run(["ingest", "--create", "--allow-new-brokers", CLI.fixture("flow-1.ndjson").path, "--quiet", "--db", scratch.path("b.sqlite")])
        #expect(quiet.status == 0)
        #expect(quiet.stdout == "" && quiet.stderr == "")
    }

    @Test("completion bash completes commands, subcommands and options; zsh and fish scripts name them too")
    func completion() throws {
        let script = try CLI.run(["completion", "bash"])
        #expect(script.status == 0)
        let scratch = try Scratch()
        defer { scratch.remove() }
        try script.stdout.write(toFile: scratch.path("completion.bash"), atomically: true, encoding: .utf8)
        let output = try CLI.python("""
            import subprocess, sys
            checks = [("invite-ledger st", 1), ("invite-ledger stats --us", 2), ("invite-ledger report a", 2), ("invite-ledger ingest - --atom", 3)]
            for line, index in checks:
                words = line.split(" ")
                script = f'source {sys.argv[1]}; COMP_WORDS=({" ".join(words)}); COMP_CWORD={index}; _invite_ledger; echo "${{COMPREPLY[@]}}"'
                print(subprocess.run(["bash", "-c", script], capture_output=True, text=True).stdout.strip())
            """, [scratch.path("completion.bash")])
        #expect(output == "stats\n--user-id\nattributions\n--atomic\n")
        for shell in ["zsh", "fish"] {
            let other = try CLI.run(["completion", shell])
            #expect(other.status == 0)
            #expect(other.stdout.contains("attributions") && other.stdout.contains("user-id"), "\(shell)")
        }
        #expect(try CLI.run(["completion", "tcsh"]).status == 1)
    }

    @Test("output that cannot be written is said on stderr, exit status 74")
    func unwritableOutput() throws {
        let result = try CLI.python("""
            import subprocess, sys
            with open("/dev/full", "w") as full:
                done = subprocess.run([sys.argv[1], "--help"], stdout=full, stderr=subprocess.PIPE)
            print(done.returncode, done.stderr.decode().strip())
            """, [CLI.binary.path])
        #expect(result == #"74 {"error":{"code":"OUTPUT_FAILED","message":"cannot write to standard output: No space left on device"}}"# + "\n")
    }
}
