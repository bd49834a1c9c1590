/// What `Ledger.verify()` found.
public struct VerificationReport: Sendable, Equatable {
    /// One thing wrong with the ledger.
    public struct Problem: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// The hash chain breaks at `seq`: an event was changed, removed, inserted or reordered.
            case chain
            /// `PRAGMA integrity_check` reported a problem in the file.
            case integrity
            /// `PRAGMA foreign_key_check` found a row pointing at nothing.
            case foreignKey = "foreign_key"
            /// A trigger that keeps the log append-only is missing.
            case trigger
            /// A derived row disagrees with the event log.
            case derived
        }

        public var kind: Kind
        /// The first sequence number concerned, when there is one.
        public var seq: Int64?
        public var message: String

        public init(kind: Kind, seq: Int64? = nil, message: String) {
            self.kind = kind
            self.seq = seq
            self.message = message
        }

        public var json: JSONValue {
            .object([
                ("kind", .string(kind.rawValue)), ("seq", seq.map { .integer($0) } ?? .null),
                ("message", .string(message)),
            ])
        }
    }

    /// Events read from the log.
    public var events: Int64 = 0
    /// The hash of the last event: keep it outside the database to detect a truncated log later.
    public var headHash: [UInt8]?
    public var problems: [Problem] = []

    public var isIntact: Bool { problems.isEmpty }

    /// The first sequence number where the chain breaks.
    public var firstBadSeq: Int64? {
        problems.filter { $0.kind == .chain }.compactMap(\.seq).min()
    }

    public var json: JSONValue {
        .object([
            ("intact", .bool(isIntact)), ("events", .integer(events)),
            ("headHash", headHash.map { .string($0.hex) } ?? .null),
            ("firstBadSeq", firstBadSeq.map { .integer($0) } ?? .null),
            ("problems", .array(problems.map(\.json))),
        ])
    }
}
