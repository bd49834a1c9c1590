import Foundation
import InviteLedger

/// What a command runs with: its parsed arguments, the database path, and the output streams.
struct CommandContext {
    var arguments: ParsedArguments
    var environment: [String: String]
    var output: OutputStream
    var errors: OutputStream

    /// `--db`, else `$INVITE_LEDGER_DB`, else `./invite-ledger.sqlite`.
    var databasePath: String {
        if let path = arguments.string("--db"), !path.isEmpty { return path }
        if let path = environment["INVITE_LEDGER_DB"], !path.isEmpty { return path }
        return "invite-ledger.sqlite"
    }

    func openLedger(_ access: Ledger.Access) throws -> Ledger {
        try Ledger(path: databasePath, access: access, clock: clock())
    }

    /// The system clock, or the time in `$INVITE_LEDGER_FIXED_TIME` (RFC 3339): recordedAt is
    /// hashed into the chain, and a fixed time makes a run's hashes reproducible (tests, demos).
    func clock() throws -> Ledger.Clock {
        guard let text = environment["INVITE_LEDGER_FIXED_TIME"], !text.isEmpty else { return .system }
        guard let time = Timestamp(rfc3339: text) else {
            throw UsageError("INVITE_LEDGER_FIXED_TIME: expected an RFC 3339 time, got \(text.debugDescription)")
        }
        return .fixed(time)
    }
}
