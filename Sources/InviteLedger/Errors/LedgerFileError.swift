/// The database file cannot be trusted with a write: SQLite found it damaged, or it is not the
/// ledger its head witness saw (a log cut short or rolled back, a swapped file, another
/// database's `-wal`). Nothing was written to it.
///
/// The remedy is to check it (`verify`), then restore it from a backup or rebuild it from its log
/// (`rebuild`); a file restored on purpose is accepted with `verify --accept-head`.
public struct LedgerFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The database file.
    public var path: String
    /// What is wrong, as a phrase that follows the path: "is damaged: ...", "its log ends at ...".
    public var reason: String
    /// What to do, when not the usual (verify, then restore or rebuild).
    public var remedy: String?
    public var kind: Kind

    /// What kind of file problem it is: programs tell them apart (`FOREIGN_FILE` for `.foreign`,
    /// `DATABASE_UNUSABLE` for the others).
    public enum Kind: Sendable, Equatable {
        /// A ledger that is damaged or not the ledger it was: check, restore or rebuild it.
        case untrusted
        /// Not an invite-ledger ledger at all (another program's file, a text file).
        case foreign
        /// A path that cannot hold a ledger as given (a directory, a missing directory, a file
        /// this process cannot write): nothing is wrong with any ledger.
        case unusable
    }

    public init(path: String, reason: String, remedy: String? = nil, kind: Kind = .untrusted) {
        self.path = path
        self.reason = reason
        self.remedy = remedy
        self.kind = kind
    }

    public var description: String { "\(path): \(reason)" }
}
