/// A rejection by the ledger: a stable code (listed in Steps.md), the field at fault, and a message.
///
/// Codes never change meaning; programs match on them. Messages are for people and name the
/// value at fault where it is safe to show.
public struct LedgerError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable, Codable {
        // Input that cannot be decoded or does not follow the step's shape.
        case invalidJSON = "INVALID_JSON"
        case unknownStep = "UNKNOWN_STEP"
        case missingField = "MISSING_FIELD"
        case unknownField = "UNKNOWN_FIELD"
        case invalidField = "INVALID_FIELD"
        // Steps naming what earlier steps did not create, or contradicting them.
        case unknownUser = "UNKNOWN_USER"
        case unknownAccount = "UNKNOWN_ACCOUNT"
        case unknownSignup = "UNKNOWN_SIGNUP"
        case unknownPartnerId = "UNKNOWN_PARTNER_ID"
        case unknownPartner = "UNKNOWN_PARTNER"
        case unknownLink = "UNKNOWN_LINK"
        case duplicateUser = "DUPLICATE_USER"
        case duplicatePartner = "DUPLICATE_PARTNER"
        case duplicateLink = "DUPLICATE_LINK"
        case duplicateSignup = "DUPLICATE_SIGNUP"
        case signupAlreadyCompleted = "SIGNUP_ALREADY_COMPLETED"
        case accountOwnedByOtherUser = "ACCOUNT_OWNED_BY_OTHER_USER"
        case partnerIdTaken = "PARTNER_ID_TAKEN"
        case partnerIdInactive = "PARTNER_ID_INACTIVE"
        case partnerAlreadyLinked = "PARTNER_ALREADY_LINKED"
        case idempotencyConflict = "IDEMPOTENCY_CONFLICT"
        /// A write pinned to one broker got a step of another.
        case brokerNotAllowed = "BROKER_NOT_ALLOWED"
        // Reassignment.
        case attributionLocked = "ATTRIBUTION_LOCKED"
        case selfReferral = "SELF_REFERRAL"
        case cycle = "CYCLE"
        // Queries.
        case notFound = "NOT_FOUND"
        case ambiguousBroker = "AMBIGUOUS_BROKER"
        case unknownBroker = "UNKNOWN_BROKER"
        case invalidCursor = "INVALID_CURSOR"
        // The database itself.
        case notInitialized = "NOT_INITIALIZED"
        case schemaOutdated = "SCHEMA_OUTDATED"
    }

    public var code: Code
    /// The input field at fault (`userId`, `partnerId`, ...), when there is one.
    public var field: String?
    public var message: String

    public init(_ code: Code, field: String? = nil, _ message: String) {
        self.code = code
        self.field = field
        self.message = message
    }

    /// `{"code":"UNKNOWN_USER","field":"userId","message":"..."}`: the error as every command says it.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [("code", .string(code.rawValue))]
        if let field {
            members.append(("field", .string(field)))
        }
        members.append(("message", .string(message)))
        return .object(members)
    }

    public var description: String {
        if let field {
            return "\(code.rawValue) (\(field)): \(message)"
        }
        return "\(code.rawValue): \(message)"
    }
}
