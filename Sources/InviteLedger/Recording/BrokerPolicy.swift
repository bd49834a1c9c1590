/// Which brokers a write may name. A ledger knows a broker only once it was introduced on purpose,
/// so a typo in `brokerCrmName` is refused rather than starting a second broker for ever.
///
///     let ledger = try Ledger(path: path)                                      // .knownBrokers
///     let pinned = try Ledger(path: path, brokers: .only("acme"))              // acme's steps only
///     let loader = try Ledger(path: path, brokers: .init(acceptsNewBrokers: true))
public struct BrokerPolicy: Sendable, Equatable {
    /// The one broker writes may name (`BROKER_NOT_ALLOWED` for any other); nil: any.
    public var only: String?
    /// A step may introduce a broker the ledger does not know: the first step naming it creates
    /// it. When false, only a `broker.configured` step introduces one, and any other step naming
    /// an unknown broker is `UNKNOWN_BROKER`.
    public var acceptsNewBrokers: Bool

    public init(only: String? = nil, acceptsNewBrokers: Bool = false) {
        self.only = only
        self.acceptsNewBrokers = acceptsNewBrokers
    }

    /// The brokers the ledger knows, and those a `broker.configured` step introduces.
    public static let knownBrokers = BrokerPolicy()

    /// Every broker a step names: how a log is replayed (`verify`, `rebuild`), since its events
    /// were accepted when they were recorded.
    public static let anyBroker = BrokerPolicy(acceptsNewBrokers: true)

    /// One broker's steps only; it must be known, or introduced by `broker.configured`, unless
    /// `acceptsNewBrokers`.
    public static func only(_ brokerCrmName: String, acceptsNewBrokers: Bool = false) -> BrokerPolicy {
        BrokerPolicy(only: brokerCrmName, acceptsNewBrokers: acceptsNewBrokers)
    }

    /// Refuses a step this policy does not let through.
    ///
    /// - Parameters:
    ///   - isKnown: the ledger knows the step's broker.
    ///   - knownBrokers: the brokers the ledger knows, for the error's did-you-mean.
    func check(_ step: Step, isKnown: Bool, knownBrokers: () throws -> [String]) throws {
        let name = step.brokerCrmName
        if let only, name != only {
            throw LedgerError(
                .brokerNotAllowed, field: "brokerCrmName",
                "brokerCrmName \(FieldReader.quote(name)) is not \(FieldReader.quote(only)), the one broker these writes accept")
        }
        guard !isKnown, !acceptsNewBrokers, step.kind != .brokerConfigured else { return }
        let known = try knownBrokers()
        let hint = Suggestion.nearest(to: name, among: known).map { " (did you mean \(FieldReader.quote($0))?)" } ?? ""
        let list = known.isEmpty ? "it knows no broker yet" : "it knows \(known.map(FieldReader.quote).joined(separator: ", "))"
        throw LedgerError(
            .unknownBroker, field: "brokerCrmName",
            "no broker \(FieldReader.quote(name)) in this ledger\(hint); \(list). A broker is introduced by a broker.configured step, or by a write that accepts new brokers")
    }
}
