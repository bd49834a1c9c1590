import LedgerStore

/// The row ids a recording state hands out, table by table, in the order rows are created: from
/// one more than the largest in the database, so the same ids as inserting the rows one by one
/// would give.
struct RowIds {
    private var next: [String: Int64] = [:]

    /// Hands out the next id of `table`.
    mutating func take(_ table: String, in db: Database) throws -> Int64 {
        let id = try peek(table, in: db)
        next[table] = id + 1
        return id
    }

    /// The id `take` would hand out, without handing it out.
    mutating func peek(_ table: String, in db: Database) throws -> Int64 {
        if let id = next[table] { return id }
        let id = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(rowid) FROM \"\(table)\"")) ?? 0) + 1
        next[table] = id
        return id
    }

    /// Forgets every id handed out: the next ones are read from the database again.
    mutating func forget() { next = [:] }
}

/// Whether what a recording state knows is still the database's: another connection's commit
/// (`PRAGMA data_version` moves) or a write of this connection other than the state's flush
/// (`total_changes` moves) makes it stale.
struct StateFreshness {
    private var dataVersion: Int64?
    /// The connection's change count after the state's last flush.
    private var changesAfterFlush: Int64 = -1

    /// True when the database changed behind the state since it last looked; remembers the
    /// database's version from now on.
    mutating func isStale(_ db: Database) throws -> Bool {
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
        defer { dataVersion = version }
        return version != dataVersion || db.totalChangesCount != changesAfterFlush
    }

    /// The state wrote its pending rows: the changes so far are its own.
    mutating func didFlush(_ db: Database) { changesAfterFlush = db.totalChangesCount }

    /// After a rollback: whatever the state knew may be undone.
    mutating func invalidate() { dataVersion = nil }
}
