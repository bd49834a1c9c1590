import Foundation

/// A database in a new file of the temporary directory, removed when closed: where `verify`
/// replays the log and `rebuild` builds a ledger before it is moved into place.
///
///     let scratch = try TemporaryDatabase(prefix: "invite-ledger-replay")
///     defer { scratch.remove() }
///     try scratch.db.execute(sql: "CREATE TABLE t (x)")
///
/// The file is created next to `directory` (default: `$TMPDIR`), journaled in memory and never
/// synced: it is thrown away, or synced once by `moveTo(_:)` before it replaces another file.
public final class TemporaryDatabase {
    public let path: String
    public let db: Database
    private var isRemoved = false

    public init(prefix: String, directory: String? = nil) throws {
        let folder = directory ?? FileManager.default.temporaryDirectory.path
        path = (folder as NSString).appendingPathComponent(
            ".\(prefix)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString).sqlite")
        var configuration = Database.Configuration()
        configuration.journal = .scratch
        db = try Database(path: path, mode: .readWriteCreate, configuration: configuration)
    }

    deinit {
        remove()
    }

    /// Closes the connection and deletes the file. Safe to call twice.
    public func remove() {
        guard !isRemoved else { return }
        isRemoved = true
        try? db.close()
        for suffix in ["", "-journal", "-wal", "-shm"] {
            try? FileManager.default.removeItem(atPath: path + suffix)
        }
    }

    /// Switches the file to WAL (a ledger's mode), syncs it, closes it and gives it the name
    /// `destination`, which must not exist: the last step of building a database that must
    /// appear complete or not at all.
    public func move(to destination: String) throws {
        try db.execute(sql: "PRAGMA journal_mode = WAL")
        try db.close()
        let descriptor = open(path, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        guard link(path, destination) == 0 else {
            let reason = String(cString: strerror(errno))
            remove()
            throw DatabaseError(extendedResultCode: 10, message: "cannot create \(destination): \(reason)")
        }
        isRemoved = true
        unlink(path)
    }
}
