import LedgerStore

/// What a write proves before it writes, so that it never builds on a ledger that is not intact.
/// Each check returns what is wrong, as a phrase that follows the file's path, or nil.
///
/// - ``schemaProblem()``: the tables, indexes and triggers are those the applied migrations create
///   (a dropped trigger makes the log editable): one read of `sqlite_schema`.
/// - ``chainProblem(from:)``: the hash chain recomputed from an event to the head: from the head
///   witness's event, it proves what was written since the witness was, in microseconds.
/// - ``fullChainProblem()`` and ``pageProblem()``: the whole chain, and every page of the file
///   (`quick_check`): seconds on millions of events, what a bulk write proves first.
///
/// What they cannot see is in Reliability.md: an event edited before the witness's, with the
/// triggers put back, is found by the whole chain (`ingest`, `record --stream`, `verify`), not by
/// a single `record`.
struct WriteCheck {
    let db: Database

    func schemaProblem() throws -> String? {
        let migrator = try LedgerSchema.migrator()
        let applied = try migrator.appliedIdentifiers(db)
        guard !applied.isEmpty else { return nil }
        let expected = try Database(path: ":memory:")
        defer { try? expected.close() }
        try migrator.migrate(expected, only: applied)
        var report = VerificationReport()
        try SchemaVerifier(db: db, expected: expected).verify(into: &report)
        let problems = report.problems.filter {
            ![Migrator.tableName, Migrator.legacyTableName].contains($0.table ?? "")
        }
        guard let first = problems.first else { return nil }
        return "its schema is not what its migrations create: \(first.message)"
            + (problems.count > 1 ? " (and \(problems.count - 1) more)" : "")
    }

    /// Recomputes the hashes of the events from `seq` to the head, each from the stored hash of
    /// the event before it.
    func chainProblem(from seq: Int64) throws -> String? {
        var previous: [UInt8]?
        var expectedSeq = max(1, seq)
        let statement = try db.makeStatement(sql: """
            SELECT seq, hash, payload, outcome, recordedAt FROM event WHERE seq >= ? ORDER BY seq
            """)
        var problem: String?
        try statement.forEachRow(arguments: [max(1, seq) - 1]) { row in
            guard problem == nil else { return }
            let rowSeq: Int64 = try row.required(0)
            let hash: [UInt8] = try row.required(1)
            if rowSeq < max(1, seq) {
                previous = hash
                return
            }
            guard rowSeq == expectedSeq else {
                problem = "its log jumps from seq \(expectedSeq - 1) to \(rowSeq): events are missing"
                return
            }
            let format = EventChain.format(
                of: hash, previous: previous ?? EventChain.genesis, payload: try row.required(2),
                outcome: try row.required(3), recordedAt: try row.required(4))
            if format == nil {
                problem = "its event \(rowSeq) does not match its hash: it was changed after it was recorded"
            }
            previous = hash
            expectedSeq = rowSeq + 1
        }
        return problem
    }

    func fullChainProblem() throws -> String? {
        var report = VerificationReport()
        try ChainVerifier(db: db, maximumProblems: 1).verify(into: &report)
        return report.problems.first.map { "its hash chain is broken: \($0.message)" }
    }

    func pageProblem() throws -> String? {
        let messages = try String.fetchAll(db, sql: "PRAGMA quick_check(1)")
        guard let first = messages.first, first != "ok" else { return nil }
        return "is damaged: \(first)"
    }
}
