import Foundation
import InviteLedger

/// What a command runs with: its parsed arguments, the database path, and the output streams.
struct CommandContext {
    var arguments: ParsedArguments
    /// The bytes of arguments that are not valid UTF-8, by the text Swift made of them.
    var invalidUTF8: [String: [UInt8]] = [:]
    var environment: [String: String]
    var output: OutputStream
    var errors: OutputStream

    /// The bytes of an argument as given on the command line, invalid UTF-8 included.
    func bytes(of argument: String) -> [UInt8] {
        invalidUTF8[argument] ?? Array(argument.utf8)
    }

    /// `--quiet`: no notices and no progress.
    var isQuiet: Bool { arguments.flag("--quiet") }

    /// `--db`, else `$INVITE_LEDGER_DB`, else `./invite-ledger.sqlite`.
    var databasePath: String {
        if let path = arguments.string("--db"), !path.isEmpty { return path }
        if let path = environment["INVITE_LEDGER_DB"], !path.isEmpty { return path }
        return "invite-ledger.sqlite"
    }

    /// Opens the ledger; a read-only one is first checked against its head witness
    /// (``Ledger/requireWitnessedHead()``) unless `checksHead` is false (`verify` reports it).
    func openLedger(_ access: Ledger.Access, checksHead: Bool = true) throws -> Ledger {
        let ledger = try Ledger(path: databasePath, access: access, clock: clock(), brokers: brokerPolicy)
        if access == .readOnly && checksHead {
            try ledger.requireWitnessedHead()
        }
        if ledger.isImmutable && !isQuiet {
            errors.writeLine("notice: \(databasePath) is read-only and has no -shm file beside it: opened as immutable (read without locks; no other process may write it meanwhile)")
            errors.flush()
        }
        return ledger
    }

    /// What a write command (`record`, `ingest`) may do beyond the usual: `--create` a ledger
    /// where there is none; accept only `--broker`'s steps; `--allow-new-brokers`.
    static let writeOptions: [CommandSignature.Option] = [
        .flag("--create", "Create the ledger when there is none at --db (otherwise that is NOT_INITIALIZED)."),
        .value("--broker", "NAME", "Accept steps of this broker only (any other is BROKER_NOT_ALLOWED)."),
        .flag("--allow-new-brokers", "Let a step introduce a broker the ledger does not know (otherwise only broker.configured does)."),
    ]

    /// `.readWrite`, or `.create` with `--create`.
    var writeAccess: Ledger.Access { arguments.flag("--create") ? .create : .readWrite }

    /// The brokers writes may name: `--broker`, `--allow-new-brokers`.
    var brokerPolicy: BrokerPolicy {
        BrokerPolicy(only: arguments.string("--broker"), acceptsNewBrokers: arguments.flag("--allow-new-brokers"))
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
