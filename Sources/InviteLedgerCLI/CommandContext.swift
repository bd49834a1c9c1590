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
    var isQuiet: Bool { (try? arguments[CommonOptions.quiet]) ?? false }

    /// `--db`, else `$INVITE_LEDGER_DB`, else `./invite-ledger.sqlite`.
    var databasePath: String {
        if let path = try? arguments[CommonOptions.database], !path.isEmpty { return path }
        if let path = environment["INVITE_LEDGER_DB"], !path.isEmpty { return path }
        return "invite-ledger.sqlite"
    }

    /// Opens the ledger; a read-only one is first checked against its head witness
    /// (``Ledger/requireWitnessedHead()``) unless `checksHead` is false (`verify` reports it).
    func openLedger(
        _ access: Ledger.Access, checksHead: Bool = true, brokers: BrokerPolicy = .knownBrokers
    ) throws -> Ledger {
        let ledger = try Ledger(path: databasePath, access: access, clock: clock(), brokers: brokers)
        if access == .readOnly && checksHead {
            try ledger.requireWitnessedHead()
        }
        if ledger.isImmutable && !isQuiet {
            errors.writeLine("notice: \(databasePath) is read-only and has no -shm file beside it: opened as immutable (read without locks; no other process may write it meanwhile)")
            errors.flush()
        }
        return ledger
    }

    /// A write command's ledger (`record`, `ingest`): `--create`, and the brokers its steps may
    /// name (`--broker`, `--allow-new-brokers`), from `CommonOptions.writeOptions`.
    func openLedgerForWriting() throws -> Ledger {
        try openLedger(
            try arguments[CommonOptions.create] ? .create : .readWrite,
            brokers: BrokerPolicy(
                only: try arguments[CommonOptions.onlyBroker],
                acceptsNewBrokers: try arguments[CommonOptions.allowNewBrokers]))
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
