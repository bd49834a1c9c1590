/// What `Ledger.verify()` found.
public struct VerificationReport: Sendable, Equatable {
    /// One thing wrong with the ledger.
    public struct Problem: Sendable, Equatable {
        public enum Kind: String, Sendable {
            /// The hash chain breaks at `seq`: an event was changed, removed, inserted or reordered.
            case chain
            /// An event row disagrees with its own hashed content, or its payload or outcome no
            /// longer parses, or replaying it does not give the outcome it was recorded with.
            case event
            /// A row of a table derived from the log is missing, extra or changed (`table`, `key`,
            /// `column`): the log, replayed, does not give it.
            case row
            /// A table, index or trigger differs from what the migrations create.
            case schema
            /// `PRAGMA integrity_check` reported damage in the file, or the file cannot be read.
            case integrity
            /// `PRAGMA foreign_key_check` found a row pointing at nothing.
            case foreignKey = "foreign_key"
            /// The head witness kept beside the database does not match the log: the log was cut
            /// short, rolled back, or the file replaced.
            case witness
        }

        public var kind: Kind
        /// The first sequence number concerned, when there is one.
        public var seq: Int64?
        /// The table concerned, for `row`, `schema` and `foreign_key` problems.
        public var table: String?
        /// The row concerned, as `column=value` pairs of its primary key.
        public var key: String?
        /// The column that differs, for a changed row.
        public var column: String?
        public var message: String

        public init(
            kind: Kind, seq: Int64? = nil, table: String? = nil, key: String? = nil, column: String? = nil,
            message: String
        ) {
            self.kind = kind
            self.seq = seq
            self.table = table
            self.key = key
            self.column = column
            self.message = message
        }

        public var json: JSONValue {
            var members: [(String, JSONValue)] = [
                ("kind", .string(kind.rawValue)), ("seq", seq.map { .integer($0) } ?? .null),
            ]
            for (name, value) in [("table", table), ("key", key), ("column", column)] {
                if let value { members.append((name, .string(value))) }
            }
            members.append(("message", .string(message)))
            return .object(members)
        }
    }

    /// Events read from the log.
    public var events: Int64 = 0
    /// Events at the start of the log hashed in the legacy format (without recordedAt): recorded
    /// by a version of invite-ledger from before recordedAt was hashed.
    public var legacyEvents: Int64 = 0
    /// Events replayed into a scratch ledger and compared (0 with `--chain-only`).
    public var replayedEvents: Int64 = 0
    /// Rows of derived tables compared with the replay.
    public var comparedRows: Int64 = 0
    /// The hash of the last event: keep it outside the database to detect a truncated log later.
    public var headHash: [UInt8]?
    public var problems: [Problem] = []

    public init() {}

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
            ("legacyEvents", .integer(legacyEvents)), ("replayedEvents", .integer(replayedEvents)),
            ("comparedRows", .integer(comparedRows)),
            ("problems", .array(problems.map(\.json))),
        ])
    }
}
