import Foundation

/// A connection that any thread may use, one caller at a time.
///
///     let queue = try DatabaseQueue(path: "invite-ledger.sqlite")
///     try queue.write { db in try db.execute(sql: "...") }     // BEGIN IMMEDIATE ... COMMIT
///     let count = try queue.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM event") }
public final class DatabaseQueue: @unchecked Sendable {
    // The connection is only touched while `lock` is held: that is what makes the class Sendable.
    // (A `Mutex<Database>` cannot hand the connection to a caller's closure under region isolation.)
    private let lock = NSLock()
    private let database: Database
    public let path: String
    public let mode: Database.OpenMode

    public init(
        path: String, mode: Database.OpenMode = .readWriteCreate,
        configuration: Database.Configuration = Database.Configuration()
    ) throws {
        self.database = try Database(path: path, mode: mode, configuration: configuration)
        self.path = path
        self.mode = mode
    }

    /// Runs `body` in one `BEGIN IMMEDIATE` transaction: committed when it returns, rolled back when
    /// it throws.
    public func write<T>(_ body: (Database) throws -> T) throws -> T {
        try withDatabase { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            return result!
        }
    }

    /// Runs `body` in one read transaction: every query in it sees the same snapshot of the
    /// database, whatever other connections commit meanwhile.
    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        try withDatabase { db in
            var result: T?
            try db.inTransaction(.deferred) {
                result = try body(db)
                // A read changes nothing; rollback ends the snapshot without a commit.
                return .rollback
            }
            return result!
        }
    }

    /// Runs `body` with the connection and no transaction around it: for migrations and pragmas
    /// that manage their own.
    public func inDatabase<T>(_ body: (Database) throws -> T) throws -> T {
        try withDatabase(body)
    }

    private func withDatabase<T>(_ body: (Database) throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(database)
    }

    /// Closes the connection; see `Database.close()`.
    public func close() throws {
        try withDatabase { db in try db.close() }
    }
}
