import LedgerStore

/// The rules' state while a new ledger file is built from a log (`LedgerBuild`): every row held
/// in memory, looked up through hash indexes, and nothing read back from the file. The events
/// alone leave memory as they come (`takeEvents()`), for the file's event table; the other
/// tables stay in memory to the end, when each is written once, in key order, in its final form.
///
/// It answers as `MemoryState` and `LedgerState` do (the model test records the same histories
/// through all three), at the cost of holding every row but the events: see Performance.md for
/// its bytes per user.
///
/// The one question it cannot answer from memory is whether an eventId was recorded before: the
/// keys of the events written are kept in a Bloom filter (`WrittenKeys`), and only a key the
/// filter may hold (a duplicate in the log, or about one key in a hundred) is looked up in the
/// file, through `storedEvent`.
final class BuildState: RuleState {
    /// Looks up an event already written to the file, by broker and eventId.
    typealias StoredEvent = (_ brokerId: Int64, _ eventId: String) throws -> EventRecord?

    private(set) var changeCount = 0
    private let storedEvent: StoredEvent

    // Every table but the events, by row id.
    private(set) var brokers = RowsById<BrokerRecord>()
    private(set) var users = RowsById<UserRecord>()
    private(set) var accounts = RowsById<AccountRecord>()
    private(set) var partners = RowsById<PartnerRecord>()
    private(set) var holders = RowsById<HolderRecord>()
    private(set) var assignments = RowsById<AssignmentRecord>()
    private(set) var links = RowsById<LinkRecord>()
    private(set) var clicks = RowsById<ClickRecord>()
    private(set) var signups = RowsById<SignupRecord>()
    private(set) var attributions = RowsById<AttributionRecord>()
    /// Every closure path, open or closed, in the order opened.
    private(set) var paths: [LineageTable.Path] = []

    /// Events appended since the last `takeEvents()`.
    private var events: [EventRecord] = []
    private var pendingEvents: [EventKey: Int] = [:]
    private var writtenEvents = WrittenKeys()
    /// The newest event, the head of the chain.
    private(set) var lastEvent: EventRecord?
    private var ids = MemoryRowIds()

    // The indexes the rules look rows up by.
    private var brokerByName: [String: Int64] = [:]
    private var userByKey: [IdentifierKey: Int64] = [:]
    private var accountByKey: [IdentifierKey: Int64] = [:]
    private var partnerByKey: [TextKey: Int64] = [:]
    private var partnerByUser: [Int64: Int64] = [:]
    private var holderByKey: [TextKey: Int64] = [:]
    private var holdersByUser: [Int64: [Int64]] = [:]
    private var assignmentsByHolder: [Int64: [Int64]] = [:]
    private var activeByUser: [Int64: Int64] = [:]
    private var activeByAccount: [Int64: Int64] = [:]
    private var linkByKey: [TextKey: Int64] = [:]
    /// The newest click of each visitor on each partnerId; `previousClicks` chains the others.
    private var newestClickByVisitor: [ClickKey: Int64] = [:]
    /// For each click of a visitor, by click id, the id of the same visitor's click on the same
    /// partnerId saved before it (0: none).
    private var previousClicks = RowsById<PreviousRow>()
    private var signupByKey: [TextKey: Int64] = [:]
    private var edgeByUser: [Int64: Int64] = [:]
    private var attributedUsers: Set<Int64> = []
    private var placeChangeByUser: [Int64: Int64] = [:]
    /// Indexes in `paths` of the current paths below each ancestor.
    private var currentByAncestor: [Int64: [Int]] = [:]
    /// For each current path, its place in its ancestor's `currentByAncestor` list, so that closing
    /// it is a swap with the last, not a search (the lists are sorted when read).
    private var placeInAncestor: [Int32] = []
    /// The index in `paths` of the newest path opened with each key: the current one while it is
    /// not closed. `previousPaths` chains the older ones.
    private var newestPathByKey: [PathKey: Int32] = [:]
    /// For each path, the index of the path opened before it with the same key (-1: none).
    private var previousPaths: [Int32] = []
    private var downlineChangeByAncestor: [Int64: Int64] = [:]

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

    private struct ClickKey: Hashable {
        var brokerId: Int64
        var visitorId: String
        var partnerId: String
    }

    /// A row's link to an earlier row of the same chain (`previousClicks`), by the row's id.
    struct PreviousRow: KeyedRow {
        var id: Int64
        var previousId: Int64
    }

    init(storedEvent: @escaping StoredEvent) {
        self.storedEvent = storedEvent
    }

    /// How many events were appended since the last `takeEvents()`.
    var heldEventCount: Int { events.count }

    /// The events appended since the last call, in sequence order; they are forgotten here.
    func takeEvents() -> [EventRecord] {
        defer {
            events.removeAll(keepingCapacity: true)
            pendingEvents.removeAll(keepingCapacity: true)
        }
        return events
    }

    /// The keys of every row held and every event written, as the filter a `LedgerState` that
    /// goes on writing the built ledger batch by batch answers "never written" from
    /// (`LedgerState.continuesBuild`).
    func writtenKeys() -> WrittenKeys {
        var keys = writtenEvents
        for user in users { keys.insert(WrittenKeys.key(.user, user.brokerId, user.userId)) }
        for account in accounts {
            keys.insert(WrittenKeys.key(.account, account.brokerId, account.ctidTraderAccountId))
        }
        for partner in partners { keys.insert(WrittenKeys.key(.partner, partner.brokerId, partner.crmPartnerRef)) }
        for holder in holders { keys.insert(WrittenKeys.key(.holder, holder.brokerId, holder.partnerId)) }
        for link in links { keys.insert(WrittenKeys.key(.link, link.brokerId, link.linkId)) }
        for signup in signups { keys.insert(WrittenKeys.key(.signup, signup.brokerId, signup.signupId)) }
        for click in clicks {
            if let visitorId = click.visitorId {
                keys.insert(WrittenKeys.key(.visitorClick, click.brokerId, visitorId, click.partnerId))
            }
        }
        for assignment in assignments {
            if let accountRowId = assignment.accountRowId {
                keys.insert(WrittenKeys.key(.accountAssignment, 0, accountRowId))
            }
        }
        return keys
    }

    // MARK: The log and the brokers

    func head() -> (seq: Int64, hash: [UInt8])? { lastEvent.map { ($0.seq, $0.hash) } }

    func event(brokerId: Int64, eventId: String) throws -> EventRecord? {
        if let index = pendingEvents[EventKey(brokerId: brokerId, eventId: eventId)] { return events[index] }
        guard writtenEvents.mayContain(WrittenKeys.key(.event, brokerId, eventId)) else { return nil }
        return try storedEvent(brokerId, eventId)
    }

    func append(_ event: EventRecord) {
        changeCount += 1
        pendingEvents[EventKey(brokerId: event.brokerId, eventId: event.eventId)] = events.count
        writtenEvents.insert(WrittenKeys.key(.event, event.brokerId, event.eventId))
        events.append(event)
        lastEvent = event
    }

    func broker(named name: String) -> BrokerRecord? { brokerByName[name].flatMap { brokers[$0] } }
    func savedBroker(id: Int64) -> BrokerRecord? { brokers[id] }
    func brokerNames() -> [String] { brokerByName.keys.sorted() }

    func save(_ broker: BrokerRecord, isNew: Bool) {
        put(broker, in: &brokers)
        brokerByName[broker.brokerCrmName] = broker.id
    }

    private func put<Row: KeyedRow>(_ row: Row, in table: inout RowsById<Row>) {
        changeCount += 1
        table.put(row)
    }

    // MARK: Row ids

    func nextId(_ table: String) -> Int64 { ids.take(table) }
    func peekId(_ table: String) -> Int64 { ids.peek(table) }

    // MARK: Users, accounts, partners

    func user(brokerId: Int64, userId: Int64) -> UserRecord? {
        userByKey[IdentifierKey(brokerId: brokerId, value: userId)].flatMap { users[$0] }
    }

    func user(id: Int64) -> UserRecord? { users[id] }

    func create(_ user: UserRecord) {
        put(user, in: &users)
        userByKey[IdentifierKey(brokerId: user.brokerId, value: user.userId)] = user.id
    }

    func account(brokerId: Int64, ctidTraderAccountId: Int64) -> AccountRecord? {
        accountByKey[IdentifierKey(brokerId: brokerId, value: ctidTraderAccountId)].flatMap { accounts[$0] }
    }

    func account(id: Int64) -> AccountRecord? { accounts[id] }

    func save(_ account: AccountRecord, isNew: Bool) {
        put(account, in: &accounts)
        accountByKey[IdentifierKey(brokerId: account.brokerId, value: account.ctidTraderAccountId)] = account.id
    }

    func partner(brokerId: Int64, crmPartnerRef: String) -> PartnerRecord? {
        partnerByKey[TextKey(brokerId: brokerId, value: crmPartnerRef)].flatMap { partners[$0] }
    }

    func partner(userRowId: Int64) -> PartnerRecord? { partnerByUser[userRowId].flatMap { partners[$0] } }

    func save(_ partner: PartnerRecord, isNew: Bool) {
        put(partner, in: &partners)
        partnerByKey[TextKey(brokerId: partner.brokerId, value: partner.crmPartnerRef)] = partner.id
        if let userRowId = partner.userRowId { partnerByUser[userRowId] = partner.id }
    }

    // MARK: partnerIds and their assignments

    func holder(brokerId: Int64, partnerId: String) -> HolderRecord? {
        holderByKey[TextKey(brokerId: brokerId, value: partnerId)].flatMap { holders[$0] }
    }

    func holder(id: Int64) -> HolderRecord? { holders[id] }

    func holders(userRowId: Int64) -> [HolderRecord] { (holdersByUser[userRowId] ?? []).compactMap { holders[$0] } }

    func create(_ holder: HolderRecord) {
        put(holder, in: &holders)
        holderByKey[TextKey(brokerId: holder.brokerId, value: holder.partnerId)] = holder.id
        holdersByUser[holder.userRowId, default: []].append(holder.id)
    }

    func assignments(holderRowId: Int64) -> [AssignmentRecord] {
        (assignmentsByHolder[holderRowId] ?? []).compactMap { assignments[$0] }
    }

    func activeAssignment(userRowId: Int64) -> AssignmentRecord? { activeByUser[userRowId].flatMap { assignments[$0] } }

    func activeAssignment(accountRowId: Int64) -> AssignmentRecord? {
        activeByAccount[accountRowId].flatMap { assignments[$0] }
    }

    func save(_ assignment: AssignmentRecord, isNew: Bool) {
        if assignments[assignment.id] == nil {
            assignmentsByHolder[assignment.holderRowId, default: []].append(assignment.id)
        }
        put(assignment, in: &assignments)
        if let accountRowId = assignment.accountRowId {
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: accountRowId, in: &activeByAccount)
        } else {
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: assignment.userRowId, in: &activeByUser)
        }
    }

    /// Keeps "the current row of an owner" as a row is saved: a current row becomes it; an ended
    /// row that was it leaves none.
    private static func track(_ id: Int64, isCurrent: Bool, of owner: Int64, in current: inout [Int64: Int64]) {
        if isCurrent {
            current[owner] = id
        } else if current[owner] == id {
            current[owner] = nil
        }
    }

    // MARK: Links, clicks, signups

    func link(brokerId: Int64, linkId: String) -> LinkRecord? {
        linkByKey[TextKey(brokerId: brokerId, value: linkId)].flatMap { links[$0] }
    }

    func link(id: Int64) -> LinkRecord? { links[id] }

    func create(_ link: LinkRecord) {
        put(link, in: &links)
        linkByKey[TextKey(brokerId: link.brokerId, value: link.linkId)] = link.id
    }

    func click(id: Int64) -> ClickRecord? { clicks[id] }

    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) -> ClickRecord? {
        var last: ClickRecord?
        var id = newestClickByVisitor[ClickKey(brokerId: brokerId, visitorId: visitorId, partnerId: partnerId)] ?? 0
        while id != 0, let click = clicks[id] {
            if click.clickedAt <= at, last.map({ (click.clickedAt, click.id) > ($0.clickedAt, $0.id) }) ?? true {
                last = click
            }
            id = previousClicks[id]?.previousId ?? 0
        }
        return last
    }

    func create(_ click: ClickRecord) {
        put(click, in: &clicks)
        if let visitorId = click.visitorId {
            let key = ClickKey(brokerId: click.brokerId, visitorId: visitorId, partnerId: click.partnerId)
            previousClicks.put(PreviousRow(id: click.id, previousId: newestClickByVisitor[key] ?? 0))
            newestClickByVisitor[key] = click.id
        }
    }

    func signup(brokerId: Int64, signupId: String) -> SignupRecord? {
        signupByKey[TextKey(brokerId: brokerId, value: signupId)].flatMap { signups[$0] }
    }

    func save(_ signup: SignupRecord, isNew: Bool) {
        put(signup, in: &signups)
        signupByKey[TextKey(brokerId: signup.brokerId, value: signup.signupId)] = signup.id
    }

    // MARK: Attributions and the tree

    func currentEdge(userRowId: Int64) -> AttributionRecord? { edgeByUser[userRowId].flatMap { attributions[$0] } }

    func hasEverBeenAttributed(userRowId: Int64) -> Bool { attributedUsers.contains(userRowId) }

    func lastPlaceChange(userRowId: Int64) -> Int64? { placeChangeByUser[userRowId] }

    func save(_ attribution: AttributionRecord, isNew: Bool) {
        put(attribution, in: &attributions)
        if let time = attribution.placeChange {
            placeChangeByUser[attribution.userRowId] = max(placeChangeByUser[attribution.userRowId] ?? .min, time)
        }
        guard attribution.outcome.isEdge else { return }
        attributedUsers.insert(attribution.userRowId)
        Self.track(attribution.id, isCurrent: attribution.validTo == nil, of: attribution.userRowId, in: &edgeByUser)
    }

    func currentDescendants(of ancestorRowId: Int64) -> [LineageTable.Descendant] {
        (currentByAncestor[ancestorRowId] ?? [])
            .map { paths[$0] }
            .filter { $0.depth <= LineageTable.storedDepth }
            .map(\.descendant)
            .inTreeOrder()
    }

    func hasCurrentReferrals(_ rowId: Int64) -> Bool {
        (currentByAncestor[rowId] ?? []).contains { paths[$0].depth == 1 }
    }

    func lastDownlineChange(of ancestorRowId: Int64) -> Int64? { downlineChangeByAncestor[ancestorRowId] }

    func pathExists(_ key: PathKey, validFrom: Int64) -> Bool {
        var index = newestPathByKey[key] ?? -1
        while index >= 0 {
            if paths[Int(index)].validFrom == validFrom { return true }
            index = previousPaths[Int(index)]
        }
        return false
    }

    func openPath(_ key: PathKey, descendantRowId: Int64, validFrom: Int64) {
        changeCount += 1
        let index = paths.count
        paths.append(LineageTable.Path(
            ancestorRowId: key.ancestorRowId, depth: key.depth, attributedAt: key.attributedAt,
            descendantUserId: key.descendantUserId, validFrom: validFrom, validTo: nil, descendantRowId: descendantRowId))
        previousPaths.append(newestPathByKey[key] ?? -1)
        newestPathByKey[key] = Int32(index)
        placeInAncestor.append(Int32(currentByAncestor[key.ancestorRowId]?.count ?? 0))
        currentByAncestor[key.ancestorRowId, default: []].append(index)
        noteDownlineChange(key.ancestorRowId, validFrom)
    }

    func closePath(_ key: PathKey, validTo: Int64) {
        changeCount += 1
        guard let newest = newestPathByKey[key], paths[Int(newest)].validTo == nil else { return }
        let index = Int(newest)
        paths[index].validTo = validTo
        let place = Int(placeInAncestor[index])
        if let last = currentByAncestor[key.ancestorRowId]?.popLast(), last != index {
            currentByAncestor[key.ancestorRowId]?[place] = last
            placeInAncestor[last] = Int32(place)
        }
        noteDownlineChange(key.ancestorRowId, max(paths[index].validFrom, validTo))
    }

    private func noteDownlineChange(_ ancestorRowId: Int64, _ time: Int64) {
        downlineChangeByAncestor[ancestorRowId] = max(downlineChangeByAncestor[ancestorRowId] ?? .min, time)
    }
}

/// The rows of one table by row id, which a build hands out in order from 1: a slot per id
/// (empty for an id handed out to a row never saved), in chunks of a fixed size, so that a table
/// grows without the slack and the copy of an array that doubles.
struct RowsById<Row: KeyedRow>: Sequence {
    static var chunkSize: Int { 4_096 }

    /// The slots, `chunkSize` to a chunk; only the last chunk may be shorter.
    private(set) var chunks: [[Row?]] = []

    subscript(id: Int64) -> Row? {
        let index = Int(id) - 1
        guard index >= 0 else { return nil }
        let (chunk, slot) = index.quotientAndRemainder(dividingBy: Self.chunkSize)
        guard chunk < chunks.count, slot < chunks[chunk].count else { return nil }
        return chunks[chunk][slot]
    }

    mutating func put(_ row: Row) {
        let index = Int(row.id) - 1
        precondition(index >= 0, "row ids start at 1")
        let (chunk, slot) = index.quotientAndRemainder(dividingBy: Self.chunkSize)
        while chunks.count <= chunk {
            var slots: [Row?] = []
            slots.reserveCapacity(Self.chunkSize)
            chunks.append(slots)
        }
        if slot >= chunks[chunk].count {
            chunks[chunk].append(contentsOf: repeatElement(nil, count: slot - chunks[chunk].count + 1))
        }
        chunks[chunk][slot] = row
    }

    /// The rows, in id order.
    func makeIterator() -> some IteratorProtocol<Row> {
        chunks.lazy.joined().compactMap { $0 }.makeIterator()
    }

    /// Calls `body` with the rows of each chunk, in id order.
    func forEachChunk(_ body: ([Row]) throws -> Void) rethrows {
        for chunk in chunks {
            try body(chunk.compactMap { $0 })
        }
    }
}
