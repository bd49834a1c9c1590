import LedgerStore

/// A key rows are looked up by, with its entry in the filter of keys a build wrote (`WrittenKeys`).
protocol CacheKey: Hashable {
    func filterKey(_ kind: WrittenKeys.Kind) -> UInt64
}

extension String: CacheKey {
    func filterKey(_ kind: WrittenKeys.Kind) -> UInt64 { WrittenKeys.key(kind, 0, self) }
}

extension Never: CacheKey {
    func filterKey(_ kind: WrittenKeys.Kind) -> UInt64 { switch self {} }
}

/// The rows of one table a `LedgerState` knows, in their latest form, which of them are still to
/// be written, and an index by the key the rules look rows up by, declared once with the table
/// (the key of a row, how the database is asked for a key or an id, the kind of key the filter of
/// written keys holds): every lookup is `find`, which answers from what is known or reads the
/// database once and remembers what it read.
///
///     var users = CachedTable<UserRecord, IdentifierKey>(
///         key: { IdentifierKey(brokerId: $0.brokerId, value: $0.userId) }, filter: .user,
///         fetch: { try UserRecord.fetch($0, brokerId: $1.brokerId, userId: $1.value) }, fetchId: UserRecord.fetch(_:id:))
///     let user = try users.find(key, in: db, written: writtenKeys)
struct CachedTable<Row: KeyedRow, Key: CacheKey> {
    typealias Fetch<Value> = (Database, Value) throws -> Row?

    private(set) var rows: [Int64: Row] = [:]
    /// Created since the last flush: to insert.
    private(set) var created: Set<Int64> = []
    /// Rows of the database changed since the last flush: to update.
    private(set) var changed: Set<Int64> = []
    private var byKey: [Key: Int64] = [:]
    /// The key a row is looked up by; nil for a table looked up by id alone.
    private let key: (Row) -> Key?
    /// The kind of the keys in the filter of written keys; nil for a table it does not cover.
    private let filter: WrittenKeys.Kind?
    private let fetchByKey: Fetch<Key>?
    private let fetchById: Fetch<Int64>?

    init(key: @escaping (Row) -> Key?, filter: WrittenKeys.Kind? = nil, fetch: Fetch<Key>?, fetchId: Fetch<Int64>? = nil) {
        self.key = key
        self.filter = filter
        self.fetchByKey = fetch
        self.fetchById = fetchId
    }

    /// A table whose rows are looked up by id alone, or found through other tables' indexes.
    init(fetchId: Fetch<Int64>? = nil) where Key == Never {
        self.init(key: { _ in nil }, fetch: nil, fetchId: fetchId)
    }

    subscript(id: Int64) -> Row? { rows[id] }

    /// The row of `key`: known, else read from `db` and remembered, unless the filter of the keys
    /// a build wrote (`written`) says the ledger never held it.
    mutating func find(_ key: Key, in db: Database, written: WrittenKeys?) throws -> Row? {
        if let id = byKey[key] { return rows[id] }
        if let written, let filter, !written.mayContain(key.filterKey(filter)) { return nil }
        guard let row = try fetchByKey?(db, key) else { return nil }
        return remember(row)
    }

    /// The row of `id`: known, else read from `db` and remembered.
    mutating func find(id: Int64, in db: Database) throws -> Row? {
        if let row = rows[id] { return row }
        guard let row = try fetchById?(db, id) else { return nil }
        return remember(row)
    }

    /// Every row of an owner (a user's partnerIds, a partnerId's assignments), oldest first: those
    /// `index` lists, else those `fetch` reads from the database and those created since the last
    /// flush (not in the database yet), then listed in `index`.
    mutating func all(
        of owner: Int64, _ ownerOf: (Row) -> Int64, index: inout [Int64: [Int64]], fetch: () throws -> [Row]
    ) rethrows -> [Row] {
        if let ids = index[owner] { return ids.compactMap { rows[$0] } }
        let stored = try fetch()
        stored.forEach { remember($0) }
        let ids = stored.map(\.id) + created.sorted().filter { rows[$0].map(ownerOf) == owner }
        index[owner] = ids
        return ids.compactMap { rows[$0] }
    }

    /// The current row of an owner (a user's edge, its active assignment): the one `index` names
    /// (nil inside: none), else the one `fetch` reads from the database, remembered in `index`.
    mutating func current(of owner: Int64, index: inout [Int64: Int64?], fetch: () throws -> Row?) rethrows -> Row? {
        if let known = index[owner] { return known.flatMap { rows[$0] } }
        let found = try fetch().map { remember($0) }
        index[owner] = .some(found?.id)
        return found
    }

    /// Keeps a row read from the database, unless a form of it is known (a pending form wins);
    /// returns the form kept.
    @discardableResult
    mutating func remember(_ row: Row) -> Row {
        if let known = rows[row.id] { return known }
        rows[row.id] = row
        if let key = key(row) { byKey[key] = row.id }
        return row
    }

    /// Keeps a row created (`isNew`) or changed by the rules, to be written at the next flush,
    /// and notes its key in the filter of written keys.
    mutating func save(_ row: Row, isNew: Bool, written: inout WrittenKeys?) {
        rows[row.id] = row
        if let key = key(row) {
            byKey[key] = row.id
            if let filter { written?.insert(key.filterKey(filter)) }
        }
        if isNew {
            created.insert(row.id)
        } else if !created.contains(row.id) {
            changed.insert(row.id)
        }
    }

    /// The pending rows are written: they stay known, as read rows.
    mutating func didFlush() {
        created.removeAll(keepingCapacity: true)
        changed.removeAll(keepingCapacity: true)
    }

    /// Forgets every row, pending ones included.
    mutating func forget() {
        rows = [:]
        created = []
        changed = []
        byKey = [:]
    }
}
