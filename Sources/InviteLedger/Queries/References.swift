/// A partner as the client area names it.
public enum PartnerReference: Sendable, Equatable, CustomStringConvertible {
    case userId(Int64)
    /// An account-level holder: its tree is its owner's.
    case accountId(Int64)
    case partnerId(String)
    case crmPartnerRef(String)

    public var description: String {
        switch self {
        case .userId(let id): "user \(id)"
        case .accountId(let id): "trading account \(id)"
        case .partnerId(let id): "partnerId \(FieldReader.quote(id))"
        case .crmPartnerRef(let ref): "partner \(FieldReader.quote(ref))"
        }
    }
}

/// A user or a trading account, for the GET, the upline and the trace.
public enum SubjectReference: Sendable, Equatable, CustomStringConvertible {
    case userId(Int64)
    case accountId(Int64)

    public var description: String {
        switch self {
        case .userId(let id): "user \(id)"
        case .accountId(let id): "trading account \(id)"
        }
    }
}
