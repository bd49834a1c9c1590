import LedgerStore

/// The rules' state (`RuleState`) on SQLite: the ledger as its database holds it, overlaid with the rows
/// that the steps decided since the last `StateWriter.flush` created or changed, in their latest
/// form. The rules never touch SQL; `StateWriter` writes the pending rows once, table by table.
///
/// The same state serves one step (`record`: flushed after each step), batches of thousands
/// (`ingest`: flushed once per batch, each row written once in its final form) and a replay
/// (`verify`, `rebuild`). Rules check everything a step needs before they change anything, so a
/// rejected step leaves the state as it was; a rule that throws after changing it is a bug that
/// `StepRecorder` turns into an error abandoning the transaction.
///
/// Rows read from the database or written by this state are kept, so the partners, partnerIds and
/// edges that many steps touch are read once (each table a `CachedTable`). They stay valid while
/// no other connection writes: `beginTransaction()` asks `StateFreshness` and forgets them when
/// the database changed behind it, and they are forgotten anyway past `cacheLimit` rows, so memory
/// stays flat. Row ids come from `RowIds`.
final class LedgerState: RuleState {
    /// A path opened since the last flush (`validTo` set when it was closed again since).
    struct OpenedPath {
        var key: PathKey
        var descendantRowId: Int64
        var validFrom: Int64
        var validTo: Int64?
    }

    let db: Database
    /// Kept rows beyond which they are forgotten after a flush.
    var cacheLimit = 200_000
    /// How many changes were made to the state: the recorder checks that a rejected step made none.
    private(set) var changeCount = 0

    // Every table the rules read, with the key its rows are looked up by.
    var brokers = CachedTable<BrokerRecord, String>(
        key: { $0.brokerCrmName }, fetch: { try BrokerRecord.fetch($0, brokerCrmName: $1) })
    /// Events appended since the last flush.
    var events: [EventRecord] = []
    var users = CachedTable<UserRecord, IdentifierKey>(
        key: { IdentifierKey(brokerId: $0.brokerId, value: $0.userId) }, filter: .user,
        fetch: { try UserRecord.fetch($0, brokerId: $1.brokerId, userId: $1.value) }, fetchId: UserRecord.fetch(_:id:))
    var accounts = CachedTable<AccountRecord, IdentifierKey>(
        key: { IdentifierKey(brokerId: $0.brokerId, value: $0.ctidTraderAccountId) }, filter: .account,
        fetch: { try AccountRecord.fetch($0, brokerId: $1.brokerId, ctidTraderAccountId: $1.value) },
        fetchId: AccountRecord.fetch(_:id:))
    var partners = CachedTable<PartnerRecord, TextKey>(
        key: { TextKey(brokerId: $0.brokerId, value: $0.crmPartnerRef) }, filter: .partner,
        fetch: { try PartnerRecord.fetch($0, brokerId: $1.brokerId, crmPartnerRef: $1.value) })
    var holders = CachedTable<HolderRecord, TextKey>(
        key: { TextKey(brokerId: $0.brokerId, value: $0.partnerId) }, filter: .holder,
        fetch: { try HolderRecord.fetch($0, brokerId: $1.brokerId, partnerId: $1.value) }, fetchId: HolderRecord.fetch(_:id:))
    var assignments = CachedTable<AssignmentRecord, Never>()
    var links = CachedTable<LinkRecord, TextKey>(
        key: { TextKey(brokerId: $0.brokerId, value: $0.linkId) }, filter: .link,
        fetch: { try LinkRecord.fetch($0, brokerId: $1.brokerId, linkId: $1.value) }, fetchId: LinkRecord.fetch(_:id:))
    var clicks = CachedTable<ClickRecord, Never>(fetchId: ClickRecord.fetch(_:id:))
    var signups = CachedTable<SignupRecord, TextKey>(
        key: { TextKey(brokerId: $0.brokerId, value: $0.signupId) }, filter: .signup,
        fetch: { try SignupRecord.fetch($0, brokerId: $1.brokerId, signupId: $1.value) })
    var attributions = CachedTable<AttributionRecord, Never>()
    /// Paths opened since the last flush, in the order they were opened.
    var openedPaths: [OpenedPath] = []
    /// Paths of the database closed since the last flush, with their `validTo`.
    var closedPaths: [PathKey: Int64] = [:]

    // Lookups beyond each table's own key.
    private var eventByKey: [EventKey: Int] = [:]
    /// Users this state created since it last forgot: every row about them (partner, holders,
    /// assignments, edges) was saved through this state, so the database need not be asked.
    private var createdUsers: Set<Int64> = []
    private var partnerByUser: [Int64: Int64] = [:]
    private var holdersByUser: [Int64: [Int64]] = [:]
    /// Every assignment of a holder, once read.
    private var assignmentsByHolder: [Int64: [Int64]] = [:]
    /// The active assignment of a user (user level) or an account, once known; nil inside means none.
    private var activeByUser: [Int64: Int64?] = [:]
    private var activeByAccount: [Int64: Int64?] = [:]
    private var clicksByVisitor: [TextKey: [Int64]] = [:]
    /// The current edge of a user, once known; nil inside means none.
    private var edgeByUser: [Int64: Int64?] = [:]
    private var attributedUsers: Set<Int64> = []
    /// When each user's partner last changed, as the database holds it (nil inside: never), and
    /// as decisions not yet written changed it.
    private var placeChangeByUser: [Int64: Int64?] = [:]
    private var pendingPlaceChange: [Int64: Int64] = [:]
    /// Indexes in `openedPaths` of the paths opened below each ancestor.
    private var openedByAncestor: [Int64: [Int]] = [:]
    private var openedByKey: [PathKey: Int] = [:]

    private var ids = RowIds()
    private var freshness = StateFreshness()
    private var cachedHead: (seq: Int64, hash: [UInt8])??
    /// The keys of every row this state wrote, when it writes a ledger that held nothing else
    /// (`buildsAlone()`); nil otherwise, or once another connection wrote to it.
    private var writtenKeys: WrittenKeys?
    /// The newest event this state wrote: while it is the database's, the file holds only what
    /// the state wrote.
    private var writtenThroughSeq: Int64?

    private struct EventKey: Hashable {
        var brokerId: Int64
        var eventId: String
    }

    struct IdentifierKey: CacheKey {
        var brokerId: Int64
        var value: Int64

        func filterKey(_ kind: WrittenKeys.Kind) -> UInt64 { WrittenKeys.key(kind, brokerId, value) }
    }

    struct TextKey: CacheKey {
        var brokerId: Int64
        var value: String

        func filterKey(_ kind: WrittenKeys.Kind) -> UInt64 { WrittenKeys.key(kind, brokerId, value) }
    }

    init(db: Database) {
        self.db = db
    }

    /// Call at the start of each transaction: keeps what this state knows when no other connection
    /// committed since its last transaction, forgets it otherwise.
    func beginTransaction() throws {
        if try freshness.isStale(db) {
            forget()
            if writtenKeys != nil, try EventRecord.head(db)?.seq != writtenThroughSeq {
                writtenKeys = nil
            }
        }
    }

    /// Declares that this state writes a ledger holding no rows yet, which no other connection
    /// writes to (a first load, a replay into a new file): a row it did not write is then known
    /// absent without searching the file for it (`WrittenKeys`). Another connection's write is
    /// noticed and ends it. Does nothing when the ledger holds rows.
    ///
    /// - Returns: true when it did (the ledger holds no rows).
    @discardableResult
    func buildsAlone() throws -> Bool {
        guard try LedgerSchema.holdsNoRows(db) else { return false }
        writtenKeys = WrittenKeys()
        writtenThroughSeq = nil
        return true
    }

    /// Declares that this state goes on writing a ledger a bulk build made (`LedgerBuild`), which
    /// no other connection writes to: `written` holds the keys of every row of the file
    /// (`BuildState.writtenKeys()`), and a row it does not hold is known absent, as after
    /// `buildsAlone()`.
    func continuesBuild(_ written: WrittenKeys) throws {
        writtenKeys = written
        writtenThroughSeq = try EventRecord.head(db)?.seq
    }

    /// False when the state wrote every row of the ledger and none with this key: the database
    /// need not be asked.
    private func mayExist(_ key: @autoclosure () -> UInt64) -> Bool {
        writtenKeys?.mayContain(key()) ?? true
    }

    private func wrote(_ key: @autoclosure () -> UInt64) {
        writtenKeys?.insert(key())
    }

    /// Called by `StateWriter` once the pending rows are written: they stay known, as read rows.
    func didFlush() {
        freshness.didFlush(db)
        if let seq = cachedHead??.seq { writtenThroughSeq = seq }
        brokers.didFlush(); users.didFlush(); accounts.didFlush(); partners.didFlush(); holders.didFlush()
        assignments.didFlush(); links.didFlush(); clicks.didFlush(); signups.didFlush(); attributions.didFlush()
        events.removeAll(keepingCapacity: true)
        eventByKey.removeAll(keepingCapacity: true)
        // The pending changes are written now: a user whose stored time is not known is read again.
        for (userRowId, time) in pendingPlaceChange {
            if let known = placeChangeByUser[userRowId] {
                placeChangeByUser[userRowId] = .some(max(known ?? .min, time))
            } else if createdUsers.contains(userRowId) {
                placeChangeByUser[userRowId] = .some(time)
            }
        }
        pendingPlaceChange.removeAll(keepingCapacity: true)
        openedPaths.removeAll(keepingCapacity: true)
        openedByAncestor.removeAll()
        openedByKey.removeAll()
        closedPaths.removeAll()
        let kept = users.rows.count + accounts.rows.count + partners.rows.count + holders.rows.count
            + assignments.rows.count + links.rows.count + clicks.rows.count + signups.rows.count
            + attributions.rows.count
        if kept > cacheLimit {
            let head = cachedHead
            let ids = self.ids
            forget()
            cachedHead = head
            self.ids = ids
        }
    }

    /// Runs `body` in a `BEGIN IMMEDIATE` transaction of the state's connection, keeping what the
    /// state knows when no other connection wrote since its last transaction; when the transaction
    /// is rolled back (`body` throws or returns `.rollback`), the state forgets everything.
    func inTransaction(_ body: () throws -> Database.TransactionCompletion) throws {
        var completion = Database.TransactionCompletion.rollback
        do {
            try db.inTransaction(.immediate) {
                try beginTransaction()
                completion = try body()
                return completion
            }
        } catch {
            discard()
            throw error
        }
        if completion == .rollback {
            discard()
        }
    }

    /// Forgets everything, pending rows included: after a transaction was rolled back, what this
    /// state knows may be what was undone.
    func discard() {
        forget()
        freshness.invalidate()
    }

    /// Forgets everything known, row ids and head included.
    private func forget() {
        brokers.forget(); users.forget(); accounts.forget(); partners.forget(); holders.forget()
        assignments.forget(); links.forget(); clicks.forget(); signups.forget(); attributions.forget()
        events = []; openedPaths = []; closedPaths = [:]
        eventByKey = [:]; createdUsers = []; partnerByUser = [:]; holdersByUser = [:]
        assignmentsByHolder = [:]; activeByUser = [:]; activeByAccount = [:]
        clicksByVisitor = [:]; edgeByUser = [:]; attributedUsers = []
        placeChangeByUser = [:]; pendingPlaceChange = [:]
        openedByAncestor = [:]; openedByKey = [:]
        ids.forget(); cachedHead = nil
    }

    /// The next row id of a table, handed out (`RowIds`).
    func nextId(_ table: String) throws -> Int64 { try ids.take(table, in: db) }

    /// The id `nextId` would hand out, without handing it out.
    func peekId(_ table: String) throws -> Int64 { try ids.peek(table, in: db) }

    // MARK: - The log

    /// The newest event: the head of the chain.
    func head() throws -> (seq: Int64, hash: [UInt8])? {
        if let cachedHead { return cachedHead }
        let head = try EventRecord.head(db)
        cachedHead = .some(head)
        return head
    }

    func event(brokerId: Int64, eventId: String) throws -> EventRecord? {
        if let index = eventByKey[EventKey(brokerId: brokerId, eventId: eventId)] { return events[index] }
        guard mayExist(WrittenKeys.key(.event, brokerId, eventId)) else { return nil }
        return try EventRecord.fetch(db, brokerId: brokerId, eventId: eventId)
    }

    func append(_ event: EventRecord) {
        changeCount += 1
        eventByKey[EventKey(brokerId: event.brokerId, eventId: event.eventId)] = events.count
        wrote(WrittenKeys.key(.event, event.brokerId, event.eventId))
        events.append(event)
        cachedHead = .some((event.seq, event.hash))
    }

    // MARK: - Brokers

    func broker(named name: String) throws -> BrokerRecord? {
        try brokers.find(name, in: db, written: writtenKeys)
    }

    func savedBroker(id: Int64) -> BrokerRecord? { brokers[id] }

    /// The names of every broker, stored or pending, sorted.
    func brokerNames() throws -> [String] {
        Set(try BrokerRecord.fetchAll(db).map(\.brokerCrmName) + brokers.rows.values.map(\.brokerCrmName)).sorted()
    }

    func save(_ broker: BrokerRecord, isNew: Bool) {
        save(broker, isNew: isNew, in: &brokers)
    }

    /// Keeps a row the rules created or changed, to be written at the next flush.
    private func save<Row, Key>(_ row: Row, isNew: Bool, in table: inout CachedTable<Row, Key>) {
        changeCount += 1
        table.save(row, isNew: isNew, written: &writtenKeys)
    }

    // MARK: - Users and accounts

    func user(brokerId: Int64, userId: Int64) throws -> UserRecord? {
        try users.find(IdentifierKey(brokerId: brokerId, value: userId), in: db, written: writtenKeys)
    }

    func user(id: Int64) throws -> UserRecord? { try users.find(id: id, in: db) }

    func create(_ user: UserRecord) {
        save(user, isNew: true, in: &users)
        createdUsers.insert(user.id)
        holdersByUser[user.id] = []
    }

    func account(brokerId: Int64, ctidTraderAccountId: Int64) throws -> AccountRecord? {
        try accounts.find(IdentifierKey(brokerId: brokerId, value: ctidTraderAccountId), in: db, written: writtenKeys)
    }

    func account(id: Int64) throws -> AccountRecord? { try accounts.find(id: id, in: db) }

    func save(_ account: AccountRecord, isNew: Bool) {
        save(account, isNew: isNew, in: &accounts)
    }

    // MARK: - Partners, partnerIds and their assignments

    func partner(brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord? {
        try indexed(partners.find(TextKey(brokerId: brokerId, value: crmPartnerRef), in: db, written: writtenKeys))
    }

    func partner(userRowId: Int64) throws -> PartnerRecord? {
        if let id = partnerByUser[userRowId] { return partners[id] }
        if createdUsers.contains(userRowId) { return nil }
        guard let stored = try PartnerRecord.fetch(db, userRowId: userRowId) else { return nil }
        return indexed(partners.remember(stored))
    }

    /// A partner, indexed by its user too (the rules ask "is this user a partner?").
    private func indexed(_ partner: PartnerRecord?) -> PartnerRecord? {
        if let partner, let userRowId = partner.userRowId { partnerByUser[userRowId] = partner.id }
        return partner
    }

    func save(_ partner: PartnerRecord, isNew: Bool) {
        save(partner, isNew: isNew, in: &partners)
        _ = indexed(partner)
    }

    func holder(brokerId: Int64, partnerId: String) throws -> HolderRecord? {
        try holders.find(TextKey(brokerId: brokerId, value: partnerId), in: db, written: writtenKeys)
    }

    func holder(id: Int64) throws -> HolderRecord? { try holders.find(id: id, in: db) }

    /// Every partnerId a user holds or held, oldest first.
    func holders(userRowId: Int64) throws -> [HolderRecord] {
        try holders.all(of: userRowId, \.userRowId, index: &holdersByUser) {
            try HolderRecord.fetchAll(db, userRowId: userRowId)
        }
    }

    func create(_ holder: HolderRecord) {
        save(holder, isNew: true, in: &holders)
        holdersByUser[holder.userRowId]?.append(holder.id)
        assignmentsByHolder[holder.id] = []
    }

    /// The active user-level assignment of a user.
    func activeAssignment(userRowId: Int64) throws -> AssignmentRecord? {
        try assignments.current(of: userRowId, index: &activeByUser) {
            try createdUsers.contains(userRowId) ? nil : AssignmentRecord.fetchActive(db, userRowId: userRowId)
        }
    }

    /// The active assignment of a trading account.
    func activeAssignment(accountRowId: Int64) throws -> AssignmentRecord? {
        try assignments.current(of: accountRowId, index: &activeByAccount) {
            try mayExist(WrittenKeys.key(.accountAssignment, 0, accountRowId))
                ? AssignmentRecord.fetchActive(db, accountRowId: accountRowId) : nil
        }
    }

    /// Every assignment of a holder, in their latest form.
    func assignments(holderRowId: Int64) throws -> [AssignmentRecord] {
        try assignments.all(of: holderRowId, \.holderRowId, index: &assignmentsByHolder) {
            try AssignmentRecord.fetchAll(db, holderRowId: holderRowId)
        }
    }

    func save(_ assignment: AssignmentRecord, isNew: Bool) {
        save(assignment, isNew: isNew, in: &assignments)
        if isNew {
            assignmentsByHolder[assignment.holderRowId]?.append(assignment.id)
        }
        if let accountRowId = assignment.accountRowId {
            wrote(WrittenKeys.key(.accountAssignment, 0, accountRowId))
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: accountRowId, in: &activeByAccount)
        } else {
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: assignment.userRowId, in: &activeByUser)
        }
    }

    /// Keeps "the current row of an owner" up to date as a row is saved: a current row becomes
    /// it; an ended row that was it (or that the database held, not yet looked at here) leaves none.
    private static func track(_ id: Int64, isCurrent: Bool, of owner: Int64, in current: inout [Int64: Int64?]) {
        if isCurrent {
            current[owner] = .some(id)
        } else if let known = current[owner], known != id {
            return
        } else {
            current[owner] = .some(nil)
        }
    }

    // MARK: - Links, clicks and signups

    func link(brokerId: Int64, linkId: String) throws -> LinkRecord? {
        try links.find(TextKey(brokerId: brokerId, value: linkId), in: db, written: writtenKeys)
    }

    func link(id: Int64) throws -> LinkRecord? { try links.find(id: id, in: db) }

    func create(_ link: LinkRecord) {
        save(link, isNew: true, in: &links)
    }

    func click(id: Int64) throws -> ClickRecord? { try clicks.find(id: id, in: db) }

    /// The visitor's last click on a partnerId at or before `at`.
    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) throws -> ClickRecord? {
        let stored = try mayExist(WrittenKeys.key(.visitorClick, brokerId, visitorId, partnerId))
            ? ClickRecord.fetchLast(db, brokerId: brokerId, visitorId: visitorId, partnerId: partnerId, notAfter: at) : nil
        let created = (clicksByVisitor[TextKey(brokerId: brokerId, value: visitorId)] ?? [])
            .compactMap { clicks[$0] }
            .filter { $0.partnerId == partnerId && $0.clickedAt <= at }
        return ([stored].compactMap { $0 } + created).max { ($0.clickedAt, $0.id) < ($1.clickedAt, $1.id) }
    }

    func create(_ click: ClickRecord) {
        save(click, isNew: true, in: &clicks)
        if let visitorId = click.visitorId {
            wrote(WrittenKeys.key(.visitorClick, click.brokerId, visitorId, click.partnerId))
            clicksByVisitor[TextKey(brokerId: click.brokerId, value: visitorId), default: []].append(click.id)
        }
    }

    func signup(brokerId: Int64, signupId: String) throws -> SignupRecord? {
        try signups.find(TextKey(brokerId: brokerId, value: signupId), in: db, written: writtenKeys)
    }

    func save(_ signup: SignupRecord, isNew: Bool) {
        save(signup, isNew: isNew, in: &signups)
    }

    // MARK: - Attributions and the closure table

    /// The user's current edge: accepted and not ended.
    func currentEdge(userRowId: Int64) throws -> AttributionRecord? {
        try attributions.current(of: userRowId, index: &edgeByUser) {
            try createdUsers.contains(userRowId) ? nil : AttributionRecord.fetchCurrent(db, userRowId: userRowId)
        }
    }

    /// True when the user was ever attributed (an edge, current or ended).
    func hasEverBeenAttributed(userRowId: Int64) throws -> Bool {
        if attributedUsers.contains(userRowId) { return true }
        if createdUsers.contains(userRowId) { return false }
        return try AttributionRecord.hasEverBeenAttributed(db, userRowId: userRowId)
    }

    func save(_ attribution: AttributionRecord, isNew: Bool) {
        save(attribution, isNew: isNew, in: &attributions)
        if let time = attribution.placeChange {
            pendingPlaceChange[attribution.userRowId] = max(pendingPlaceChange[attribution.userRowId] ?? .min, time)
        }
        guard attribution.outcome.isEdge else { return }
        attributedUsers.insert(attribution.userRowId)
        Self.track(attribution.id, isCurrent: attribution.validTo == nil, of: attribution.userRowId, in: &edgeByUser)
    }

    /// When the user's partner last changed (its latest attribution, reassignment or detachment),
    /// pending decisions included; nil when it never had one.
    func lastPlaceChange(userRowId: Int64) throws -> Int64? {
        let stored: Int64?
        if let known = placeChangeByUser[userRowId] {
            stored = known
        } else {
            stored = createdUsers.contains(userRowId)
                ? nil : try AttributionRecord.lastPlaceChange(db, userRowId: userRowId)
            placeChangeByUser[userRowId] = .some(stored)
        }
        guard let pending = pendingPlaceChange[userRowId] else { return stored }
        return max(stored ?? .min, pending)
    }

    /// When the downline of a node last changed (a path from it opened or closed), pending
    /// changes included; nil when it never had one.
    func lastDownlineChange(of ancestorRowId: Int64) throws -> Int64? {
        var latest = users.created.contains(ancestorRowId) ? nil : try LineageTable.lastChange(db, of: ancestorRowId)
        for index in openedByAncestor[ancestorRowId] ?? [] {
            let path = openedPaths[index]
            latest = max(latest ?? .min, path.validFrom, path.validTo ?? .min)
        }
        for (key, validTo) in closedPaths where key.ancestorRowId == ancestorRowId {
            latest = max(latest ?? .min, validTo)
        }
        return latest
    }

    /// True when a path with this key began at `validFrom`, open or closed, stored or pending.
    func pathExists(_ key: PathKey, validFrom: Int64) throws -> Bool {
        if openedPaths.contains(where: { $0.key == key && $0.validFrom == validFrom }) { return true }
        return try LineageTable.exists(
            db, ancestorRowId: key.ancestorRowId, depth: key.depth, attributedAt: key.attributedAt,
            descendantUserId: key.descendantUserId, validFrom: validFrom)
    }

    /// Every current descendant of a node, with depths relative to it, in the closure table's
    /// order (depth, attribution time, userId).
    func currentDescendants(of ancestorRowId: Int64) throws -> [LineageTable.Descendant] {
        var descendants: [LineageTable.Descendant] = []
        // A user created since the last flush has no row in the database, so no path below it there.
        if !users.created.contains(ancestorRowId) {
            descendants = try LineageTable.currentDescendants(db, of: ancestorRowId).filter { member in
                closedPaths[PathKey(ancestorRowId: ancestorRowId, depth: member.depth, attributedAt: member.attributedAt,
                                    descendantUserId: member.userId)] == nil
            }
        }
        for index in openedByAncestor[ancestorRowId] ?? [] where openedPaths[index].validTo == nil {
            let path = openedPaths[index]
            descendants.append(LineageTable.Descendant(
                depth: path.key.depth, attributedAt: path.key.attributedAt, userId: path.key.descendantUserId,
                rowId: path.descendantRowId, validFrom: path.validFrom))
        }
        return descendants.inTreeOrder()
    }

    /// True when the node has a current direct referral.
    func hasCurrentReferrals(_ rowId: Int64) throws -> Bool {
        for index in openedByAncestor[rowId] ?? [] where openedPaths[index].key.depth == 1 {
            if openedPaths[index].validTo == nil { return true }
        }
        if users.created.contains(rowId) { return false }
        return try LineageTable.currentDescendants(db, of: rowId, maximumDepth: 1).contains { member in
            closedPaths[PathKey(ancestorRowId: rowId, depth: 1, attributedAt: member.attributedAt,
                                descendantUserId: member.userId)] == nil
        }
    }

    func openPath(_ key: PathKey, descendantRowId: Int64, validFrom: Int64) {
        changeCount += 1
        openedByKey[key] = openedPaths.count
        openedByAncestor[key.ancestorRowId, default: []].append(openedPaths.count)
        openedPaths.append(OpenedPath(key: key, descendantRowId: descendantRowId, validFrom: validFrom))
    }

    /// Closes the current path of a key, opened in this overlay or stored.
    func closePath(_ key: PathKey, validTo: Int64) {
        changeCount += 1
        if let index = openedByKey[key], openedPaths[index].validTo == nil {
            openedPaths[index].validTo = validTo
        } else {
            closedPaths[key] = validTo
        }
    }
}
