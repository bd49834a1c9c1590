import LedgerStore

/// The rules' state as plain values in memory, with no database: every row of every table, and
/// every closure path, answered by scanning them. Slow on a large ledger, and meant to be simple:
/// it is the model the SQLite state (`LedgerState`) is compared with, and what the rules' own
/// tests build their cases from.
///
///     let state = MemoryState()
///     let recorder = StepRecorder(state: state, brokers: .anyBroker)
///     let outcome = try recorder.record(step, recordedAt: now)
///     state.attributions        // the rows a ledger would hold
final class MemoryState: RuleState {
    private(set) var changeCount = 0
    private(set) var events: [EventRecord] = []
    private(set) var brokers: [Int64: BrokerRecord] = [:]
    private(set) var users: [Int64: UserRecord] = [:]
    private(set) var accounts: [Int64: AccountRecord] = [:]
    private(set) var partners: [Int64: PartnerRecord] = [:]
    private(set) var holders: [Int64: HolderRecord] = [:]
    private(set) var assignments: [Int64: AssignmentRecord] = [:]
    private(set) var links: [Int64: LinkRecord] = [:]
    private(set) var clicks: [Int64: ClickRecord] = [:]
    private(set) var signups: [Int64: SignupRecord] = [:]
    private(set) var attributions: [Int64: AttributionRecord] = [:]
    /// Every closure path, open or closed, in the order opened.
    private(set) var paths: [LineageTable.Path] = []
    private var ids = MemoryRowIds()

    init() {}

    // MARK: The log and the brokers

    func head() -> (seq: Int64, hash: [UInt8])? { events.last.map { ($0.seq, $0.hash) } }

    func event(brokerId: Int64, eventId: String) -> EventRecord? {
        events.first { $0.brokerId == brokerId && $0.eventId == eventId }
    }

    func append(_ event: EventRecord) {
        changeCount += 1
        events.append(event)
    }

    func broker(named name: String) -> BrokerRecord? { brokers.values.first { $0.brokerCrmName == name } }
    func savedBroker(id: Int64) -> BrokerRecord? { brokers[id] }
    func brokerNames() -> [String] { brokers.values.map(\.brokerCrmName).sorted() }

    func save(_ broker: BrokerRecord, isNew: Bool) {
        put(broker, in: &brokers)
    }

    /// Keeps a row the rules created or changed.
    private func put<Row: KeyedRow>(_ row: Row, in table: inout [Int64: Row]) {
        changeCount += 1
        table[row.id] = row
    }

    // MARK: Row ids

    func nextId(_ table: String) -> Int64 { ids.take(table) }
    func peekId(_ table: String) -> Int64 { ids.peek(table) }

    // MARK: Users, accounts, partners

    func user(brokerId: Int64, userId: Int64) -> UserRecord? {
        users.values.first { $0.brokerId == brokerId && $0.userId == userId }
    }

    func user(id: Int64) -> UserRecord? { users[id] }

    func create(_ user: UserRecord) {
        put(user, in: &users)
    }

    func account(brokerId: Int64, ctidTraderAccountId: Int64) -> AccountRecord? {
        accounts.values.first { $0.brokerId == brokerId && $0.ctidTraderAccountId == ctidTraderAccountId }
    }

    func account(id: Int64) -> AccountRecord? { accounts[id] }

    func save(_ account: AccountRecord, isNew: Bool) {
        put(account, in: &accounts)
    }

    func partner(brokerId: Int64, crmPartnerRef: String) -> PartnerRecord? {
        partners.values.first { $0.brokerId == brokerId && $0.crmPartnerRef == crmPartnerRef }
    }

    func partner(userRowId: Int64) -> PartnerRecord? { partners.values.first { $0.userRowId == userRowId } }

    func save(_ partner: PartnerRecord, isNew: Bool) {
        put(partner, in: &partners)
    }

    // MARK: partnerIds and their assignments

    func holder(brokerId: Int64, partnerId: String) -> HolderRecord? {
        holders.values.first { $0.brokerId == brokerId && $0.partnerId == partnerId }
    }

    func holder(id: Int64) -> HolderRecord? { holders[id] }

    func holders(userRowId: Int64) -> [HolderRecord] {
        holders.values.filter { $0.userRowId == userRowId }.sorted { $0.id < $1.id }
    }

    func create(_ holder: HolderRecord) {
        put(holder, in: &holders)
    }

    func assignments(holderRowId: Int64) -> [AssignmentRecord] {
        assignments.values.filter { $0.holderRowId == holderRowId }.sorted { $0.id < $1.id }
    }

    func activeAssignment(userRowId: Int64) -> AssignmentRecord? {
        assignments.values.first { $0.userRowId == userRowId && $0.accountRowId == nil && $0.validTo == nil }
    }

    func activeAssignment(accountRowId: Int64) -> AssignmentRecord? {
        assignments.values.first { $0.accountRowId == accountRowId && $0.validTo == nil }
    }

    func save(_ assignment: AssignmentRecord, isNew: Bool) {
        put(assignment, in: &assignments)
    }

    // MARK: Links, clicks, signups

    func link(brokerId: Int64, linkId: String) -> LinkRecord? {
        links.values.first { $0.brokerId == brokerId && $0.linkId == linkId }
    }

    func link(id: Int64) -> LinkRecord? { links[id] }

    func create(_ link: LinkRecord) {
        put(link, in: &links)
    }

    func click(id: Int64) -> ClickRecord? { clicks[id] }

    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) -> ClickRecord? {
        clicks.values
            .filter { $0.brokerId == brokerId && $0.visitorId == visitorId && $0.partnerId == partnerId && $0.clickedAt <= at }
            .max { ($0.clickedAt, $0.id) < ($1.clickedAt, $1.id) }
    }

    func create(_ click: ClickRecord) {
        put(click, in: &clicks)
    }

    func signup(brokerId: Int64, signupId: String) -> SignupRecord? {
        signups.values.first { $0.brokerId == brokerId && $0.signupId == signupId }
    }

    func save(_ signup: SignupRecord, isNew: Bool) {
        put(signup, in: &signups)
    }

    // MARK: Attributions and the tree

    func currentEdge(userRowId: Int64) -> AttributionRecord? {
        attributions.values.first { $0.userRowId == userRowId && $0.outcome.isEdge && $0.validTo == nil }
    }

    func hasEverBeenAttributed(userRowId: Int64) -> Bool {
        attributions.values.contains { $0.userRowId == userRowId && $0.outcome.isEdge }
    }

    func lastPlaceChange(userRowId: Int64) -> Int64? {
        attributions.values.filter { $0.userRowId == userRowId }.compactMap(\.placeChange).max()
    }

    func save(_ attribution: AttributionRecord, isNew: Bool) {
        put(attribution, in: &attributions)
    }

    func currentDescendants(of ancestorRowId: Int64) -> [LineageTable.Descendant] {
        paths.filter { $0.ancestorRowId == ancestorRowId && $0.validTo == nil && $0.depth <= LineageTable.storedDepth }
            .map(\.descendant)
            .inTreeOrder()
    }

    func hasCurrentReferrals(_ rowId: Int64) -> Bool {
        paths.contains { $0.ancestorRowId == rowId && $0.depth == 1 && $0.validTo == nil }
    }

    func lastDownlineChange(of ancestorRowId: Int64) -> Int64? {
        paths.filter { $0.ancestorRowId == ancestorRowId }.map { max($0.validFrom, $0.validTo ?? .min) }.max()
    }

    func pathExists(_ key: PathKey, validFrom: Int64) -> Bool {
        paths.contains { Self.key(of: $0) == key && $0.validFrom == validFrom }
    }

    func openPath(_ key: PathKey, descendantRowId: Int64, validFrom: Int64) {
        changeCount += 1
        paths.append(LineageTable.Path(
            ancestorRowId: key.ancestorRowId, depth: key.depth, attributedAt: key.attributedAt,
            descendantUserId: key.descendantUserId, validFrom: validFrom, validTo: nil, descendantRowId: descendantRowId))
    }

    func closePath(_ key: PathKey, validTo: Int64) {
        changeCount += 1
        if let index = paths.firstIndex(where: { Self.key(of: $0) == key && $0.validTo == nil }) {
            paths[index].validTo = validTo
        }
    }

    private static func key(of path: LineageTable.Path) -> PathKey {
        PathKey(
            ancestorRowId: path.ancestorRowId, depth: path.depth, attributedAt: path.attributedAt,
            descendantUserId: path.descendantUserId)
    }
}
