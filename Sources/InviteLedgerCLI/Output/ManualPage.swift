/// `invite-ledger help --man`: the manual page `invite-ledger(1)`, in roff, made from the
/// commands' own signatures (every command, its arguments and options, and their help), so it
/// never falls behind them. The Debian package installs it (`.ci/package`).
enum ManualPage {
    static var rendered: String {
        var page = """
            .TH INVITE-LEDGER 1 "" "invite-ledger \(InviteLedgerCLI.version)" "User Commands"
            .SH NAME
            invite-ledger \\- keep a broker's cTrader Invite affiliate programme in one SQLite file
            .SH SYNOPSIS
            .B invite-ledger
            [\\fB\\-\\-db\\fR \\fIPATH\\fR] \\fICOMMAND\\fR [\\fIOPTIONS\\fR]
            .br
            .B invite-ledger help
            [\\fICOMMAND\\fR]
            .br
            .B invite-ledger \\-\\-version
            .SH DESCRIPTION
            invite-ledger records every step of the cTrader Invite flows (partner registration,
            partnerId assignment, links, clicks, signups, user creation, invites, reassignments) as an
            append-only, hash-chained event log, derives the referral tree from it, and answers the
            client area's, the auditors' and the batch jobs' questions: a partner's referrals level by
            level, how a trader was attributed, whether the ledger is intact, and exports of every
            attribution with its upline.
            .PP
            Every command answers \\fB\\-\\-help\\fR. Errors are one JSON line on standard error,
            {"error":{"code":...,"field":...,"message":...}}, then what to do for people.
            .SH COMMANDS

            """
        for command in InviteLedgerCLI.commands {
            let signature = command.signature
            page += ".SS \(escape(signature.path.joined(separator: " ")))\n"
            page += ".B \(escape(signature.usage))\n.PP\n\(escape(signature.abstract))\n"
            if let discussion = signature.discussion {
                page += ".PP\n\(escape(discussion.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: "\n")))\n"
            }
            for positional in signature.positionals {
                page += ".TP\n.I \(escape(positional.name))\n\(escape(positional.help))\n"
            }
            for option in signature.allOptions {
                page += ".TP\n.B \(escape(option.name))"
                if let value = option.valueName { page += " \\fI\(escape(value))\\fR" }
                page += "\n\(escape(option.help))\n"
            }
        }
        page += """
            .SH EXIT STATUS
            .TP
            .B 0
            Success.
            .TP
            .B 1
            Bad usage (USAGE, with the option at fault).
            .TP
            .B 2
            Input rejected: a step or a query, with its code; nothing was written.
            .TP
            .B 3
            \\fBingest\\fR finished with some lines rejected.
            .TP
            .B 4
            \\fBverify\\fR (\\fBrebuild\\fR, \\fBbackup\\fR, \\fBtrace\\fR, \\fBupline\\fR) found a problem.
            .TP
            .B 5
            The database cannot be used (NOT_INITIALIZED, SCHEMA_OUTDATED, DATABASE_UNUSABLE,
            FOREIGN_FILE): it is refused and left untouched.
            .TP
            .B 74
            The output cannot be written (OUTPUT_FAILED).
            .SH ENVIRONMENT
            .TP
            .B INVITE_LEDGER_DB
            The database when \\fB\\-\\-db\\fR is not given (else ./invite-ledger.sqlite).
            .TP
            .B INVITE_LEDGER_FIXED_TIME
            An RFC 3339 time recorded as every step's recordedAt, for reproducible runs (tests, demos);
            never for a ledger in service.
            .TP
            .B TMPDIR
            Where \\fBverify\\fR and \\fBrebuild\\fR build their scratch ledger.
            .SH FILES
            .TP
            .I ./invite-ledger.sqlite
            The default ledger: one SQLite file in WAL mode, with its \\fI\\-wal\\fR and \\fI\\-shm\\fR files.
            .TP
            .I PATH\\-head
            The head witness beside the ledger: the last committed event and the digests of the
            schema and the migrations table. Keep it with the database when copying or backing up.
            .TP
            .I /usr/share/doc/invite-ledger/
            README.md and the articles: Steps.md (every step, rule, outcome and error code),
            LedgerFormat.md (how to recompute the hash chain), SqlViews.md, Operations.md,
            Performance.md, Reliability.md.
            .SH EXAMPLES
            .nf
            invite-ledger demo \\-\\-db invite-ledger.sqlite
            invite-ledger referrals \\-\\-partner-id ib-alice \\-\\-depth 3
            invite-ledger trace \\-\\-user-id 1003
            invite-ledger verify
            .fi
            .SH SEE ALSO
            .BR sqlite3 (1)

            """
        return page
    }

    /// Text as roff reads it: backslashes and leading dots or quotes escaped.
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\e").replacingOccurrences(of: "-", with: "\\-")
            .split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.hasPrefix(".") || line.hasPrefix("'") ? "\\&" + line : String(line)
            }.joined(separator: "\n")
    }
}
