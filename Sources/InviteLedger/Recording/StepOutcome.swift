/// What recording a step did: its place in the log and the ledger's decision.
public struct StepOutcome: Sendable, Equatable {
    public enum Status: String, Sendable {
        /// Appended to the log now.
        case recorded
        /// The same `eventId` with the same content was already recorded: nothing changed.
        case duplicate
    }

    public var seq: Int64
    public var eventId: String
    public var step: Step.Kind
    public var status: Status
    /// The decision as stored in the log: an object whose `result` names it (`ATTRIBUTED`,
    /// `ASSIGNED`, `UNCHANGED`, ...), with the details Steps.md lists.
    public var decision: JSONValue
    public var hash: [UInt8]

    /// `result` of the decision.
    public var result: String {
        if case .string(let result)? = decision["result"] { return result }
        return ""
    }

    /// The outcome as printed by `invite-ledger record`:
    /// `{"seq":1,"eventId":"e1","step":"user.created","status":"recorded","result":"ATTRIBUTED",...,"hash":"..."}`.
    public var json: JSONValue {
        var members: [(String, JSONValue)] = [
            ("seq", .integer(seq)), ("eventId", .string(eventId)), ("step", .string(step.rawValue)),
            ("status", .string(status.rawValue)),
        ]
        if case .object(let decisionMembers) = decision {
            members += decisionMembers
        }
        members.append(("hash", .string(hash.hex)))
        return .object(members)
    }
}
