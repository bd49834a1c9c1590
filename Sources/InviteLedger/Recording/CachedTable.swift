import LedgerStore

/// A ledger row with an integer primary key.
protocol KeyedRow {
    var id: Int64 { get }
}

extension BrokerRecord: KeyedRow {}
extension UserRecord: KeyedRow {}
extension AccountRecord: KeyedRow {}
extension PartnerRecord: KeyedRow {}
extension HolderRecord: KeyedRow {}
extension AssignmentRecord: KeyedRow {}
extension LinkRecord: KeyedRow {}
extension ClickRecord: KeyedRow {}
extension SignupRecord: KeyedRow {}
extension AttributionRecord: KeyedRow {}

/// The rows of one table a `LedgerState` knows, in their latest form, which of them are still to
/// be written, and an index by the key the rules look rows up by, declared once with the table:
/// every lookup is `find`, which answers from what is known or reads the database once and
/// remembers what it read.
///
///     var users = CachedTable<UserRecord, UserKey> { UserKey(brokerId: $0.brokerId, userId: $0.userId) }
///     let user = try users.find(key) { try UserRecord.fetch(db, brokerId: ..., userId: ...) }
struct CachedTable<Row: KeyedRow, Key: Hashable> {
    private(set) var rows: [Int64: Row] = [:]
    /// Created since the last flush: to insert.
    private(set) var created: Set<Int64> = []
    /// Rows of the database changed since the last flush: to update.
    private(set) var changed: Set<Int64> = []
    private var byKey: [Key: Int64] = [:]
    /// The key a row is looked up by; nil for a table looked up by id alone.
    private let key: (Row) -> Key?

    init(key: @escaping (Row) -> Key?) {
        self.key = key
    }

    subscript(id: Int64) -> Row? { rows[id] }

    /// The row of `key`: known, else read by `fetch` and remembered.
    mutating func find(_ key: Key, fetch: () throws -> Row?) rethrows -> Row? {
        if let id = byKey[key] { return rows[id] }
        guard let row = try fetch() else { return nil }
        return remember(row)
    }

    /// The row of `id`: known, else read by `fetch` and remembered.
    mutating func find(id: Int64, fetch: () throws -> Row?) rethrows -> Row? {
        if let row = rows[id] { return row }
        guard let row = try fetch() else { return nil }
        return remember(row)
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

    /// Keeps a row created (`isNew`) or changed by the rules, to be written at the next flush.
    mutating func save(_ row: Row, isNew: Bool) {
        rows[row.id] = row
        if let key = key(row) { byKey[key] = row.id }
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
