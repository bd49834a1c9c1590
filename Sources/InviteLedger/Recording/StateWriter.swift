import LedgerStore

/// Writes what a `LedgerState` holds since its last flush, once: each row created in its final
/// form (a signup completed, an edge ended or a path closed in the same batch is inserted as it
/// ends up), each stored row changed by one UPDATE, the events whole.
///
/// Tables are written parents first, so that every reference finds its row; within a table,
/// changed rows before new ones (an assignment or edge ended before the one that replaces it, for
/// the unique indexes on current rows), each in key order.
enum StateWriter {
    static func flush(_ state: LedgerState) throws {
        let db = state.db
        try write(state.brokers, db)
        try EventRecord.insert(state.events, db)
        try write(state.users, db)
        try write(state.accounts, db)
        try write(state.partners, db)
        try write(state.holders, db)
        try write(state.assignments, db)
        try write(state.links, db)
        try write(state.clicks, db)
        try write(state.signups, db)
        try write(state.attributions, db)
        for (key, validTo) in state.closedPaths.sorted(by: { Self.precedes($0.key, $1.key) }) {
            try LineageTable.close(
                db, ancestorRowId: key.ancestorRowId, depth: key.depth, attributedAt: key.attributedAt,
                descendantUserId: key.descendantUserId, validTo: validTo)
        }
        let opened = state.openedPaths.sorted {
            Self.precedes($0.key, $1.key) || ($0.key == $1.key && $0.validFrom < $1.validFrom)
        }
        try LineageTable.Path.insert(
            opened.map {
                LineageTable.Path(
                    ancestorRowId: $0.key.ancestorRowId, depth: $0.key.depth, attributedAt: $0.key.attributedAt,
                    descendantUserId: $0.key.descendantUserId, validFrom: $0.validFrom, validTo: $0.validTo,
                    descendantRowId: $0.descendantRowId)
            }, db)
        state.didFlush()
    }

    private static func write<Row: TableRecord & KeyedRow, Key>(_ table: CachedTable<Row, Key>, _ db: Database) throws {
        for id in table.changed.sorted() {
            try table.rows[id]!.update(db)
        }
        try Row.insert(table.created.sorted().map { table.rows[$0]! }, db)
    }

    /// The closure table's key order.
    private static func precedes(_ a: PathKey, _ b: PathKey) -> Bool {
        (a.ancestorRowId, a.depth, a.attributedAt, a.descendantUserId)
            < (b.ancestorRowId, b.depth, b.attributedAt, b.descendantUserId)
    }
}
