extension Step {
    /// Decodes and validates one step from JSON text (one NDJSON line).
    ///
    /// Checks, in order: the JSON itself (`INVALID_JSON`), `step` (`MISSING_FIELD`,
    /// `UNKNOWN_STEP`), members the step does not define (`UNKNOWN_FIELD`), then each field in the
    /// order Steps.md lists them (`MISSING_FIELD`, `INVALID_FIELD`).
    public init(json: String) throws(LedgerError) {
        var json = json
        let result: Result<Step, LedgerError> = json.withUTF8 { bytes in
            Result { () throws(LedgerError) -> Step in try Step(jsonBytes: bytes) }
        }
        self = try result.get()
    }

    /// Decodes a step from bytes as received: they must be valid UTF-8 (no byte order mark).
    public init(jsonBytes bytes: [UInt8]) throws(LedgerError) {
        let result: Result<Step, LedgerError> = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(LedgerError) -> Step in try Step(jsonBytes: buffer) }
        }
        self = try result.get()
    }

    public init(jsonBytes bytes: UnsafeBufferPointer<UInt8>) throws(LedgerError) {
        try self.init(value: Self.parseJSON(bytes))
    }

    /// The strict JSON parse every step goes through first, from `record` and `ingest` alike:
    /// invalid UTF-8, a byte order mark, control characters and the rest are `INVALID_JSON`.
    static func parseJSON(_ bytes: UnsafeBufferPointer<UInt8>) throws(LedgerError) -> JSONValue {
        do {
            return try JSONParser.parse(bytes)
        } catch {
            throw LedgerError(.invalidJSON, "invalid JSON: \(error)")
        }
    }

    /// Validates an already parsed JSON value.
    public init(value: JSONValue) throws(LedgerError) {
        guard case .object(let members) = value else {
            throw LedgerError(.invalidJSON, "a step must be a JSON object, got \(FieldReader.show(value))")
        }
        var reader = FieldReader(members: members)
        guard let stepValue = members.first(where: { $0.0 == "step" })?.1 else {
            throw FieldReader.missing("step")
        }
        guard case .string(let name) = stepValue else {
            throw LedgerError(.invalidField, field: "step", "step must be a string, got \(FieldReader.show(stepValue))")
        }
        guard let kind = Kind(rawValue: name) else {
            throw LedgerError(
                .unknownStep, field: "step",
                "unknown step \(FieldReader.show(stepValue)); expected one of "
                    + Kind.allCases.map(\.rawValue).joined(separator: ", "))
        }
        try reader.rejectUnknown(allowed: Self.allowedFields[kind]!, step: name)

        let eventId = try reader.text("eventId", .printable(128))
        let brokerCrmName = try reader.text("brokerCrmName", .brokerCrmName)
        let at = try reader.timestamp("at")
        let brokerName = kind == .inviteReceived
            ? try reader.text("brokerName", .printable(128))
            : try reader.optionalText("brokerName", .printable(128))
        let body = try Self.decodeBody(kind, &reader)

        self.kind = kind
        self.eventId = eventId
        self.brokerCrmName = brokerCrmName
        self.at = at
        self.brokerName = brokerName
        self.body = body
        self.payload = JSONValue.object([("step", .string(name))] + reader.canonical).canonical()
    }

    static let commonFields: Set<String> = ["step", "eventId", "brokerCrmName", "at", "brokerName"]

    static let fields: [Kind: Set<String>] = [
        .brokerConfigured: ["guaranteedAttributionDays"],
        .partnerRegistered: ["crmPartnerRef", "userId", "ctidTraderAccountId"],
        .userCreated: ["userId", "signupId", "partnerId", "crmPartnerRef"],
        .accountLinked: ["userId", "ctidTraderAccountId", "traderLogin"],
        .referralSet: ["partnerId", "userId", "ctidTraderAccountId", "crmPartnerRef"],
        .referralDeleted: ["userId", "ctidTraderAccountId"],
        .linkIssued: ["linkId", "partnerId", "url"],
        .linkGenerated: ["linkId", "partnerId", "url", "target"],
        .linkClicked: ["partnerId", "linkId", "visitorId"],
        .signupSubmitted: ["signupId", "partnerId", "visitorId"],
        .inviteReceived: ["invitedUserId", "partnerUserId", "brokerPartnerId"],
        .attributionReassigned: ["userId", "partnerId", "reason", "operator", "force"],
    ]

    /// Every field a step of each kind may have: the common ones and its own, joined once (joining
    /// them for each step decoded was a twentieth of decoding it).
    static let allowedFields: [Kind: Set<String>] = fields.mapValues { commonFields.union($0) }

    private static let crmPartnerRef = TextRule.printable(64)
    private static let callerId = TextRule.printable(128)

    private static func decodeBody(_ kind: Kind, _ reader: inout FieldReader) throws(LedgerError) -> Body {
        switch kind {
        case .brokerConfigured:
            guard let days = try reader.optionalInteger("guaranteedAttributionDays", in: 0...36_500) else {
                throw FieldReader.missing("guaranteedAttributionDays")
            }
            return .brokerConfigured(guaranteedAttributionDays: days)

        case .partnerRegistered:
            let ref = try reader.text("crmPartnerRef", crmPartnerRef)
            let userId = try reader.optionalID("userId")
            let accountId = try reader.optionalID("ctidTraderAccountId")
            if userId != nil && accountId != nil {
                throw LedgerError(
                    .invalidField, field: "ctidTraderAccountId",
                    "give either userId or ctidTraderAccountId, not both (the account names its user)")
            }
            return .partnerRegistered(crmPartnerRef: ref, userId: userId, ctidTraderAccountId: accountId)

        case .userCreated:
            let userId = try reader.id("userId")
            let signupId = try reader.optionalText("signupId", callerId)
            let partnerId = try reader.optionalText("partnerId", .partnerId)
            if signupId != nil && partnerId != nil {
                throw LedgerError(
                    .invalidField, field: "partnerId",
                    "give either signupId (the signup carries the partnerId) or partnerId, not both")
            }
            let ref = try reader.optionalText("crmPartnerRef", crmPartnerRef)
            return .userCreated(userId: userId, signupId: signupId, partnerId: partnerId, crmPartnerRef: ref)

        case .accountLinked:
            let userId = try reader.id("userId")
            let accountId = try reader.id("ctidTraderAccountId")
            let login = try reader.optionalID("traderLogin")
            return .accountLinked(userId: userId, ctidTraderAccountId: accountId, traderLogin: login)

        case .referralSet:
            let partnerId = try reader.text("partnerId", .partnerId)
            let holder: Holder
            switch (reader.has("userId"), reader.has("ctidTraderAccountId")) {
            case (true, false): holder = .user(try reader.id("userId"))
            case (false, true): holder = .account(try reader.id("ctidTraderAccountId"))
            case (true, true):
                throw LedgerError(
                    .invalidField, field: "ctidTraderAccountId",
                    "give exactly one of userId (user level) or ctidTraderAccountId (account level), not both")
            case (false, false):
                throw LedgerError(
                    .missingField, field: "userId",
                    "missing field \"userId\" or \"ctidTraderAccountId\" (exactly one is required)")
            }
            let ref = try reader.optionalText("crmPartnerRef", crmPartnerRef)
            return .referralSet(partnerId: partnerId, holder: holder, crmPartnerRef: ref)

        case .referralDeleted:
            let userId = try reader.id("userId")
            let accountId = try reader.optionalID("ctidTraderAccountId")
            return .referralDeleted(userId: userId, ctidTraderAccountId: accountId)

        case .linkIssued:
            let linkId = try reader.text("linkId", callerId)
            let partnerId = try reader.text("partnerId", .partnerId)
            let url = try reader.text("url", .url)
            return .linkIssued(linkId: linkId, partnerId: partnerId, url: url)

        case .linkGenerated:
            let linkId = try reader.text("linkId", callerId)
            let partnerId = try reader.text("partnerId", .partnerId)
            let url = try reader.text("url", .url)
            let target = try reader.optionalText("target", .printable(256))
            return .linkGenerated(linkId: linkId, partnerId: partnerId, url: url, target: target)

        case .linkClicked:
            let partnerId = try reader.text("partnerId", .partnerId)
            let linkId = try reader.optionalText("linkId", callerId)
            let visitorId = try reader.optionalText("visitorId", callerId)
            return .linkClicked(partnerId: partnerId, linkId: linkId, visitorId: visitorId)

        case .signupSubmitted:
            let signupId = try reader.text("signupId", callerId)
            let partnerId = try reader.optionalText("partnerId", .partnerId)
            let visitorId = try reader.optionalText("visitorId", callerId)
            return .signupSubmitted(signupId: signupId, partnerId: partnerId, visitorId: visitorId)

        case .inviteReceived:
            let invited = try reader.id("invitedUserId")
            let partnerUser = try reader.id("partnerUserId")
            let brokerPartnerId = try reader.optionalText("brokerPartnerId", .partnerId)
            return .inviteReceived(invitedUserId: invited, partnerUserId: partnerUser, brokerPartnerId: brokerPartnerId)

        case .attributionReassigned:
            let userId = try reader.id("userId")
            let partnerId = try reader.nullableText("partnerId", .partnerId)
            let reason = try reader.text("reason", .printable(1000))
            let operatorName = try reader.text("operator", .printable(128))
            let force = try reader.optionalBool("force") ?? false
            return .attributionReassigned(
                userId: userId, partnerId: partnerId, reason: reason, operator: operatorName, force: force)
        }
    }
}
