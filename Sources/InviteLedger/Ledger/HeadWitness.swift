import Foundation
import LedgerStore

/// The head of the chain as last committed, kept in a small file beside the database
/// (`invite-ledger.sqlite-head`): the proof, checked before every write, that the file is still
/// the ledger it was.
///
///     {"seq":20,"hash":"b899e3d5...","migrations":"5f1c...","schema":"a03e..."}
///
/// `migrations` is the SHA-256 of the migrations table's rows (`identifier appliedAt` a line, in
/// identifier order): a row changed, added or deleted since the witness was written is seen too.
/// `schema` is the SHA-256 of the schema's objects as the writer left them, proven: a write whose
/// schema still has that digest need not compare it with what the migrations create again.
/// A witness written by an earlier version has neither, and gets them at the next write.
///
/// After each commit the writer replaces the witness (a new file renamed over the old one). Before
/// writing, a command checks that the event at the witness's `seq` still has the witness's hash:
/// a log cut short or rolled back (an older copy restored), a swapped file, or a `-wal` file left
/// by another database all fail that check. The witness may lag behind the log (a process killed
/// between its commit and the rename, or two writers racing): a log that *continues* the witness
/// is accepted and the witness moves forward.
struct HeadWitness {
    /// A committed head of the chain.
    struct Head: Equatable {
        var seq: Int64
        var hash: [UInt8]
        /// The digest of the migrations table's rows; nil in a witness of an earlier version.
        var migrations: [UInt8]? = nil
        /// The digest of the schema's objects (`schemaDigest`); nil in a witness of an earlier version.
        var schema: [UInt8]? = nil
    }

    /// Why the file is not the ledger the witness saw.
    enum Mismatch: Error, Equatable {
        /// The witness cannot be read.
        case unreadable(String)
        /// The log ends before the witness's event.
        case truncated(witness: Head, logEndsAt: Int64)
        /// The event at the witness's seq has another hash.
        case differentEvent(witness: Head, found: [UInt8])
        /// The migrations table's rows are not those the witness saw.
        case migrationsChanged

        var message: String {
            switch self {
            case .unreadable(let reason):
                "its head witness cannot be read (\(reason))"
            case .truncated(let witness, let end):
                "its log ends at seq \(end), but event \(witness.seq) was committed: events were cut off, or an older copy of the file was put back"
            case .differentEvent(let witness, let found):
                "its event \(witness.seq) has hash \(found.hex), but \(witness.hash.hex) was committed: the file was replaced, rolled back or mixed with another database's -wal file"
            case .migrationsChanged:
                "its migrations table is not what it was when the head witness was written: a row was changed, added or deleted"
            }
        }
    }

    /// The witness file.
    let path: String

    /// The witness of the database at `databasePath`; nil for an in-memory database or a URI,
    /// which have no place beside them.
    init?(databasePath: String) {
        guard !databasePath.isEmpty, databasePath != ":memory:", !databasePath.hasPrefix("file:") else { return nil }
        path = databasePath + "-head"
    }

    /// The head last written; nil when there is no witness yet.
    func read() throws(Mismatch) -> Head? {
        guard let data = FileManager.default.contents(atPath: path) else {
            guard FileManager.default.fileExists(atPath: path) else { return nil }
            throw .unreadable("\(path) cannot be read")
        }
        let value = data.withUnsafeBytes { bytes in
            try? JSONParser.parse(bytes.bindMemory(to: UInt8.self))
        }
        guard case .number(let seqText)? = value?["seq"], let seq = Int64(seqText), seq >= 1,
              case .string(let hashText)? = value?["hash"], let hash = [UInt8](hex: hashText), hash.count == 32
        else {
            throw .unreadable("\(path) does not hold {\"seq\":N,\"hash\":\"...\"}")
        }
        var migrations: [UInt8]?
        if let member = value?["migrations"] {
            guard case .string(let text) = member, let digest = [UInt8](hex: text), digest.count == 32 else {
                throw .unreadable("\(path) holds a migrations digest that is not 64 hexadecimal digits")
            }
            migrations = digest
        }
        var schema: [UInt8]?
        if let member = value?["schema"] {
            guard case .string(let text) = member, let digest = [UInt8](hex: text), digest.count == 32 else {
                throw .unreadable("\(path) holds a schema digest that is not 64 hexadecimal digits")
            }
            schema = digest
        }
        return Head(seq: seq, hash: hash, migrations: migrations, schema: schema)
    }

    /// Replaces the witness with `head`: written to a file of this process, then renamed, so a
    /// reader never sees half a witness. Not synced: see Reliability.md on power loss.
    func write(_ head: Head) throws {
        var members: [(String, JSONValue)] = [("seq", .integer(head.seq)), ("hash", .string(head.hash.hex))]
        if let migrations = head.migrations { members.append(("migrations", .string(migrations.hex))) }
        if let schema = head.schema { members.append(("schema", .string(schema.hex))) }
        let text = JSONValue.object(members).serialized() + "\n"
        // Plain POSIX calls: Foundation's Data.write syncs the file, which would cost a disk flush
        // per recorded step.
        let temporary = path + ".\(getpid()).tmp"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        var written = -1
        if descriptor >= 0 {
            written = text.utf8CString.withUnsafeBufferPointer { Glibc.write(descriptor, $0.baseAddress, $0.count - 1) }
            close(descriptor)
        }
        guard written == text.utf8.count, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw LedgerFileError(path: String(path.dropLast("-head".count)), reason: "its head witness \(path) cannot be written: \(reason)")
        }
    }

    /// What is wrong between the log and the witness; nil when the log is what the witness saw,
    /// or continues it (or when there is no witness yet).
    func mismatch(_ db: Database) throws -> Mismatch? {
        try mismatch(db, witnessed: Result { () throws(Mismatch) in try read() })
    }

    /// What is wrong between the log and a witness read earlier: a reader that reads the witness
    /// before its snapshot begins compares the snapshot with a head committed before it, so a
    /// writer moving the witness on meanwhile is not a log cut short.
    func mismatch(_ db: Database, witnessed: Result<Head?, Mismatch>) throws -> Mismatch? {
        let witness: Head?
        switch witnessed {
        case .success(let head): witness = head
        case .failure(let error): return error
        }
        guard let witness else { return nil }
        guard let found = try Self.hash(db, seq: witness.seq) else {
            return .truncated(witness: witness, logEndsAt: try Self.head(db)?.seq ?? 0)
        }
        guard found == witness.hash else { return .differentEvent(witness: witness, found: found) }
        if let migrations = witness.migrations, migrations != (try Self.migrationsDigest(db)) {
            return .migrationsChanged
        }
        return nil
    }

    /// Refuses to create a new, empty ledger where a witness says one with events was: the file
    /// was deleted or moved, and writing would start another ledger under its name.
    func requireDatabase() throws {
        let databasePath = String(path.dropLast("-head".count))
        guard !FileManager.default.fileExists(atPath: databasePath), let head = try? read() else { return }
        throw LedgerFileError(
            path: databasePath,
            reason: "does not exist, but its head witness \(path) says event \(head.seq) was committed (remove \(path) to start a new, empty ledger)")
    }

    /// The newest event, with the digest of the migrations table, or nil when the log is empty
    /// or the database has no log yet.
    static func head(_ db: Database, digests: (migrations: [UInt8], schema: [UInt8])? = nil) throws -> Head? {
        guard try hasLog(db), let head = try EventRecord.head(db) else { return nil }
        return Head(
            seq: head.seq, hash: head.hash, migrations: try digests?.migrations ?? migrationsDigest(db),
            schema: try digests?.schema ?? schemaDigest(db))
    }

    /// SHA-256 of the schema's objects, `type name table sql` a line in name order (SQLite's
    /// statistics tables left out): equal digests, equal schemas.
    static func schemaDigest(_ db: Database) throws -> [UInt8] {
        let text = try String.fetchOne(db.cachedStatement(sql: """
            SELECT group_concat(line, '') FROM (
                SELECT type || char(31) || name || char(31) || tbl_name || char(31) || coalesce(sql, '') || char(10) AS line
                FROM sqlite_schema WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name)
            """)) ?? ""
        return SHA256.hash(Array(text.utf8))
    }

    /// SHA-256 of the migrations table's rows (`Migrator.recordText`).
    static func migrationsDigest(_ db: Database) throws -> [UInt8] {
        SHA256.hash(Array(try LedgerSchema.migrator().recordText(db).utf8))
    }

    private static func hash(_ db: Database, seq: Int64) throws -> [UInt8]? {
        guard try hasLog(db) else { return nil }
        return try EventRecord.fetch(db, seq: seq)?.hash
    }

    private static func hasLog(_ db: Database) throws -> Bool {
        try Int64.fetchOne(db, sql: "SELECT 1 FROM sqlite_schema WHERE type = 'table' AND name = 'event'") != nil
    }
}
