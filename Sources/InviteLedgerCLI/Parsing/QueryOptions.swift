import InviteLedger

/// The options every query shares: the broker, the partner or user, the time.
enum QueryOptions {
    static let broker = Option.string("--broker", "NAME", "The broker (brokerCrmName); may be left out when the ledger holds one")
    static let userId = Option.integer("--user-id", "N", "The partner's cTID userId", in: 1...Int64.max)
    static let accountId = Option.integer(
        "--account-id", "N", "A trading account (ctidTraderAccountId) holding the partner's partnerId", in: 1...Int64.max)
    static let partnerId = Option.string("--partner-id", "ID", "The partner's partnerId")
    static let crmPartnerRef = Option.string("--crm-partner-ref", "REF", "The partner's reference in the broker's CRM")
    static let partnerOptions: [any DeclaredOption] = [userId, accountId, partnerId, crmPartnerRef]
    static let subjectUserId = Option.integer("--user-id", "N", "The cTID userId", in: 1...Int64.max)
    static let subjectAccountId = Option.integer("--account-id", "N", "The trading account (ctidTraderAccountId)", in: 1...Int64.max)
    static let subjectOptions: [any DeclaredOption] = [subjectUserId, subjectAccountId]
    static let asOf = Option.time(
        "--as-of", "The tree as it stood at this RFC 3339 time, or at the start of a date (UTC) (default: now)")

    static func partner(_ arguments: ParsedArguments) throws -> PartnerReference {
        var given: [PartnerReference] = []
        if let id = try arguments[userId] { given.append(.userId(id)) }
        if let id = try arguments[accountId] { given.append(.accountId(id)) }
        if let id = try arguments[partnerId] { given.append(.partnerId(id)) }
        if let ref = try arguments[crmPartnerRef] { given.append(.crmPartnerRef(ref)) }
        guard given.count == 1 else {
            throw UsageError(
                "name the partner with exactly one of --user-id, --account-id, --partner-id, --crm-partner-ref",
                field: userId.name)
        }
        return given[0]
    }

    static func subject(_ arguments: ParsedArguments) throws -> SubjectReference {
        switch (try arguments[subjectUserId], try arguments[subjectAccountId]) {
        case (let id?, nil): return .userId(id)
        case (nil, let id?): return .accountId(id)
        default: throw UsageError("name exactly one of --user-id or --account-id", field: subjectUserId.name)
        }
    }
}

extension Optional where Wrapped == Int64 {
    var json: JSONValue { map { .integer($0) } ?? .null }
    var text: String { map(String.init) ?? "" }
}

extension Optional where Wrapped == String {
    var json: JSONValue { map { .string($0) } ?? .null }
}

extension Optional where Wrapped == Timestamp {
    var json: JSONValue { map { .string($0.rfc3339) } ?? .null }
}
