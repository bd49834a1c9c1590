import InviteLedger

/// The options every query shares: the broker, the partner or user, the time.
enum QueryOptions {
    static let broker = CommandSignature.Option.value(
        "--broker", "NAME", "The broker (brokerCrmName); may be left out when the ledger holds one.")
    static let partnerOptions: [CommandSignature.Option] = [
        .value("--user-id", "N", "The partner's cTID userId."),
        .value("--account-id", "N", "A trading account (ctidTraderAccountId) holding the partner's partnerId."),
        .value("--partner-id", "ID", "The partner's partnerId."),
        .value("--crm-partner-ref", "REF", "The partner's reference in the broker's CRM."),
    ]
    static let subjectOptions: [CommandSignature.Option] = [
        .value("--user-id", "N", "The cTID userId."),
        .value("--account-id", "N", "The trading account (ctidTraderAccountId)."),
    ]
    static let asOf = CommandSignature.Option.value(
        "--as-of", "TIME", "The tree as it stood at this RFC 3339 time, or at the start of a date (UTC) (default: now).")

    static func partner(_ arguments: ParsedArguments) throws -> PartnerReference {
        var given: [PartnerReference] = []
        if let id = try arguments.integer("--user-id", in: 1...Int64.max) { given.append(.userId(id)) }
        if let id = try arguments.integer("--account-id", in: 1...Int64.max) { given.append(.accountId(id)) }
        if let id = arguments.string("--partner-id") { given.append(.partnerId(id)) }
        if let ref = arguments.string("--crm-partner-ref") { given.append(.crmPartnerRef(ref)) }
        guard given.count == 1 else {
            throw UsageError("name the partner with exactly one of --user-id, --account-id, --partner-id, --crm-partner-ref")
        }
        return given[0]
    }

    static func subject(_ arguments: ParsedArguments) throws -> SubjectReference {
        let user = try arguments.integer("--user-id", in: 1...Int64.max)
        let account = try arguments.integer("--account-id", in: 1...Int64.max)
        switch (user, account) {
        case (let id?, nil): return .userId(id)
        case (nil, let id?): return .accountId(id)
        default: throw UsageError("name exactly one of --user-id or --account-id")
        }
    }

    /// An RFC 3339 time, or a date alone (`2026-03-05`: the start of that day, UTC).
    static func time(_ arguments: ParsedArguments, _ name: String) throws -> Timestamp? {
        guard let text = arguments.string(name) else { return nil }
        let isDate = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == 0x2D : (0x30...0x39).contains(byte)
        }
        guard let time = Timestamp(rfc3339: isDate ? text + "T00:00:00Z" : text) else {
            throw UsageError(
                "option \(name): expected an RFC 3339 time such as 2026-03-31T00:00:00Z, or a date such as 2026-03-31, got \(text.debugDescription)")
        }
        return time
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
