import Dispatch
import Foundation
import LedgerStore

/// The ledger of one SQLite file: records flow steps and answers the client area's, the auditors'
/// and the batch jobs' questions.
///
///     let ledger = try Ledger(path: "invite-ledger.sqlite", access: .create)   // creates and migrates
///     let outcome = try ledger.record(json: #"{"step":"partner.registered", ...}"#)
///     let page = try ledger.referrals(of: .userId(1001), depth: 2)
///
/// A `Ledger` may be shared between threads: its connection is behind a `DatabaseQueue`.
public final class Ledger: Sendable {
    /// How the file is opened.
    public enum Access: Sendable, Equatable {
        /// Read and write a ledger that exists (migrated to the newest schema when needed): a
        /// path where there is none is `NOT_INITIALIZED`, so a mistyped path never starts a new file.
        case readWrite
        /// Read and write, creating the ledger when there is none at the path.
        case create
        /// Read only: queries, reports and verification; the schema must be up to date.
        case readOnly
    }

    public let path: String
    public let access: Access
    /// Where `recordedAt` comes from.
    public let clock: Clock
    /// Which brokers writes may name.
    public let brokers: BrokerPolicy
    let queue: DatabaseQueue
    /// The head of the chain kept beside the file; nil in memory.
    let witness: HeadWitness?
    /// True when a read-only file without a `-shm` beside it (an auditor's copy in a read-only
    /// directory) was opened as immutable: SQLite then reads it without locking.
    public let isImmutable: Bool
    /// What a read-only open found wrong with the migrations table (a row deleted or added):
    /// queries refuse the file, `verify` reports each as a problem.
    let migrationProblems: [String]
    /// What the recording rules know of the ledger, kept between writes; only touched with the
    /// connection, inside `queue`.
    private let recording = RecordingBox()

    /// Holds the connection's `LedgerState` and when the witness was last written. `@unchecked
    /// Sendable`: only used inside `queue`, whose lock serializes every access.
    private final class RecordingBox: @unchecked Sendable {
        var state: LedgerState?
        /// Uptime in nanoseconds of the last witness write.
        var witnessWrittenAt: UInt64 = 0
        /// The migrations table's and the schema's digests as the open proved them.
        var provenDigests: (migrations: [UInt8], schema: [UInt8])?
        var isWitnessBehind = false
    }

    /// The shortest time between two witness writes of one process: each is a rename, which the
    /// file system may turn into a flush of the disk's cache.
    static let witnessInterval: UInt64 = 100_000_000

    /// Opens the ledger at `path`.
    ///
    /// - Parameters:
    ///   - path: the database file, or `:memory:`.
    ///   - access: read and write an existing ledger (the default), create it when missing, or
    ///     read only.
    ///   - configuration: SQLite's settings for the connection.
    ///   - clock: where `recordedAt` comes from.
    ///   - brokers: which brokers writes may name (by default those the ledger knows, and those
    ///     a `broker.configured` step introduces).
    /// - Throws: `LedgerError` `NOT_INITIALIZED` when no ledger is at `path` (except with
    ///   `.create`), `SCHEMA_OUTDATED` when a read-only open finds an older schema;
    ///   `Migrator.Error.unknownMigrations` for a database written by a newer invite-ledger;
    ///   `LedgerFileError` for a file that is not a ledger or cannot be trusted; `DatabaseError`
    ///   when SQLite fails.
    public init(
        path: String, access: Access = .readWrite, configuration: Database.Configuration = .init(),
        clock: Clock = .system, brokers: BrokerPolicy = .knownBrokers
    ) throws {
        self.path = path
        self.access = access
        self.clock = clock
        self.brokers = brokers
        let witness = HeadWitness(databasePath: path)
        self.witness = witness
        let migrator = try LedgerSchema.migrator()
        switch access {
        case .readWrite, .create:
            isImmutable = false
            migrationProblems = []
            try Self.checkPath(path, writing: true, creating: access == .create)
            if access == .readWrite && !Self.holdsDatabase(path) {
                try witness?.requireDatabase()
                throw LedgerError(
                    .notInitialized,
                    "no ledger at \(path); create it with `invite-ledger init --db \(path)` (or let the write create it on purpose)")
            }
            try witness?.requireDatabase()
            try Self.refuseForeignFile(path)
            queue = try DatabaseQueue(path: path, mode: .readWriteCreate, configuration: configuration)
            let recording = self.recording
            try queue.inDatabase { db in
                var proven = try Self.checkBeforeWriting(db, path: path, witness: witness)
                if try !Self.migrate(db, migrator, witness: witness).isEmpty {
                    proven = (try HeadWitness.migrationsDigest(db), try HeadWitness.schemaDigest(db))
                }
                // What this open proved (or the migrations it applied made): the witnesses this
                // ledger writes carry these digests, never the file's later state unproven.
                recording.provenDigests = proven
                // The one foreign-key policy of every write (`WriteSession`): not enforced by
                // SQLite, proven by `verify`. Set once: changing it re-prepares every statement.
                try db.setForeignKeysEnforced(false)
            }
        case .readOnly:
            try Self.checkPath(path, writing: false, creating: false)
            guard path == ":memory:" || FileManager.default.fileExists(atPath: path) else {
                throw LedgerError(.notInitialized, "no ledger at \(path); create it with `invite-ledger init`")
            }
            var isImmutable = false
            do {
                queue = try DatabaseQueue(path: path, mode: .readOnly, configuration: configuration)
            } catch let error as DatabaseError where error.isReadOnlyFile {
                queue = try Self.openImmutable(path, configuration: configuration)
                isImmutable = true
            }
            self.isImmutable = isImmutable
            let (applied, problems) = try queue.inDatabase { db in
                try Self.readMigrations(db, migrator, witness: witness)
            }
            if applied.isEmpty {
                // Another program's file is said the same way by every command.
                if !isImmutable { try Self.refuseForeignFile(path) }
                throw LedgerError(.notInitialized, "\(path) is not an invite-ledger database; create one with `invite-ledger init`")
            }
            migrationProblems = problems.map(\.message)
            let unrecorded = Set(problems.compactMap(\.identifier))
            var pending = migrator.migrations.map(\.identifier).filter { !applied.contains($0) && !unrecorded.contains($0) }
            if try queue.inDatabase({ db in try migrator.hasLegacyTable(db) }) {
                pending.append("(its migrations table, schema_migrations, gets its new name)")
            }
            guard pending.isEmpty else {
                throw LedgerError(
                    .schemaOutdated,
                    "\(path) needs migrations \(pending.joined(separator: ", ")); run `invite-ledger migrate`")
            }
        }
    }

    /// The migrations a database applied, and what is wrong with its migrations table: a known
    /// migration it does not list though it holds its objects (its row deleted), or a migration
    /// no invite-ledger has while the table is not what the head witness saw (a row added).
    /// A migration no invite-ledger has, in a table the witness does not contradict, is a newer
    /// invite-ledger's: `Migrator.Error.unknownMigrations`.
    private static func readMigrations(
        _ db: Database, _ migrator: Migrator, witness: HeadWitness?
    ) throws -> (applied: Set<String>, problems: [(identifier: String?, message: String)]) {
        let applied = try migrator.appliedIdentifiers(db)
        var problems: [(identifier: String?, message: String)] = try migrator.unrecordedMigrations(db).map {
            ($0.identifier, Migrator.Error.unrecordedMigration(migration: $0.identifier, objects: $0.objects).description)
        }
        let unknown = applied.subtracting(migrator.migrations.map(\.identifier)).sorted()
        if !unknown.isEmpty {
            let witnessed = (try? witness?.read())??.migrations
            guard let witnessed, witnessed != (try HeadWitness.migrationsDigest(db)) else {
                throw Migrator.Error.unknownMigrations(unknown)
            }
            problems.append((nil, "the migrations table lists \(unknown.joined(separator: ", ")), which no invite-ledger migration is, and is not what the head witness saw: a row was added"))
        }
        return (applied.subtracting(unknown), problems)
    }

    /// Refuses a path that cannot hold a ledger as given, before SQLite opens it (which would say
    /// "disk I/O error" or "unable to open database file"): a directory, a missing directory (when
    /// the file is to be created), a file that is not SQLite's (with no head witness beside it to
    /// say a ledger was there), and for a write, a file or directory this process cannot write.
    static func checkPath(_ path: String, writing: Bool, creating: Bool) throws {
        guard path != ":memory:", !path.hasPrefix("file:") else { return }
        let files = FileManager.default
        var isDirectory: ObjCBool = false
        let exists = files.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && isDirectory.boolValue {
            throw LedgerFileError(
                path: path, reason: "is a directory, not a database file",
                remedy: "Give --db a file, for example \((path as NSString).appendingPathComponent("invite-ledger.sqlite")).",
                kind: .unusable)
        }
        let directory = (path as NSString).deletingLastPathComponent.isEmpty ? "." : (path as NSString).deletingLastPathComponent
        if !exists {
            guard creating, !files.fileExists(atPath: directory) else { return }
            throw LedgerFileError(
                path: path, reason: "cannot be created: its directory \(directory) does not exist",
                remedy: "Create the directory first, or give --db another path.", kind: .unusable)
        }
        if isNotSQLite(path) && HeadWitness(databasePath: path).map({ !files.fileExists(atPath: $0.path) }) ?? true {
            throw LedgerFileError(
                path: path, reason: "is not an SQLite database file (SQLite does not recognize its header)",
                remedy: "Nothing was written to it. Give --db a new file, or an invite-ledger ledger.", kind: .foreign)
        }
        guard writing else { return }
        if Glibc.access(path, W_OK) != 0 {
            throw LedgerFileError(
                path: path, reason: "is read-only for this process: it cannot be written",
                remedy: "Nothing was written to it. Query it (queries open a ledger read-only), or give this process write permission.",
                kind: .unusable)
        }
        if Glibc.access(directory, W_OK) != 0 {
            throw LedgerFileError(
                path: path, reason: "cannot be written: its directory \(directory) is read-only, and SQLite writes \((path as NSString).lastPathComponent)-wal and -shm beside it",
                remedy: "Nothing was written to it. Give this process write permission on the directory, or write to a copy elsewhere.",
                kind: .unusable)
        }
    }

    /// True when there is a database file at `path` to open (in memory: always): a missing or
    /// empty file holds no ledger.
    /// True when SQLite finds no database in the file (its header is not SQLite's). Asked of
    /// SQLite, never read through a file descriptor of our own: closing one would drop every
    /// POSIX lock this process's connections hold on the file, and another process could then
    /// take the ledger for unused and delete its WAL while it is written.
    static func isNotSQLite(_ path: String) -> Bool {
        do {
            let db = try Database(path: path, mode: .readOnly)
            defer { try? db.close() }
            _ = try Int64.fetchOne(db, sql: "PRAGMA schema_version")
            return false
        } catch let error as DatabaseError {
            return error.isNotADatabase
        } catch {
            return false
        }
    }

    static func holdsDatabase(_ path: String) -> Bool {
        guard path != ":memory:", !path.hasPrefix("file:") else { return true }
        func size(_ file: String) -> Int { (try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? Int ?? 0 }
        return size(path) > 0 || size(path + "-wal") > 0
    }

    /// Opens a read-only copy that SQLite cannot open the usual way, because no `-shm` file can be
    /// made beside it: as immutable, which needs none. A `-wal` holding commits would be ignored
    /// that way, so it is refused, saying why.
    private static func openImmutable(_ path: String, configuration: Database.Configuration) throws -> DatabaseQueue {
        let wal = (try? FileManager.default.attributesOfItem(atPath: path + "-wal"))?[.size] as? Int ?? 0
        guard wal == 0 else {
            throw LedgerFileError(
                path: path,
                reason: "is read-only, has no -shm file, and its -wal holds commits not yet in the database: SQLite cannot read them without writing a -shm beside them",
                remedy: "Copy the database and its -wal to a writable directory and query the copy, or let the writer checkpoint it (close every connection) before copying.",
                kind: .unusable)
        }
        let encoded = path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) ?? path
        return try DatabaseQueue(path: "file:\(encoded)?immutable=1", mode: .readOnly, configuration: configuration)
    }

    /// Refuses, before anything opens it for writing (which would switch it to WAL and add
    /// tables), a SQLite file that belongs to another program: one whose header carries another
    /// application id, or that holds tables and no invite-ledger migrations table. The file is
    /// read through a read-only connection and left byte for byte as it was.
    static func refuseForeignFile(_ path: String) throws {
        guard path != ":memory:", !path.hasPrefix("file:"),
              let size = (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int, size > 0
        else { return }
        let db = try Database(path: path, mode: .readOnly)
        defer { try? db.close() }
        let applicationId = try Int64.fetchOne(db, sql: "PRAGMA application_id") ?? 0
        let tables = try String.fetchAll(
            db, sql: "SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
        let isOurs = tables.contains(Migrator.tableName) || tables.contains(Migrator.legacyTableName)
        if applicationId != 0 && applicationId != LedgerSchema.applicationId {
            throw LedgerFileError(
                path: path, reason: "is another program's SQLite file (application id \(applicationId)), not an invite-ledger ledger",
                remedy: "Nothing was written to it. Give --db a new file, or an invite-ledger ledger.", kind: .foreign)
        }
        if !isOurs && !tables.isEmpty {
            let shown = tables.prefix(5).joined(separator: ", ") + (tables.count > 5 ? ", ..." : "")
            throw LedgerFileError(
                path: path, reason: "is another program's SQLite file (it holds tables \(shown)), not an invite-ledger ledger",
                remedy: "Nothing was written to it. Give --db a new file, or an invite-ledger ledger.", kind: .foreign)
        }
    }

    /// A recorder of steps into the connection's state, with this ledger's broker policy: call
    /// only inside `queue`.
    func recorder(_ db: Database) -> StepRecorder<LedgerState> {
        StepRecorder(state: recordingState(db), brokers: brokers)
    }

    /// Drops the connection's recording state, after rows were written behind it (a bulk
    /// build): the next write starts from the file. Call only inside `queue`.
    func forgetRecordingState() {
        recording.state = nil
    }

    /// The recording state of the connection: call only inside `queue`.
    func recordingState(_ db: Database) -> LedgerState {
        if let state = recording.state { return state }
        let state = LedgerState(db: db)
        recording.state = state
        return state
    }

    /// Proves that the file is the ledger it was before anything is written to it: the event its
    /// head witness names must still be there with the same hash, and SQLite must not find the
    /// pages this reads damaged. Until then the connection does not checkpoint on close, so a
    /// refused file (and its `-wal`) is left exactly as it was. A ledger without a witness (new,
    /// or written by an older version) gets one.
    ///
    /// - Returns: the digests of the migrations table and the schema, as proven.
    @discardableResult
    static func checkBeforeWriting(
        _ db: Database, path: String, witness: HeadWitness?
    ) throws -> (migrations: [UInt8], schema: [UInt8]) {
        db.setCheckpointsOnClose(false)
        try requireIntact(db, path: path) { _ in try witness?.mismatch(db)?.message }
        let schema = try HeadWitness.schemaDigest(db)
        let migrations = try HeadWitness.migrationsDigest(db)
        try requireIntact(db, path: path) { check in
            let proven = try witness?.read()
            // The schema the last write left and proved needs no second proof while unchanged.
            if proven?.schema != schema, let problem = try check.schemaProblem() {
                return problem
            }
            if let proven {
                // Everything up to the witness was proven when it was written; the rest is new.
                return try check.chainProblem(from: proven.seq)
            }
            guard try HeadWitness.head(db) != nil else { return nil }
            // A ledger with events and no witness (a copy made without it, or an older version's):
            // the witness is made only over a file proven whole.
            return try check.pageProblem() ?? check.fullChainProblem()
        }
        if let witness, try witness.read() == nil, let head = try HeadWitness.head(db, digests: (migrations, schema)) {
            try witness.write(head)
        }
        db.setCheckpointsOnClose(true)
        return (migrations, schema)
    }

    /// Runs checks of `WriteCheck`: a problem they return, or SQLite finding the file damaged
    /// while they read, is a `LedgerFileError` naming the file.
    static func requireIntact(_ db: Database, path: String, _ checks: (WriteCheck) throws -> String?) throws {
        do {
            if let problem = try checks(WriteCheck(db: db)) {
                throw LedgerFileError(path: path, reason: problem)
            }
        } catch let error as DatabaseError where error.isDamage {
            throw LedgerFileError(path: path, reason: "is damaged: \(error.message)")
        }
    }

    /// Moves the head witness to the log's head after a commit. A failure to write it is not an
    /// error of the commit (which stands): the witness lags, and the next write catches it up.
    ///
    /// A process that records step after step writes it at most every `witnessInterval` and when
    /// it closes the ledger: in between the witness lags, which the check accepts.
    func advanceWitness(_ db: Database, now: UInt64 = DispatchTime.now().uptimeNanoseconds) {
        guard witness != nil else { return }
        guard now &- recording.witnessWrittenAt >= Self.witnessInterval else {
            recording.isWitnessBehind = true
            return
        }
        writeWitness(db)
        recording.witnessWrittenAt = now
    }

    private func writeWitness(_ db: Database) {
        recording.isWitnessBehind = false
        // The digests proven at open: a schema or migrations table changed behind this process's
        // back since is never blessed by its witness (the next open finds the difference).
        guard let witness, let head = try? HeadWitness.head(db, digests: recording.provenDigests) else { return }
        try? witness.write(head)
    }

    /// Applies every pending migration, creating the database when missing if `create` is true.
    ///
    /// - Returns: the identifiers of the migrations applied now, in order (empty when up to date).
    /// - Throws: `NOT_INITIALIZED` when there is no ledger at `path` and `create` is false.
    @discardableResult
    public static func migrate(path: String, create: Bool = true) throws -> [String] {
        let migrator = try LedgerSchema.migrator()
        try HeadWitness(databasePath: path)?.requireDatabase()
        guard create || holdsDatabase(path) else {
            throw LedgerError(.notInitialized, "no ledger at \(path); create it with `invite-ledger init --db \(path)`")
        }
        try checkPath(path, writing: true, creating: create)
        try refuseForeignFile(path)
        let queue = try DatabaseQueue(path: path, mode: .readWriteCreate)
        defer { try? queue.close() }
        return try queue.inDatabase { db in
            let witness = HeadWitness(databasePath: path)
            try checkBeforeWriting(db, path: path, witness: witness)
            return try migrate(db, migrator, witness: witness)
        }
    }

    /// Applies the pending migrations; the head witness then keeps the migrations table's new rows.
    @discardableResult
    private static func migrate(_ db: Database, _ migrator: Migrator, witness: HeadWitness?) throws -> [String] {
        let applied = try migrator.migrate(db)
        if !applied.isEmpty, let witness, let head = try HeadWitness.head(db) {
            try witness.write(head)
        }
        return applied
    }

    /// Every migration this binary knows and when it was applied to the database at `path`,
    /// read without changing the file.
    public static func migrationStatus(path: String) throws -> [Migrator.Status] {
        let migrator = try LedgerSchema.migrator()
        guard FileManager.default.fileExists(atPath: path) else {
            return migrator.migrations.map { Migrator.Status(identifier: $0.identifier, appliedAt: nil) }
        }
        let queue = try DatabaseQueue(path: path, mode: .readOnly)
        defer { try? queue.close() }
        return try queue.inDatabase { db in try migrator.status(db) }
    }

    /// Closes the connection, after writing the head witness if it lags. Using the ledger
    /// afterwards fails.
    public func close() throws {
        try? queue.inDatabase { db in
            if recording.isWitnessBehind { writeWitness(db) }
        }
        try queue.close()
    }

    deinit {
        if recording.isWitnessBehind {
            try? queue.inDatabase { db in writeWitness(db) }
        }
    }
}
