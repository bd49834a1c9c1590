import LedgerStore

/// The rules' state while a new ledger file is built from a log (`LedgerBuild`): every row held
/// in memory, looked up through hash indexes, and nothing read back from the file. The events
/// alone leave memory as they come (`takeEvents()`), for the file's event table; the other
/// tables stay in memory to the end, when each is written once, in key order, in its final form.
///
/// It answers as `MemoryState` and `LedgerState` do (the model test records the same histories
/// through all three). It holds the rows packed (`PackedRows`: ids in 32 bits, no optionals'
/// padding), indexes them by key in `KeyIndex`es (the key read from the row, not stored twice)
/// and keeps what it knows per user or per node in columns by row id: see Performance.md for
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
    private(set) var brokers = PackedRows<BrokerRecord>()
    private(set) var users = PackedRows<PackedUser>()
    private(set) var accounts = PackedRows<PackedAccount>()
    private(set) var partners = PackedRows<PackedPartner>()
    private(set) var holders = PackedRows<PackedHolder>()
    private(set) var assignments = PackedRows<PackedAssignment>()
    private(set) var links = PackedRows<PackedLink>()
    private(set) var clicks = PackedRows<PackedClick>()
    private(set) var signups = PackedRows<PackedSignup>()
    private(set) var attributions = PackedRows<PackedAttribution>()
    /// The reasons and operators of the attributions that have one (`PackedAttribution.note`).
    private var notes: [AttributionNote] = []
    /// The partnerIds of clicks, signups and attributions that are not their holder's (a
    /// partnerId no one held), by `PackedPartnerId.place` less one.
    private var partnerIdsApart: [String] = []
    /// Every closure path, open or closed, in the order opened.
    private(set) var paths = Column<PackedPath>(filler: .vacant)

    /// Events appended since the last `takeEvents()`.
    private var events: [EventRecord] = []
    private var pendingEvents: [EventKey: Int] = [:]
    private var writtenEvents = WrittenKeys()
    /// The newest event, the head of the chain.
    private(set) var lastEvent: EventRecord?
    private var ids = MemoryRowIds()

    // The indexes the rules look rows up by.
    private var brokerByName: [String: Int64] = [:]
    private var userByKey = KeyIndex()
    private var accountByKey = KeyIndex()
    private var partnerByKey = KeyIndex()
    private var holderByKey = KeyIndex()
    private var linkByKey = KeyIndex()
    private var signupByKey = KeyIndex()
    /// The newest click of each visitor on each partnerId; `PackedClick.previousId` chains the others.
    private var newestClickByVisitor = KeyIndex()
    /// The newest path opened with each key, by its index in `paths` plus one: the current one
    /// while it is not closed. `PackedPath.previous` chains the older ones.
    private var newestPathByKey = KeyIndex()

    // What is known of each user, account, holder or node, by its row id (0 or -1: none).
    private var partnerByUser = Column<UInt32>(filler: 0)
    /// The newest partnerId a user holds; `previousHolder` chains the older ones.
    private var newestHolderByUser = Column<UInt32>(filler: 0)
    private var previousHolder = Column<UInt32>(filler: 0)
    /// The newest assignment of a holder; `previousAssignment` chains the older ones.
    private var newestAssignmentByHolder = Column<UInt32>(filler: 0)
    private var previousAssignment = Column<UInt32>(filler: 0)
    private var activeByUser = Column<UInt32>(filler: 0)
    private var activeByAccount = Column<UInt32>(filler: 0)
    private var edgeByUser = Column<UInt32>(filler: 0)
    private var attributedUsers = Column<Bool>(filler: false)
    private var placeChangeByUser = Column<Int64>(filler: Packing.time(nil))
    private var downlineChangeByAncestor = Column<Int64>(filler: Packing.time(nil))
    /// The current paths below each ancestor, as a list through `paths` (indexes, -1 ends it):
    /// its first path, and for each current path the next and the one before, so that closing
    /// a path takes it out without a search (the lists are sorted when read).
    private var firstCurrentByAncestor = Column<Int32>(filler: -1)
    private var nextCurrent = Column<Int32>(filler: -1)
    private var previousCurrent = Column<Int32>(filler: -1)

    private struct EventKey: Hashable {
        var brokerId: Int64
        var eventId: String
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

    /// The rows of a table held, as its records in id order, a chunk at a time.
    func forEachChunk<Row: PackedRow>(of table: PackedRows<Row>, _ body: ([Row.Record]) throws -> Void) rethrows {
        try table.forEachChunk(in: self, body)
    }

    /// The rows of a table held, as its records in id order.
    func records<Row: PackedRow>(of table: PackedRows<Row>) -> [Row.Record] {
        var records: [Row.Record] = []
        table.forEachChunk(in: self) { records += $0 }
        return records
    }

    /// Every closure path, in the order opened.
    var lineage: [LineageTable.Path] {
        (0..<paths.count).map { paths[$0].path(in: self) }
    }

    /// The reason and operator of an attribution's `note`.
    func note(_ place: UInt32) -> AttributionNote? { place == 0 ? nil : notes[Int(place) - 1] }

    /// The partnerId a click, a signup or an attribution packed, with the holder it names.
    func partnerId(_ packed: PackedPartnerId, holderRowId: UInt32) -> String? {
        switch packed {
        case .absent: nil
        case .ofHolder: holders[Int64(holderRowId)]?.partnerId
        default: partnerIdsApart[Int(packed.place) - 1]
        }
    }

    /// A row's partnerId packed: its holder's when it is that (a row names the holder found by
    /// its partnerId), else kept apart, in the place it had when the row was saved before.
    private func pack(partnerId: String?, holderRowId: Int64?, saved: PackedPartnerId?) -> PackedPartnerId {
        guard let partnerId else { return .absent }
        if let holderRowId, holders[holderRowId]?.partnerId == partnerId { return .ofHolder }
        if let saved, saved != .ofHolder, saved != .absent, partnerIdsApart[Int(saved.place) - 1] == partnerId {
            return saved
        }
        partnerIdsApart.append(partnerId)
        precondition(partnerIdsApart.count < Int(UInt32.max), "a bulk build keeps fewer than 2^32 partnerIds apart")
        return PackedPartnerId(place: UInt32(partnerIdsApart.count))
    }

    /// The userId of a path's descendant, from its row.
    func descendantUserId(_ path: PackedPath) -> Int64 { users[Int64(path.descendantRowId)]?.userId ?? 0 }

    /// The bytes the rows, indexes and columns hold (not the strings longer than 15 bytes, which
    /// live on the heap, nor the events waiting to be written).
    var byteCount: Int {
        let tables = [
            brokers.byteCount, users.byteCount, accounts.byteCount, partners.byteCount, holders.byteCount,
            assignments.byteCount, links.byteCount, clicks.byteCount, signups.byteCount, attributions.byteCount,
            paths.byteCount,
        ]
        let indexes = [
            userByKey, accountByKey, partnerByKey, holderByKey, linkByKey, signupByKey, newestClickByVisitor,
            newestPathByKey,
        ].map(\.byteCount)
        let columns = [
            partnerByUser.byteCount, newestHolderByUser.byteCount, previousHolder.byteCount,
            newestAssignmentByHolder.byteCount, previousAssignment.byteCount, activeByUser.byteCount,
            activeByAccount.byteCount, edgeByUser.byteCount, attributedUsers.byteCount, placeChangeByUser.byteCount,
            downlineChangeByAncestor.byteCount, firstCurrentByAncestor.byteCount, nextCurrent.byteCount,
            previousCurrent.byteCount,
        ]
        return (tables + indexes + columns).reduce(0, +)
    }

    /// The keys of every row held and every event written, as the filter a `LedgerState` that
    /// goes on writing the built ledger batch by batch answers "never written" from
    /// (`LedgerState.continuesBuild`).
    func writtenKeys() -> WrittenKeys {
        var keys = writtenEvents
        users.forEach { keys.insert(WrittenKeys.key(.user, Int64($1.brokerId), $1.userId)) }
        accounts.forEach { keys.insert(WrittenKeys.key(.account, Int64($1.brokerId), $1.ctidTraderAccountId)) }
        partners.forEach { keys.insert(WrittenKeys.key(.partner, Int64($1.brokerId), $1.crmPartnerRef)) }
        holders.forEach { keys.insert(WrittenKeys.key(.holder, Int64($1.brokerId), $1.partnerId)) }
        links.forEach { keys.insert(WrittenKeys.key(.link, Int64($1.brokerId), $1.linkId)) }
        signups.forEach { keys.insert(WrittenKeys.key(.signup, Int64($1.brokerId), $1.signupId)) }
        clicks.forEach { _, click in
            if let visitorId = click.visitorId {
                let partnerId = partnerId(click.partnerId, holderRowId: click.holderRowId) ?? ""
                keys.insert(WrittenKeys.key(.visitorClick, Int64(click.brokerId), visitorId, partnerId))
            }
        }
        assignments.forEach { _, assignment in
            if assignment.accountRowId != 0 {
                keys.insert(WrittenKeys.key(.accountAssignment, 0, Int64(assignment.accountRowId)))
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
        changeCount += 1
        brokers.put(broker, id: broker.id)
        brokerByName[broker.brokerCrmName] = broker.id
    }

    // MARK: Row ids

    func nextId(_ table: String) -> Int64 { ids.take(table) }
    func peekId(_ table: String) -> Int64 { ids.peek(table) }

    // MARK: Users, accounts, partners

    func user(brokerId: Int64, userId: Int64) -> UserRecord? {
        userRowId(brokerId, userId).flatMap(user(id:))
    }

    private func userRowId(_ brokerId: Int64, _ userId: Int64) -> Int64? {
        userByKey.first(hash: Self.hash(brokerId, userId)) {
            users.holds($0) { Int64($0.brokerId) == brokerId && $0.userId == userId }
        }
    }

    func user(id: Int64) -> UserRecord? { users[id]?.record(id: id, in: self) }

    func create(_ user: UserRecord) {
        changeCount += 1
        users.put(PackedUser(user), id: user.id)
        userByKey.set(
            user.id, hash: Self.hash(user.brokerId, user.userId),
            replacing: userRowId(user.brokerId, user.userId))
    }

    func account(brokerId: Int64, ctidTraderAccountId: Int64) -> AccountRecord? {
        accountRowId(brokerId, ctidTraderAccountId).flatMap(account(id:))
    }

    private func accountRowId(_ brokerId: Int64, _ ctidTraderAccountId: Int64) -> Int64? {
        accountByKey.first(hash: Self.hash(brokerId, ctidTraderAccountId)) {
            accounts.holds($0) { Int64($0.brokerId) == brokerId && $0.ctidTraderAccountId == ctidTraderAccountId }
        }
    }

    func account(id: Int64) -> AccountRecord? { accounts[id]?.record(id: id, in: self) }

    func save(_ account: AccountRecord, isNew: Bool) {
        changeCount += 1
        accounts.put(PackedAccount(account), id: account.id)
        accountByKey.set(
            account.id, hash: Self.hash(account.brokerId, account.ctidTraderAccountId),
            replacing: accountRowId(account.brokerId, account.ctidTraderAccountId))
    }

    func partner(brokerId: Int64, crmPartnerRef: String) -> PartnerRecord? {
        partnerRowId(brokerId, crmPartnerRef).flatMap(partner(id:))
    }

    private func partnerRowId(_ brokerId: Int64, _ crmPartnerRef: String) -> Int64? {
        partnerByKey.first(hash: Self.hash(brokerId, crmPartnerRef)) {
            partners.holds($0) { Int64($0.brokerId) == brokerId && $0.crmPartnerRef == crmPartnerRef }
        }
    }

    func partner(userRowId: Int64) -> PartnerRecord? {
        Packing.id(partnerByUser[Self.slot(userRowId)]).flatMap(partner(id:))
    }

    private func partner(id: Int64) -> PartnerRecord? { partners[id]?.record(id: id, in: self) }

    func save(_ partner: PartnerRecord, isNew: Bool) {
        changeCount += 1
        partners.put(PackedPartner(partner), id: partner.id)
        partnerByKey.set(
            partner.id, hash: Self.hash(partner.brokerId, partner.crmPartnerRef),
            replacing: partnerRowId(partner.brokerId, partner.crmPartnerRef))
        if let userRowId = partner.userRowId { partnerByUser[Self.slot(userRowId)] = Packing.id(partner.id) }
    }

    // MARK: partnerIds and their assignments

    func holder(brokerId: Int64, partnerId: String) -> HolderRecord? {
        holderRowId(brokerId, partnerId).flatMap(holder(id:))
    }

    private func holderRowId(_ brokerId: Int64, _ partnerId: String) -> Int64? {
        holderByKey.first(hash: Self.hash(brokerId, partnerId)) {
            holders.holds($0) { Int64($0.brokerId) == brokerId && $0.partnerId == partnerId }
        }
    }

    func holder(id: Int64) -> HolderRecord? { holders[id]?.record(id: id, in: self) }

    func holders(userRowId: Int64) -> [HolderRecord] {
        Self.chain(from: newestHolderByUser[Self.slot(userRowId)], through: previousHolder).reversed()
            .compactMap(holder(id:))
    }

    func create(_ holder: HolderRecord) {
        changeCount += 1
        holders.put(PackedHolder(holder), id: holder.id)
        holderByKey.set(
            holder.id, hash: Self.hash(holder.brokerId, holder.partnerId),
            replacing: holderRowId(holder.brokerId, holder.partnerId))
        previousHolder[Self.slot(holder.id)] = newestHolderByUser[Self.slot(holder.userRowId)]
        newestHolderByUser[Self.slot(holder.userRowId)] = Packing.id(holder.id)
    }

    func assignments(holderRowId: Int64) -> [AssignmentRecord] {
        Self.chain(from: newestAssignmentByHolder[Self.slot(holderRowId)], through: previousAssignment).reversed()
            .compactMap(assignment(id:))
    }

    private func assignment(id: Int64) -> AssignmentRecord? { assignments[id]?.record(id: id, in: self) }

    func activeAssignment(userRowId: Int64) -> AssignmentRecord? {
        Packing.id(activeByUser[Self.slot(userRowId)]).flatMap(assignment(id:))
    }

    func activeAssignment(accountRowId: Int64) -> AssignmentRecord? {
        Packing.id(activeByAccount[Self.slot(accountRowId)]).flatMap(assignment(id:))
    }

    func save(_ assignment: AssignmentRecord, isNew: Bool) {
        changeCount += 1
        if assignments[assignment.id] == nil {
            previousAssignment[Self.slot(assignment.id)] = newestAssignmentByHolder[Self.slot(assignment.holderRowId)]
            newestAssignmentByHolder[Self.slot(assignment.holderRowId)] = Packing.id(assignment.id)
        }
        assignments.put(PackedAssignment(assignment), id: assignment.id)
        if let accountRowId = assignment.accountRowId {
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: accountRowId, in: &activeByAccount)
        } else {
            Self.track(assignment.id, isCurrent: assignment.validTo == nil, of: assignment.userRowId, in: &activeByUser)
        }
    }

    /// Keeps "the current row of an owner" as a row is saved: a current row becomes it; an ended
    /// row that was it leaves none.
    private static func track(_ id: Int64, isCurrent: Bool, of owner: Int64, in current: inout Column<UInt32>) {
        if isCurrent {
            current[slot(owner)] = Packing.id(id)
        } else if current[slot(owner)] == Packing.id(id) {
            current[slot(owner)] = 0
        }
    }

    /// The ids of a chain of rows through `previous`, newest first, from `newest`.
    private static func chain(from newest: UInt32, through previous: Column<UInt32>) -> [Int64] {
        var ids: [Int64] = []
        var id = newest
        while id != 0 {
            ids.append(Int64(id))
            id = previous[slot(Int64(id))]
        }
        return ids
    }

    // MARK: Links, clicks, signups

    func link(brokerId: Int64, linkId: String) -> LinkRecord? {
        linkRowId(brokerId, linkId).flatMap(link(id:))
    }

    private func linkRowId(_ brokerId: Int64, _ linkId: String) -> Int64? {
        linkByKey.first(hash: Self.hash(brokerId, linkId)) {
            links.holds($0) { Int64($0.brokerId) == brokerId && $0.linkId == linkId }
        }
    }

    func link(id: Int64) -> LinkRecord? { links[id]?.record(id: id, in: self) }

    func create(_ link: LinkRecord) {
        changeCount += 1
        links.put(PackedLink(link), id: link.id)
        linkByKey.set(
            link.id, hash: Self.hash(link.brokerId, link.linkId),
            replacing: linkRowId(link.brokerId, link.linkId))
    }

    func click(id: Int64) -> ClickRecord? { clicks[id]?.record(id: id, in: self) }

    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) -> ClickRecord? {
        var last: (id: Int64, click: PackedClick)?
        var id = newestClick(brokerId: brokerId, visitorId: visitorId, partnerId: partnerId) ?? 0
        while id != 0, let click = clicks[id] {
            if click.clickedAt <= at, last.map({ (click.clickedAt, id) > ($0.click.clickedAt, $0.id) }) ?? true {
                last = (id, click)
            }
            id = Int64(click.previousId)
        }
        return last.map { $0.click.record(id: $0.id, in: self) }
    }

    private func newestClick(brokerId: Int64, visitorId: String, partnerId: String) -> Int64? {
        newestClickByVisitor.first(hash: Self.hash(brokerId, visitorId, partnerId)) {
            clicks.holds($0) {
                Int64($0.brokerId) == brokerId && $0.visitorId == visitorId
                    && self.partnerId($0.partnerId, holderRowId: $0.holderRowId) == partnerId
            }
        }
    }

    func create(_ click: ClickRecord) {
        changeCount += 1
        let partnerId = pack(partnerId: click.partnerId, holderRowId: click.holderRowId, saved: nil)
        guard let visitorId = click.visitorId else {
            clicks.put(PackedClick(click, previousId: nil, partnerId: partnerId), id: click.id)
            return
        }
        let previous = newestClick(brokerId: click.brokerId, visitorId: visitorId, partnerId: click.partnerId)
        clicks.put(PackedClick(click, previousId: previous, partnerId: partnerId), id: click.id)
        newestClickByVisitor.set(
            click.id, hash: Self.hash(click.brokerId, visitorId, click.partnerId), replacing: previous)
    }

    func signup(brokerId: Int64, signupId: String) -> SignupRecord? {
        signupRowId(brokerId, signupId).flatMap { signups[$0]?.record(id: $0, in: self) }
    }

    private func signupRowId(_ brokerId: Int64, _ signupId: String) -> Int64? {
        signupByKey.first(hash: Self.hash(brokerId, signupId)) {
            signups.holds($0) { Int64($0.brokerId) == brokerId && $0.signupId == signupId }
        }
    }

    func save(_ signup: SignupRecord, isNew: Bool) {
        changeCount += 1
        let partnerId = pack(
            partnerId: signup.partnerId, holderRowId: signup.holderRowId, saved: signups[signup.id]?.partnerId)
        signups.put(PackedSignup(signup, partnerId: partnerId), id: signup.id)
        signupByKey.set(
            signup.id, hash: Self.hash(signup.brokerId, signup.signupId),
            replacing: signupRowId(signup.brokerId, signup.signupId))
    }

    // MARK: Attributions and the tree

    func currentEdge(userRowId: Int64) -> AttributionRecord? {
        Packing.id(edgeByUser[Self.slot(userRowId)]).flatMap { attributions[$0]?.record(id: $0, in: self) }
    }

    func hasEverBeenAttributed(userRowId: Int64) -> Bool { attributedUsers[Self.slot(userRowId)] }

    func lastPlaceChange(userRowId: Int64) -> Int64? { Packing.time(placeChangeByUser[Self.slot(userRowId)]) }

    func save(_ attribution: AttributionRecord, isNew: Bool) {
        changeCount += 1
        let partnerId = pack(
            partnerId: attribution.partnerId, holderRowId: attribution.holderRowId,
            saved: attributions[attribution.id]?.partnerId)
        attributions.put(
            PackedAttribution(attribution, note: place(of: attribution), partnerId: partnerId), id: attribution.id)
        if let time = attribution.placeChange {
            let user = Self.slot(attribution.userRowId)
            placeChangeByUser[user] = max(placeChangeByUser[user], time)
        }
        guard attribution.outcome.isEdge else { return }
        attributedUsers[Self.slot(attribution.userRowId)] = true
        Self.track(attribution.id, isCurrent: attribution.validTo == nil, of: attribution.userRowId, in: &edgeByUser)
    }

    /// The note of an attribution saved: the one it had when unchanged, a new one otherwise.
    private func place(of attribution: AttributionRecord) -> UInt32 {
        let note = AttributionNote(reason: attribution.reason, operator: attribution.operator)
        guard note != AttributionNote() else { return 0 }
        if let saved = attributions[attribution.id], self.note(saved.note) == note { return saved.note }
        notes.append(note)
        return UInt32(notes.count)
    }

    func currentDescendants(of ancestorRowId: Int64) -> [LineageTable.Descendant] {
        currentPaths(of: ancestorRowId)
            .map { paths[$0].path(in: self) }
            .filter { $0.depth <= LineageTable.storedDepth }
            .map(\.descendant)
            .inTreeOrder()
    }

    func hasCurrentReferrals(_ rowId: Int64) -> Bool {
        var index = firstCurrentByAncestor[Self.slot(rowId)]
        while index >= 0 {
            if paths[Int(index)].depth == 1 { return true }
            index = nextCurrent[Int(index)]
        }
        return false
    }

    /// The indexes in `paths` of the current paths below a node, in no order.
    private func currentPaths(of ancestorRowId: Int64) -> [Int] {
        var indexes: [Int] = []
        var index = firstCurrentByAncestor[Self.slot(ancestorRowId)]
        while index >= 0 {
            indexes.append(Int(index))
            index = nextCurrent[Int(index)]
        }
        return indexes
    }

    func lastDownlineChange(of ancestorRowId: Int64) -> Int64? {
        Packing.time(downlineChangeByAncestor[Self.slot(ancestorRowId)])
    }

    func pathExists(_ key: PathKey, validFrom: Int64) -> Bool {
        var index = newestPath(key)
        while index >= 0 {
            if paths[Int(index)].validFrom == validFrom { return true }
            index = paths[Int(index)].previous
        }
        return false
    }

    /// The index in `paths` of the newest path opened with the key (-1: none).
    private func newestPath(_ key: PathKey) -> Int32 {
        let id = newestPathByKey.first(hash: Self.hash(key)) { self.paths[Int($0) - 1].key(in: self) == key }
        guard let id else { return -1 }
        return Int32(id - 1)
    }

    func openPath(_ key: PathKey, descendantRowId: Int64, validFrom: Int64) {
        changeCount += 1
        let index = paths.count
        precondition(index < Int(Int32.max), "a bulk build holds fewer than 2^31 paths")
        let previous = newestPath(key)
        paths.append(PackedPath(key, descendantRowId: descendantRowId, validFrom: validFrom, previous: previous))
        newestPathByKey.set(
            Int64(index) + 1, hash: Self.hash(key), replacing: previous >= 0 ? Int64(previous) + 1 : nil)
        let ancestor = Self.slot(key.ancestorRowId)
        let first = firstCurrentByAncestor[ancestor]
        nextCurrent[index] = first
        if first >= 0 { previousCurrent[Int(first)] = Int32(index) }
        firstCurrentByAncestor[ancestor] = Int32(index)
        noteDownlineChange(key.ancestorRowId, validFrom)
    }

    func closePath(_ key: PathKey, validTo: Int64) {
        changeCount += 1
        let newest = newestPath(key)
        guard newest >= 0, Packing.time(paths[Int(newest)].validTo) == nil else { return }
        let index = Int(newest)
        paths[index].validTo = validTo
        let (before, after) = (previousCurrent[index], nextCurrent[index])
        if before >= 0 {
            nextCurrent[Int(before)] = after
        } else {
            firstCurrentByAncestor[Self.slot(key.ancestorRowId)] = after
        }
        if after >= 0 { previousCurrent[Int(after)] = before }
        (previousCurrent[index], nextCurrent[index]) = (-1, -1)
        noteDownlineChange(key.ancestorRowId, max(paths[index].validFrom, validTo))
    }

    private func noteDownlineChange(_ ancestorRowId: Int64, _ time: Int64) {
        let ancestor = Self.slot(ancestorRowId)
        downlineChangeByAncestor[ancestor] = max(downlineChangeByAncestor[ancestor], time)
    }

    // MARK: Keys and slots

    /// The place of a row id in a column by row id (row ids start at 1: slot 0 is never used).
    private static func slot(_ rowId: Int64) -> Int { Int(rowId) }

    private static func hash(_ brokerId: Int64, _ value: Int64) -> Int {
        var hasher = Hasher()
        hasher.combine(brokerId)
        hasher.combine(value)
        return hasher.finalize()
    }

    private static func hash(_ brokerId: Int64, _ value: String, _ second: String? = nil) -> Int {
        var hasher = Hasher()
        hasher.combine(brokerId)
        hasher.combine(value)
        if let second { hasher.combine(second) }
        return hasher.finalize()
    }

    private static func hash(_ key: PathKey) -> Int {
        var hasher = Hasher()
        hasher.combine(key.ancestorRowId)
        hasher.combine(key.depth)
        hasher.combine(key.attributedAt)
        hasher.combine(key.descendantUserId)
        return hasher.finalize()
    }
}
