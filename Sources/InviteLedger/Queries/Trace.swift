import LedgerStore

/// How a user was attributed: the ordered steps that led to it, for the user and each partner
/// above it, each with its place in the log and whether its hash still verifies.
public struct Trace: Sendable, Equatable {
    /// One recorded step that took part.
    public struct Step: Sendable, Equatable {
        public var seq: Int64
        public var step: String
        public var eventId: String
        public var at: Timestamp
        /// What the step was to this user: `partner registration`, `partnerId assignment`, `link`,
        /// `click`, `signup`, `user creation`, `attribution`, `invite`, `rejection`, `reassignment`,
        /// `detachment`, `account link`; two joined by ` + ` when one step did both.
        public var role: String
        /// The decision recorded with the step (its `result` and details, `forced` included).
        public var outcome: JSONValue
        public var hash: [UInt8]
        /// The hash recomputes from the event's content and links to the previous event, and every
        /// row the trace shows through this step agrees with what the event recorded.
        public var verified: Bool
    }

    /// A partner the user came across, and how.
    public struct PartnerMet: Sendable, Equatable {
        public var partnerId: String
        /// The user holding the partnerId, when someone does.
        public var partnerUserId: Int64?
        /// `attribution`, `rejection`, `reassignment`, `invite` or `click`, the first time.
        public var how: String
        public var firstSeq: Int64
        /// True for the partner the user is attributed to now.
        public var isCurrent: Bool
    }

    /// The steps about one user: the subject (level 0) or a partner above it.
    public struct Section: Sendable, Equatable {
        public var level: Int64
        public var userId: Int64
        public var steps: [Step]
        public var partnersMet: [PartnerMet]
    }

    public var brokerCrmName: String
    public var userId: Int64
    public var ctidTraderAccountId: Int64?
    public var sections: [Section]
    /// Where a row the trace rests on (an attribution, the signup, click and link it cites)
    /// disagrees with the event it cites: empty when the log backs every one.
    public var problems: [RowProblem] = []

    /// True when every step shown verifies and every row the trace rests on is what its event
    /// recorded.
    public var isVerified: Bool { problems.isEmpty && sections.allSatisfy { $0.steps.allSatisfy(\.verified) } }
}
