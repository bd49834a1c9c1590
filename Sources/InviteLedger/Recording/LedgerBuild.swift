import LedgerStore

/// Builds a whole ledger from a log into a new database that holds only the schema, in one
/// transaction, the bulk way: the steps are decided on a `BuildState` (every row in memory,
/// nothing read back), the events are written as they come, and every other table is written
/// once at the end, in key order, each row in its final form, before the tables' secondary
/// indexes are created (the rows let go first). The replays of `rebuild --to` and `verify` build
/// the first events of a log this way (as many as fit in `memoryBudget`, at most
/// `maximumEvents`), and so does a first load (`ingest` into a ledger that holds no rows) its
/// first lines; the rest goes batch by batch.
///
///     try LedgerBuild.run(into: scratch.db, brokers: .anyBroker) { build in
///         for step in steps {
///             _ = try build.record(step, recordedAt: now)
///         }
///     }
///
/// The rows are the ones the incremental path (`WriteSession`) writes for the same steps, with
/// the same ids; only the file's page layout differs. When `body` throws (a storage error, a
/// `RecordingInconsistency`), the transaction is rolled back and the file holds the schema alone.
final class LedgerBuild {
    /// The most events a build takes: a bulk build keeps every row but the events in memory,
    /// packed (about 500 bytes per user of the benchmark's forests, four events each), so its
    /// rows reach `memoryBudget` first on such a log (at about 2,800,000 events, 700,000 users).
    /// This bounds what a kill during the build costs on a log whose rows take less: 8,000,000
    /// events, a few minutes of work. A replay (`LogReplay`) and a first load (`ingest`) build
    /// this many in bulk unless told otherwise, or fewer when the rows reach `memoryBudget` first
    /// (`isFull`), then go on the incremental way.
    static let maximumEvents = 8_000_000

    /// The most bytes of rows, indexes and columns a build holds (`BuildState.byteCount`) before
    /// it is full, unless told otherwise: 336 MiB. The process holds about 90 MiB besides while
    /// the steps are recorded (the lines decoded ahead, identifiers over 15 bytes, the file's page
    /// cache held to `pageCacheKiB`), and about 40 MiB more while SQLite sorts the indexes: a
    /// first load, a rebuild and a replay each peak at about 475 MiB, within 512 MiB.
    static let memoryBudget = 336 << 20

    /// The page cache, in KiB, of the file a build writes, from its first step to its last index
    /// (then the connection's own size is given back): 16 MiB. The events are appended in key
    /// order and the other tables written once, in key order, so pages kept would only take
    /// memory from the rows; the indexes' sorts, which SQLite bounds by the cache size, spill to
    /// a temporary file beyond it. A build holds about 48 MiB less than with the default 64 MiB,
    /// and takes as long (Performance.md).
    static let pageCacheKiB = 16_384

    /// How many events are recorded between two looks at the state's bytes.
    private static let budgetInterval = 4_096

    let target: Database
    private(set) var recorder: StepRecorder<BuildState>
    /// The bytes of rows the build holds before it is full (`isFull`).
    let budget: Int
    var state: BuildState { recorder.state }
    /// Events held in memory before they are written.
    var eventBatch = Ledger.IngestOptions.defaultBatchSize

    private init(target: Database, recorder: StepRecorder<BuildState>, budget: Int) {
        self.target = target
        self.recorder = recorder
        self.budget = budget
    }

    /// Builds a ledger on `target`, which holds the schema and no rows, in one transaction:
    /// `body` records the steps, then every table is written and its indexes created.
    ///
    /// - Parameter brokers: which brokers the steps may name (`.anyBroker` for a log replayed:
    ///   its brokers were introduced when it was recorded).
    /// - Parameter memoryBudget: the bytes of rows after which the build is full (`isFull`).
    /// - Returns: the build, which holds the keys of what it wrote (`writtenKeys`) for what comes
    ///   after it, and no rows; nil when `target` holds rows once the transaction has begun
    ///   (another process wrote first): then nothing was done and `body` did not run.
    @discardableResult
    static func run(
        into target: Database, brokers: BrokerPolicy, wallClock: Ledger.Clock = .system,
        memoryBudget: Int = LedgerBuild.memoryBudget, _ body: (LedgerBuild) throws -> Void
    ) throws -> LedgerBuild? {
        // A ledger with rows (every ingest but a first load) is turned away before the pragmas
        // change (which prepares every cached statement again) and before the write lock is taken.
        guard try LedgerSchema.holdsNoRows(target) else { return nil }
        var built: LedgerBuild?
        let deferredIndexes = try secondaryIndexes(target)
        let wereForeignKeysEnforced = try target.areForeignKeysEnforced()
        try target.setForeignKeysEnforced(false)
        defer { try? target.setForeignKeysEnforced(wereForeignKeysEnforced) }
        try target.withCacheSize(kibibytes: pageCacheKiB) {
            try target.inTransaction(.immediate) {
                // Again under the write lock: another process may have written since.
                guard try LedgerSchema.holdsNoRows(target) else { return .rollback }
                for index in deferredIndexes {
                    try target.execute(sql: "DROP INDEX \"\(index.name)\"")
                }
                let state = BuildState(storedEvent: { try EventRecord.fetch(target, brokerId: $0, eventId: $1) })
                let build = LedgerBuild(
                    target: target, recorder: StepRecorder(state: state, brokers: brokers, wallClock: wallClock),
                    budget: memoryBudget)
                try body(build)
                try build.finish()
                // The rows are in the file now: what a part after the build needs of them is their
                // keys; the rest is let go before SQLite sorts the indexes, whose sorts then reuse
                // that memory.
                if !build.isWholeLog { build.writtenKeys = build.state.writtenKeys() }
                build.letRowsGo()
                for index in deferredIndexes {
                    try target.execute(sql: index.sql)
                }
                built = build
                return .commit
            }
        }
        return built
    }

    /// True once the rows held reach the budget: the caller takes no more steps in bulk.
    private(set) var isFull = false
    /// Set by the caller when its input ended within the build: nothing follows it, so the
    /// build keeps none of its keys (`writtenKeys`).
    var isWholeLog = false
    /// The keys of every row and event the build wrote (`BuildState.writtenKeys()`), for the
    /// incremental part that goes on after it (`LedgerState.continuesBuild`); nil when the build
    /// is the whole log (`isWholeLog`). Once the build is done, it holds no rows but these keys.
    private(set) var writtenKeys: WrittenKeys?
    private var recordedSinceBudgetCheck = 0

    /// Records one step (`StepRecorder.record`), and writes the events held once there are
    /// `eventBatch` of them.
    func record(_ step: Step, recordedAt: Int64, seq: Int64? = nil) throws -> StepOutcome {
        let outcome = try recorder.record(step, recordedAt: recordedAt, seq: seq)
        recordedSinceBudgetCheck += 1
        if recordedSinceBudgetCheck == Self.budgetInterval {
            recordedSinceBudgetCheck = 0
            isFull = state.byteCount >= budget
        }
        if state.heldEventCount >= eventBatch {
            try writeEvents()
        }
        return outcome
    }

    /// Trades the state for an empty one: the rows are in the file, and its memory goes back.
    private func letRowsGo() {
        let state = BuildState(storedEvent: { _, _ in nil })
        recorder = StepRecorder(state: state, brokers: recorder.brokers, wallClock: recorder.wallClock)
    }

    /// Writes the events still held and every other table, each in id order.
    private func finish() throws {
        try writeEvents()
        try state.forEachChunk(of: state.brokers) { try BrokerRecord.insert($0, target) }
        try state.forEachChunk(of: state.users) { try UserRecord.insert($0, target) }
        try state.forEachChunk(of: state.accounts) { try AccountRecord.insert($0, target) }
        try state.forEachChunk(of: state.partners) { try PartnerRecord.insert($0, target) }
        try state.forEachChunk(of: state.holders) { try HolderRecord.insert($0, target) }
        try state.forEachChunk(of: state.assignments) { try AssignmentRecord.insert($0, target) }
        try state.forEachChunk(of: state.links) { try LinkRecord.insert($0, target) }
        try state.forEachChunk(of: state.clicks) { try ClickRecord.insert($0, target) }
        try state.forEachChunk(of: state.signups) { try SignupRecord.insert($0, target) }
        try state.forEachChunk(of: state.attributions) { try AttributionRecord.insert($0, target) }
        // In key order through a sorted array of indexes: a sorted copy of the paths would double
        // the largest array of the build.
        let paths = state.paths
        var order = Array(UInt32(0)..<UInt32(paths.count))
        order.sort { precedes(paths[Int($0)], paths[Int($1)]) }
        for start in stride(from: 0, to: order.count, by: 4_096) {
            try LineageTable.Path.insert(
                order[start..<min(start + 4_096, order.count)].map { paths[Int($0)].path(in: state) }, target)
        }
    }

    private func writeEvents() throws {
        try EventRecord.insert(state.takeEvents(), target)
    }

    /// The closure table's primary-key order.
    private func precedes(_ a: BuildState.PackedPath, _ b: BuildState.PackedPath) -> Bool {
        if (a.ancestorRowId, a.depth, a.attributedAt) != (b.ancestorRowId, b.depth, b.attributedAt) {
            return (a.ancestorRowId, a.depth, a.attributedAt) < (b.ancestorRowId, b.depth, b.attributedAt)
        }
        return (state.descendantUserId(a), a.validFrom) < (state.descendantUserId(b), b.validFrom)
    }

    /// The indexes the schema declares on every table but the event table (whose unique index
    /// answers the one lookup a build makes in the file), in the schema's order.
    private static func secondaryIndexes(_ db: Database) throws -> [(name: String, sql: String)] {
        var indexes: [(name: String, sql: String)] = []
        try db.makeStatement(sql: """
            SELECT name, sql FROM sqlite_schema
            WHERE type = 'index' AND sql IS NOT NULL AND tbl_name NOT IN ('event', ?)
            ORDER BY rowid
            """).forEachRow(arguments: [Migrator.tableName]) { row in
                indexes.append((try row.required(0), try row.required(1)))
            }
        return indexes
    }
}
