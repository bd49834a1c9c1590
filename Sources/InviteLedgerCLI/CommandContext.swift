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
        try Ledger(path: databasePath, access: access)
    }
}
