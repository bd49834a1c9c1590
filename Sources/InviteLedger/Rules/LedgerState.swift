import LedgerStore

/// What the rules read and change: the ledger as its database holds it, overlaid with the rows
/// that the steps decided since the last `StateWriter.flush` created or changed, in their latest
/// form. The rules never touch SQL; `StateWriter` writes the overlay once, table by table.
///
/// The same state serves one step (`record`: flushed after each step), a batch of thousands
/// (`ingest`: flushed once per batch, each row written once in its final form) and a replay
/// (`verify`, `rebuild`). Rules check everything a step needs before they change anything, so a
/// rejected step leaves the state as it was; a rule that throws after changing it is a bug that
/// `StepRecorder` turns into an error abandoning the transaction.
///
/// Row ids are handed out here, in the order rows are created, from the database's largest id:
/// the same ids as inserting the rows one by one would give.
final class LedgerState {
    /// The rows of one table created or changed since the last flush, in their latest form.
    struct Pending<Row> {
        var rows: [Int64: Row] = [:]
        /// The ids of the rows created since the last flush (the others are in the database).
        var created: Set<Int64> = []

        mutating func create(_ id: Int64, _ row: Row) {
            rows[id] = row
            created.insert(id)
        }

        var isEmpty: Bool { rows.isEmpty }
    }

    /// A closure path's key, without `validFrom`: the current path of a pair is unique by it.
    struct PathKey: Hashable {
        var ancestorRowId: Int64
        var depth: Int64
        var attributedAt: Int64
        var descendantUserId: Int64
    }

    /// A path opened since the last flush (`validTo` set when it was closed again since).
    struct OpenedPath {
        var key: PathKey
        var descendantRowId: Int64
        var validFrom: Int64
        var validTo: Int64?
    }

    let db: Database
    /// How many changes were made to the state: the recorder checks that a rejected step made none.
    private(set) var changeCount = 0

    // Rows created or changed since the last flush.
    var brokers = Pending<BrokerRecord>()
    var events: [EventRecord] = []
    var users = Pending<UserRecord>()
    var accounts = Pending<AccountRecord>()
    var partners = Pending<PartnerRecord>()
    var holders = Pending<HolderRecord>()
    var assignments = Pending<AssignmentRecord>()
    var links = Pending<LinkRecord>()
    var clicks = Pending<ClickRecord>()
    var signups = Pending<SignupRecord>()
    var attributions = Pending<AttributionRecord>()
    /// Paths opened since the last flush, in the order they were opened.
    var openedPaths: [OpenedPath] = []
    /// Paths of the database closed since the last flush, with their `validTo`.
    var closedPaths: [PathKey: Int64] = [:]

    // Lookups into the rows above, by the keys the rules ask for.
    private var brokerByName: [String: Int64] = [:]
    private var eventByKey: [EventKey: Int] = [:]
    private var userByKey: [IdentifierKey: Int64] = [:]
    private var accountByKey: [IdentifierKey: Int64] = [:]
    private var partnerByRef: [TextKey: Int64] = [:]
    private var partnerByUser: [Int64: Int64] = [:]
    private var holderByPartnerId: [TextKey: Int64] = [:]
    private var holdersByUser: [Int64: [Int64]] = [:]
    private var assignmentsByHolder: [Int64: [Int64]] = [:]
    /// The active assignment of a user (user level) or an account, where a step changed it;
    /// nil inside means "none now".
    private var activeByUser: [Int64: Int64?] = [:]
    private var activeByAccount: [Int64: Int64?] = [:]
    private var linkByKey: [TextKey: Int64] = [:]
    private var clicksByVisitor: [TextKey: [Int64]] = [:]
    private var signupByKey: [TextKey: Int64] = [:]
    /// The current edge of a user, where a step changed it; nil inside means "none now".
    private var edgeByUser: [Int64: Int64?] = [:]
    private var attributedUsers: Set<Int64> = []
    /// Indexes in `openedPaths` of the paths opened below each ancestor.
    private var openedByAncestor: [Int64: [Int]] = [:]
    private var openedByKey: [PathKey: Int] = [:]

    private var nextIds: [String: Int64] = [:]
    private var cachedHead: (seq: Int64, hash: [UInt8])??

    private struct EventKey: Hashable {
        var brokerId: Int64
        var eventId: String
    }

    private struct IdentifierKey: Hashable {
        var brokerId: Int64
        var value: Int64
    }

    private struct TextKey: Hashable {
        var brokerId: Int64
        var value: String
    }

    init(db: Database) {
        self.db = db
    }

    /// True when nothing was decided since the last flush.
    var isEmpty: Bool { events.isEmpty }

    /// Forgets the overlay once `StateWriter` has written it; row ids continue where they were.
    func didFlush() {
        let head = cachedHead
        let ids = nextIds
        self.reset()
        cachedHead = head
        nextIds = ids
    }

    /// Forgets everything, row ids and head included: for a new transaction, in which other
    /// processes may have written.
    func reset() {
        brokers = .init(); events = []; users = .init(); accounts = .init(); partners = .init(); holders = .init()
        assignments = .init(); links = .init(); clicks = .init(); signups = .init(); attributions = .init()
        openedPaths = []; closedPaths = [:]
        brokerByName = [:]; eventByKey = [:]; userByKey = [:]; accountByKey = [:]; partnerByRef = [:]
        partnerByUser = [:]; holderByPartnerId = [:]; holdersByUser = [:]; assignmentsByHolder = [:]
        activeByUser = [:]; activeByAccount = [:]; linkByKey = [:]; clicksByVisitor = [:]; signupByKey = [:]
        edgeByUser = [:]; attributedUsers = []; openedByAncestor = [:]; openedByKey = [:]
        nextIds = [:]; cachedHead = nil
    }

    /// The next row id of a table, handed out: one more than the largest in the database or
    /// handed out before.
    func nextId(_ table: String) throws -> Int64 {
        let id = try peekId(table)
        nextIds[table] = id + 1
        return id
    }

    /// The id `nextId` would hand out, without handing it out.
    func peekId(_ table: String) throws -> Int64 {
        if let next = nextIds[table] { return next }
        let id = (try Int64.fetchOne(db.cachedStatement(sql: "SELECT max(rowid) FROM \"\(table)\"")) ?? 0) + 1
        nextIds[table] = id
        return id
    }

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
        return try EventRecord.fetch(db, brokerId: brokerId, eventId: eventId)
    }

    func append(_ event: EventRecord) {
        changeCount += 1
        eventByKey[EventKey(brokerId: event.brokerId, eventId: event.eventId)] = events.count
        events.append(event)
        cachedHead = .some((event.seq, event.hash))
    }

    // MARK: - Brokers

    func broker(named name: String) throws -> BrokerRecord? {
        if let id = brokerByName[name] { return brokers.rows[id] }
        return try BrokerRecord.fetch(db, brokerCrmName: name)
    }

    func save(_ broker: BrokerRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { brokers.created.insert(broker.id) }
        brokers.rows[broker.id] = broker
        brokerByName[broker.brokerCrmName] = broker.id
    }

    // MARK: - Users and accounts

    func user(brokerId: Int64, userId: Int64) throws -> UserRecord? {
        if let id = userByKey[IdentifierKey(brokerId: brokerId, value: userId)] { return users.rows[id] }
        return try UserRecord.fetch(db, brokerId: brokerId, userId: userId)
    }

    func user(id: Int64) throws -> UserRecord? {
        if let user = users.rows[id] { return user }
        return try UserRecord.fetch(db, id: id)
    }

    func create(_ user: UserRecord) {
        changeCount += 1
        users.create(user.id, user)
        userByKey[IdentifierKey(brokerId: user.brokerId, value: user.userId)] = user.id
    }

    func account(brokerId: Int64, ctidTraderAccountId: Int64) throws -> AccountRecord? {
        if let id = accountByKey[IdentifierKey(brokerId: brokerId, value: ctidTraderAccountId)] {
            return accounts.rows[id]
        }
        return try AccountRecord.fetch(db, brokerId: brokerId, ctidTraderAccountId: ctidTraderAccountId)
    }

    func account(id: Int64) throws -> AccountRecord? {
        if let account = accounts.rows[id] { return account }
        return try AccountRecord.fetch(db, id: id)
    }

    func save(_ account: AccountRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { accounts.created.insert(account.id) }
        accounts.rows[account.id] = account
        accountByKey[IdentifierKey(brokerId: account.brokerId, value: account.ctidTraderAccountId)] = account.id
    }

    // MARK: - Partners, partnerIds and their assignments

    func partner(brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord? {
        if let id = partnerByRef[TextKey(brokerId: brokerId, value: crmPartnerRef)] { return partners.rows[id] }
        return try PartnerRecord.fetch(db, brokerId: brokerId, crmPartnerRef: crmPartnerRef)
    }

    func partner(userRowId: Int64) throws -> PartnerRecord? {
        if let id = partnerByUser[userRowId] { return partners.rows[id] }
        return try PartnerRecord.fetch(db, userRowId: userRowId)
    }

    func save(_ partner: PartnerRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { partners.created.insert(partner.id) }
        partners.rows[partner.id] = partner
        partnerByRef[TextKey(brokerId: partner.brokerId, value: partner.crmPartnerRef)] = partner.id
        if let userRowId = partner.userRowId { partnerByUser[userRowId] = partner.id }
    }

    func holder(brokerId: Int64, partnerId: String) throws -> HolderRecord? {
        if let id = holderByPartnerId[TextKey(brokerId: brokerId, value: partnerId)] { return holders.rows[id] }
        return try HolderRecord.fetch(db, brokerId: brokerId, partnerId: partnerId)
    }

    func holder(id: Int64) throws -> HolderRecord? {
        if let holder = holders.rows[id] { return holder }
        return try HolderRecord.fetch(db, id: id)
    }

    /// Every partnerId a user holds or held, oldest first.
    func holders(userRowId: Int64) throws -> [HolderRecord] {
        let created = (holdersByUser[userRowId] ?? []).compactMap { holders.rows[$0] }
        return try HolderRecord.fetchAll(db, userRowId: userRowId) + created
    }

    func create(_ holder: HolderRecord) {
        changeCount += 1
        holders.create(holder.id, holder)
        holderByPartnerId[TextKey(brokerId: holder.brokerId, value: holder.partnerId)] = holder.id
        holdersByUser[holder.userRowId, default: []].append(holder.id)
    }

    /// The active user-level assignment of a user.
    func activeAssignment(userRowId: Int64) throws -> AssignmentRecord? {
        if let known = activeByUser[userRowId] { return known.flatMap { assignments.rows[$0] } }
        return try AssignmentRecord.fetchActive(db, userRowId: userRowId)
    }

    /// The active assignment of a trading account.
    func activeAssignment(accountRowId: Int64) throws -> AssignmentRecord? {
        if let known = activeByAccount[accountRowId] { return known.flatMap { assignments.rows[$0] } }
        return try AssignmentRecord.fetchActive(db, accountRowId: accountRowId)
    }

    /// The assignment of a holder in force at `at` (validFrom <= at < validTo), the latest first.
    func coveringAssignment(holderRowId: Int64, at: Int64) throws -> AssignmentRecord? {
        guard assignmentsByHolder[holderRowId] != nil else {
            return try AssignmentRecord.fetchCovering(db, holderRowId: holderRowId, at: at)
        }
        return try assignments(holderRowId: holderRowId)
            .filter { $0.validFrom <= at && ($0.validTo.map { $0 > at } ?? true) }
            .max { ($0.validFrom, $0.id) < ($1.validFrom, $1.id) }
    }

    /// Every assignment of a holder, in their latest form.
    private func assignments(holderRowId: Int64) throws -> [AssignmentRecord] {
        let stored = try AssignmentRecord.fetchAll(db, holderRowId: holderRowId).map { assignments.rows[$0.id] ?? $0 }
        let created = (assignmentsByHolder[holderRowId] ?? []).filter { assignments.created.contains($0) }
        return stored + created.compactMap { assignments.rows[$0] }
    }

    func save(_ assignment: AssignmentRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { assignments.created.insert(assignment.id) }
        assignments.rows[assignment.id] = assignment
        if !(assignmentsByHolder[assignment.holderRowId]?.contains(assignment.id) ?? false) {
            assignmentsByHolder[assignment.holderRowId, default: []].append(assignment.id)
        }
        if let accountRowId = assignment.accountRowId {
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
        if let id = linkByKey[TextKey(brokerId: brokerId, value: linkId)] { return links.rows[id] }
        return try LinkRecord.fetch(db, brokerId: brokerId, linkId: linkId)
    }

    func link(id: Int64) throws -> LinkRecord? {
        if let link = links.rows[id] { return link }
        return try LinkRecord.fetch(db, id: id)
    }

    func create(_ link: LinkRecord) {
        changeCount += 1
        links.create(link.id, link)
        linkByKey[TextKey(brokerId: link.brokerId, value: link.linkId)] = link.id
    }

    func click(id: Int64) throws -> ClickRecord? {
        if let click = clicks.rows[id] { return click }
        return try ClickRecord.fetch(db, id: id)
    }

    /// The visitor's last click on a partnerId at or before `at`.
    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) throws -> ClickRecord? {
        let stored = try ClickRecord.fetchLast(db, brokerId: brokerId, visitorId: visitorId, partnerId: partnerId, notAfter: at)
        let created = (clicksByVisitor[TextKey(brokerId: brokerId, value: visitorId)] ?? [])
            .compactMap { clicks.rows[$0] }
            .filter { $0.partnerId == partnerId && $0.clickedAt <= at }
        return ([stored].compactMap { $0 } + created).max { ($0.clickedAt, $0.id) < ($1.clickedAt, $1.id) }
    }

    func create(_ click: ClickRecord) {
        changeCount += 1
        clicks.create(click.id, click)
        if let visitorId = click.visitorId {
            clicksByVisitor[TextKey(brokerId: click.brokerId, value: visitorId), default: []].append(click.id)
        }
    }

    func signup(brokerId: Int64, signupId: String) throws -> SignupRecord? {
        if let id = signupByKey[TextKey(brokerId: brokerId, value: signupId)] { return signups.rows[id] }
        return try SignupRecord.fetch(db, brokerId: brokerId, signupId: signupId)
    }

    func save(_ signup: SignupRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { signups.created.insert(signup.id) }
        signups.rows[signup.id] = signup
        signupByKey[TextKey(brokerId: signup.brokerId, value: signup.signupId)] = signup.id
    }

    // MARK: - Attributions and the closure table

    /// The user's current edge: accepted and not ended.
    func currentEdge(userRowId: Int64) throws -> AttributionRecord? {
        if let known = edgeByUser[userRowId] { return known.flatMap { attributions.rows[$0] } }
        return try AttributionRecord.fetchCurrent(db, userRowId: userRowId)
    }

    /// True when the user was ever attributed (an edge, current or ended).
    func hasEverBeenAttributed(userRowId: Int64) throws -> Bool {
        try attributedUsers.contains(userRowId) || AttributionRecord.hasEverBeenAttributed(db, userRowId: userRowId)
    }

    func save(_ attribution: AttributionRecord, isNew: Bool = false) {
        changeCount += 1
        if isNew { attributions.created.insert(attribution.id) }
        attributions.rows[attribution.id] = attribution
        guard attribution.outcome.isEdge else { return }
        attributedUsers.insert(attribution.userRowId)
        Self.track(attribution.id, isCurrent: attribution.validTo == nil, of: attribution.userRowId, in: &edgeByUser)
    }

    /// Every current descendant of a node, with depths relative to it.
    func currentDescendants(of ancestorRowId: Int64) throws -> [LineageTable.Descendant] {
        var descendants = try LineageTable.currentDescendants(db, of: ancestorRowId).filter { member in
            closedPaths[PathKey(ancestorRowId: ancestorRowId, depth: member.depth, attributedAt: member.attributedAt,
                                descendantUserId: member.userId)] == nil
        }
        for index in openedByAncestor[ancestorRowId] ?? [] where openedPaths[index].validTo == nil {
            let path = openedPaths[index]
            descendants.append(LineageTable.Descendant(
                depth: path.key.depth, attributedAt: path.key.attributedAt, userId: path.key.descendantUserId,
                rowId: path.descendantRowId))
        }
        return descendants
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
