import LedgerStore

/// What the rules decide against: the lookups they make and the changes they record. The rules
/// (`StepRules`, `StepRecorder`) see a ledger only through it, so they run the same on the
/// database (`LedgerState`, which reads SQLite and overlays what a batch changed) and on plain
/// values in memory (`MemoryState`, which the model test and the rules' own tests use).
///
/// Lookups answer with the latest form of a row: a change recorded before is seen by the next
/// lookup. Every change counts in `changeCount`, which lets the recorder prove that a rejected step
/// changed nothing. Row ids are handed out by `nextId`, in creation order, one table at a time.
protocol RuleState: AnyObject {
    /// How many changes were recorded.
    var changeCount: Int { get }

    // MARK: The log and the brokers
    func head() throws -> (seq: Int64, hash: [UInt8])?
    func event(brokerId: Int64, eventId: String) throws -> EventRecord?
    func append(_ event: EventRecord)
    func broker(named name: String) throws -> BrokerRecord?
    /// The broker of that id as last saved, when this state saved it (a broker a step is creating).
    func savedBroker(id: Int64) -> BrokerRecord?
    func brokerNames() throws -> [String]
    func save(_ broker: BrokerRecord, isNew: Bool)

    // MARK: Row ids
    func nextId(_ table: String) throws -> Int64
    func peekId(_ table: String) throws -> Int64

    // MARK: Users, accounts, partners
    func user(brokerId: Int64, userId: Int64) throws -> UserRecord?
    func user(id: Int64) throws -> UserRecord?
    func create(_ user: UserRecord)
    func account(brokerId: Int64, ctidTraderAccountId: Int64) throws -> AccountRecord?
    func account(id: Int64) throws -> AccountRecord?
    func save(_ account: AccountRecord, isNew: Bool)
    func partner(brokerId: Int64, crmPartnerRef: String) throws -> PartnerRecord?
    func partner(userRowId: Int64) throws -> PartnerRecord?
    func save(_ partner: PartnerRecord, isNew: Bool)

    // MARK: partnerIds and their assignments
    func holder(brokerId: Int64, partnerId: String) throws -> HolderRecord?
    func holder(id: Int64) throws -> HolderRecord?
    /// Every partnerId a user holds or held, oldest first.
    func holders(userRowId: Int64) throws -> [HolderRecord]
    func create(_ holder: HolderRecord)
    /// Every assignment of a holder.
    func assignments(holderRowId: Int64) throws -> [AssignmentRecord]
    func activeAssignment(userRowId: Int64) throws -> AssignmentRecord?
    func activeAssignment(accountRowId: Int64) throws -> AssignmentRecord?
    func save(_ assignment: AssignmentRecord, isNew: Bool)

    // MARK: Links, clicks, signups
    func link(brokerId: Int64, linkId: String) throws -> LinkRecord?
    func link(id: Int64) throws -> LinkRecord?
    func create(_ link: LinkRecord)
    func click(id: Int64) throws -> ClickRecord?
    /// The visitor's last click on a partnerId at or before `at`.
    func lastClick(brokerId: Int64, visitorId: String, partnerId: String, notAfter at: Int64) throws -> ClickRecord?
    func create(_ click: ClickRecord)
    func signup(brokerId: Int64, signupId: String) throws -> SignupRecord?
    func save(_ signup: SignupRecord, isNew: Bool)

    // MARK: Attributions and the tree
    /// The user's current edge: accepted and not ended.
    func currentEdge(userRowId: Int64) throws -> AttributionRecord?
    func hasEverBeenAttributed(userRowId: Int64) throws -> Bool
    /// When the user's partner last changed (its latest attribution, reassignment or detachment).
    func lastPlaceChange(userRowId: Int64) throws -> Int64?
    func save(_ attribution: AttributionRecord, isNew: Bool)
    /// Every current descendant of a node (to `LineageTable.storedDepth`), with depths relative to it.
    func currentDescendants(of ancestorRowId: Int64) throws -> [LineageTable.Descendant]
    func hasCurrentReferrals(_ rowId: Int64) throws -> Bool
    /// When the downline of a node last changed (a path from it opened or closed).
    func lastDownlineChange(of ancestorRowId: Int64) throws -> Int64?
    /// True when a path with this key began at `validFrom`, open or closed.
    func pathExists(_ key: PathKey, validFrom: Int64) throws -> Bool
    func openPath(_ key: PathKey, descendantRowId: Int64, validFrom: Int64)
    /// Closes the current path of a key.
    func closePath(_ key: PathKey, validTo: Int64)
}

extension RuleState {
    /// The assignment of a holder in force at `at` (validFrom <= at < validTo), the latest first.
    func coveringAssignment(holderRowId: Int64, at: Int64) throws -> AssignmentRecord? {
        try assignments(holderRowId: holderRowId)
            .filter { $0.validFrom <= at && ($0.validTo.map { $0 > at } ?? true) }
            .max { ($0.validFrom, $0.id) < ($1.validFrom, $1.id) }
    }

    func save(_ broker: BrokerRecord) { save(broker, isNew: false) }
    func save(_ account: AccountRecord) { save(account, isNew: false) }
    func save(_ partner: PartnerRecord) { save(partner, isNew: false) }
    func save(_ assignment: AssignmentRecord) { save(assignment, isNew: false) }
    func save(_ signup: SignupRecord) { save(signup, isNew: false) }
    func save(_ attribution: AttributionRecord) { save(attribution, isNew: false) }
}

/// A closure path's key, without `validFrom`: the current path of a pair is unique by it.
struct PathKey: Hashable {
    var ancestorRowId: Int64
    var depth: Int64
    var attributedAt: Int64
    var descendantUserId: Int64
}
