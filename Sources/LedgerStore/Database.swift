import CSQLite

/// One SQLite connection, set up for the ledger: extended result codes, foreign keys, no
/// double-quoted string literals, WAL with `synchronous = NORMAL`, and a busy timeout.
///
///     let db = try Database(path: "invite-ledger.sqlite")
///     try db.inTransaction {
///         try db.execute(sql: "INSERT INTO broker (brokerCrmName) VALUES (?)", arguments: ["acme"])
///         return .commit
///     }
///     try db.close()
///
/// Not `Sendable`: share a connection between threads through a `DatabaseQueue`.
public final class Database {
    /// How a connection opens its file.
    public enum OpenMode: Sendable, Equatable {
        /// Read and write; create the file when it is missing.
        case readWriteCreate
        /// Read and write an existing file.
        case readWrite
        /// Read only: any write fails with `SQLITE_READONLY`.
        case readOnly
    }

    /// The settings applied when the connection opens.
    public struct Configuration: Sendable {
        /// How long a statement waits for another connection's lock before failing with `SQLITE_BUSY`.
        public var busyTimeoutMilliseconds: Int32 = 30_000
        /// The page cache size, in KiB.
        public var cacheSizeKiB: Int = 65_536
        /// How writes are journaled.
        public var journal = Journal.writeAheadLog

        public init() {}
    }

    /// How a connection journals its writes.
    public enum Journal: Sendable {
        /// WAL with `synchronous = NORMAL`: the ledger's own files (ignored in memory, which cannot).
        case writeAheadLog
        /// The rollback journal in memory and no syncs: for scratch databases that are thrown away
        /// (a crash may leave the file unusable; it is never opened again).
        case scratch
    }

    /// The kinds of `BEGIN`: writes take the write lock at once, so that they never fail half-way
    /// with `SQLITE_BUSY` when another connection wrote first.
    public enum TransactionKind: String, Sendable {
        case deferred = "DEFERRED"
        case immediate = "IMMEDIATE"
        case exclusive = "EXCLUSIVE"
    }

    /// What a transaction body asks for at its end.
    public enum TransactionCompletion: Sendable {
        case commit
        case rollback
    }

    /// The path given at opening (`:memory:` for an in-memory database).
    public let path: String
    public let mode: OpenMode
    let handle: OpaquePointer
    private var statementCache: [String: Statement] = [:]
    private var keyedStatements: [StatementKey: Statement] = [:]
    private var isClosed = false
    private var savepointDepth = 0

    /// Opens a connection and runs the set-up in its fixed order.
    public init(path: String, mode: OpenMode = .readWriteCreate, configuration: Configuration = Configuration())
        throws
    {
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        switch mode {
        case .readWriteCreate: flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readWrite: flags |= SQLITE_OPEN_READWRITE
        case .readOnly: flags |= SQLITE_OPEN_READONLY
        }
        var handle: OpaquePointer?
        let code = sqlite3_open_v2(path, &handle, flags, nil)
        guard code == SQLITE_OK, let handle else {
            let error = DatabaseError.last(on: handle, code: code)
            sqlite3_close_v2(handle)
            throw DatabaseError(
                extendedResultCode: error.extendedResultCode, message: "cannot open \(path): \(error.message)")
        }
        self.path = path
        self.mode = mode
        self.handle = handle
        // A file that fails the set-up (damaged, say) must be closed without copying its -wal in.
        setCheckpointsOnClose(false)
        do {
            try setUp(configuration)
            setCheckpointsOnClose(true)
        } catch {
            sqlite3_close_v2(handle)
            isClosed = true
            throw error
        }
    }

    /// The connection set-up, in one place and in order: each step relies on the ones before.
    private func setUp(_ configuration: Configuration) throws {
        // 1. Errors say exactly what failed (SQLITE_CONSTRAINT_UNIQUE, not SQLITE_CONSTRAINT).
        sqlite3_extended_result_codes(handle, 1)
        // 2. "abc" is an identifier, never a string literal: a typo in a column name must fail.
        _ = csqlite_db_config_int(handle, SQLITE_DBCONFIG_DQS_DML, 0)
        _ = csqlite_db_config_int(handle, SQLITE_DBCONFIG_DQS_DDL, 0)
        // 3. Waiting for a lock instead of failing at once: other processes read and write too.
        sqlite3_busy_timeout(handle, configuration.busyTimeoutMilliseconds)
        // 4. REFERENCES clauses are enforced.
        try execute(sql: "PRAGMA foreign_keys = ON")
        try setCacheSize(kibibytes: configuration.cacheSizeKiB)
        // Savepoint and statement journals in memory: every recorded step runs in a savepoint, and
        // on disk its journal would be written page by page for each step.
        try execute(sql: "PRAGMA temp_store = MEMORY")
        // 5. WAL: readers see a consistent snapshot while one writer commits; NORMAL syncs the WAL at
        //    checkpoints only, which is durable against process crashes (see Reliability.md).
        if mode != .readOnly && configuration.journal == .scratch {
            try execute(sql: "PRAGMA journal_mode = MEMORY")
            try execute(sql: "PRAGMA synchronous = OFF")
        } else if mode != .readOnly && !isInMemory {
            let journalMode = try String.fetchOne(self, sql: "PRAGMA journal_mode = WAL")
            guard journalMode?.lowercased() == "wal" else {
                throw DatabaseError(
                    extendedResultCode: SQLITE_ERROR,
                    message: "cannot switch \(path) to WAL (journal_mode is \(journalMode ?? "unknown"))")
            }
            try execute(sql: "PRAGMA synchronous = NORMAL")
        }
    }

    /// Whether closing the last connection to a WAL file copies the WAL into the database. Off
    /// while the file is not yet known to be the right one, so that refusing it changes nothing:
    /// a `-wal` file left by another database stays where it is, for someone to look at.
    public func setCheckpointsOnClose(_ isEnabled: Bool) {
        _ = csqlite_db_config_int(handle, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, isEnabled ? 0 : 1)
    }

    private var isInMemory: Bool {
        path == ":memory:" || path.isEmpty || path.contains("mode=memory")
    }

    deinit {
        guard !isClosed else { return }
        statementCache.removeAll()
        keyedStatements.removeAll()
        // close_v2 defers the close until statements still alive are finalized.
        sqlite3_close_v2(handle)
    }

    /// Closes the connection. Fails, naming them, when statements made by `makeStatement` are still
    /// alive: their owner must release them first.
    public func close() throws {
        guard !isClosed else { return }
        statementCache.removeAll()
        keyedStatements.removeAll()
        let code = sqlite3_close(handle)
        guard code == SQLITE_OK else {
            var open: [String] = []
            var statement = sqlite3_next_stmt(handle, nil)
            while let current = statement {
                open.append(String(cString: sqlite3_sql(current)))
                statement = sqlite3_next_stmt(handle, current)
            }
            throw DatabaseError(
                extendedResultCode: code,
                message: "cannot close \(path): \(open.count) statement(s) still open: "
                    + open.map { "`\($0)`" }.joined(separator: ", "))
        }
        isClosed = true
    }

    // MARK: - Statements

    /// A new prepared statement, finalized when the caller releases it.
    public func makeStatement(sql: String) throws -> Statement {
        try Statement(database: self, sql: sql)
    }

    /// A prepared statement kept by the connection and reused by every caller with the same SQL:
    /// for hot paths. Reset before it is returned.
    public func cachedStatement(sql: String) throws -> Statement {
        if let statement = statementCache[sql] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql)
        statementCache[sql] = statement
        return statement
    }

    /// What identifies a statement made by code rather than written out: a type and what the
    /// statement does with it (`TableRecord`'s INSERT and UPDATE).
    public struct StatementKey: Hashable, Sendable {
        public var type: ObjectIdentifier
        public var purpose: Int

        public init(_ type: Any.Type, purpose: Int) {
            self.type = ObjectIdentifier(type)
            self.purpose = purpose
        }
    }

    /// A prepared statement kept by the connection under a key that is cheap to look up; the SQL
    /// is built only the first time.
    public func cachedStatement(key: StatementKey, sql: () -> String) throws -> Statement {
        if let statement = keyedStatements[key] {
            statement.reset()
            return statement
        }
        let statement = try Statement(database: self, sql: sql())
        keyedStatements[key] = statement
        return statement
    }

    /// Runs SQL: one statement with arguments, or a script of several statements without.
    public func execute(sql: String, arguments: StatementArguments = []) throws {
        if arguments.isEmpty {
            let code = sqlite3_exec(handle, sql, nil, nil, nil)
            guard code == SQLITE_OK else {
                throw DatabaseError.last(on: handle, code: code, sql: sql)
            }
        } else {
            try makeStatement(sql: sql).execute(arguments: arguments)
        }
    }

    public func fetchAll(sql: String, arguments: StatementArguments = []) throws -> [Row] {
        try makeStatement(sql: sql).fetchAll(arguments: arguments)
    }

    public func fetchOne(sql: String, arguments: StatementArguments = []) throws -> Row? {
        try makeStatement(sql: sql).fetchOne(arguments: arguments)
    }

    /// The rowid of the last successful INSERT on this connection.
    public var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    /// The number of rows changed by the last INSERT, UPDATE or DELETE.
    public var changesCount: Int { Int(sqlite3_changes64(handle)) }

    /// The number of rows changed by this connection since it opened (INSERT, UPDATE, DELETE).
    public var totalChangesCount: Int64 { sqlite3_total_changes64(handle) }

    /// True between BEGIN and COMMIT/ROLLBACK.
    public var isInsideTransaction: Bool { sqlite3_get_autocommit(handle) == 0 }

    // MARK: - Foreign keys

    /// Whether REFERENCES clauses are enforced (`PRAGMA foreign_keys`; on after set-up).
    ///
    /// `ingest` and the replays of `verify` and `rebuild` turn enforcement off while they write:
    /// their rows come from the ledger's rules, which only name rows that exist and write parents
    /// first, and each REFERENCES clause checked at every insert was a B-tree search of the
    /// parent table (a fifth of the writing). `verify` runs `PRAGMA foreign_key_check` and
    /// compares every row with a replay of the log. Changing it makes SQLite prepare every
    /// cached statement again: change it once around a bulk load, not per transaction.
    ///
    /// - Throws: `DatabaseError` (`SQLITE_MISUSE`) inside a transaction, where SQLite would
    ///   ignore the pragma.
    public func setForeignKeysEnforced(_ isEnforced: Bool) throws {
        guard !isInsideTransaction else {
            throw DatabaseError(
                extendedResultCode: SQLITE_MISUSE, message: "foreign_keys cannot change inside a transaction")
        }
        try execute(sql: "PRAGMA foreign_keys = \(isEnforced ? "ON" : "OFF")")
    }

    /// Whether SQLite enforces REFERENCES clauses on this connection (`PRAGMA foreign_keys`).
    public func areForeignKeysEnforced() throws -> Bool {
        try Bool.fetchOne(self, sql: "PRAGMA foreign_keys") ?? false
    }

    /// Sets the most memory the connection's page cache holds, in KiB (`PRAGMA cache_size`); a
    /// smaller size lets go of the pages beyond it.
    public func setCacheSize(kibibytes: Int) throws {
        try execute(sql: "PRAGMA cache_size = -\(kibibytes)")
    }

    /// Runs `body` with the page cache at `kibibytes`, then gives it back its size.
    public func withCacheSize<T>(kibibytes: Int, _ body: () throws -> T) throws -> T {
        let size = try cacheSizeKiB()
        try setCacheSize(kibibytes: kibibytes)
        defer { try? setCacheSize(kibibytes: size) }
        return try body()
    }

    /// The most memory the connection's page cache holds, in KiB.
    public func cacheSizeKiB() throws -> Int {
        // Negative: KiB; positive: pages.
        let size = try Int.fetchOne(self, sql: "PRAGMA cache_size") ?? 0
        return size < 0 ? -size : size * (try Int.fetchOne(self, sql: "PRAGMA page_size") ?? 4_096) / 1_024
    }

    // MARK: - Backup

    /// Copies every page of this database into `destination` (SQLite's online backup API), in
    /// one step: one read snapshot of this database, while other connections keep writing.
    public func backup(to destination: Database) throws {
        guard let backup = sqlite3_backup_init(destination.handle, "main", handle, "main") else {
            throw DatabaseError.last(on: destination.handle, code: sqlite3_errcode(destination.handle))
        }
        let code = sqlite3_backup_step(backup, -1)
        let finished = sqlite3_backup_finish(backup)
        guard code == SQLITE_DONE else {
            throw DatabaseError(extendedResultCode: code, message: "backup of \(path) failed: \(String(cString: sqlite3_errstr(code)))")
        }
        guard finished == SQLITE_OK else {
            throw DatabaseError.last(on: destination.handle, code: finished)
        }
    }

    // MARK: - Transactions

    /// Runs `body` in a transaction; commits when it returns `.commit`, rolls back when it
    /// returns `.rollback` or throws. Nothing of a failed body is left behind.
    public func inTransaction(
        _ kind: TransactionKind = .immediate, _ body: () throws -> TransactionCompletion
    ) throws {
        try cachedStatement(sql: "BEGIN \(kind.rawValue) TRANSACTION").execute()
        let completion: TransactionCompletion
        do {
            completion = try body()
        } catch {
            rollbackIgnoringErrors()
            throw error
        }
        switch completion {
        case .commit:
            do {
                try cachedStatement(sql: "COMMIT TRANSACTION").execute()
            } catch {
                rollbackIgnoringErrors()
                throw error
            }
        case .rollback:
            try cachedStatement(sql: "ROLLBACK TRANSACTION").execute()
        }
    }

    /// Runs `body` in a savepoint, inside or outside a transaction: when it throws or returns
    /// `.rollback`, exactly its own changes are undone and the enclosing transaction goes on.
    public func inSavepoint(_ body: () throws -> TransactionCompletion) throws {
        savepointDepth += 1
        defer { savepointDepth -= 1 }
        let name = "ledger_\(savepointDepth)"
        try cachedStatement(sql: "SAVEPOINT \(name)").execute()
        let completion: TransactionCompletion
        do {
            completion = try body()
        } catch {
            try? cachedStatement(sql: "ROLLBACK TO SAVEPOINT \(name)").execute()
            try? cachedStatement(sql: "RELEASE SAVEPOINT \(name)").execute()
            throw error
        }
        if completion == .rollback {
            try cachedStatement(sql: "ROLLBACK TO SAVEPOINT \(name)").execute()
        }
        try cachedStatement(sql: "RELEASE SAVEPOINT \(name)").execute()
    }

    private func rollbackIgnoringErrors() {
        // SQLite may already have rolled back (for example after SQLITE_FULL); that is fine.
        if isInsideTransaction {
            sqlite3_exec(handle, "ROLLBACK TRANSACTION", nil, nil, nil)
        }
    }
}
