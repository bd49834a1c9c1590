import LedgerStore

/// What a report wrote, and which state of the ledger it read.
public struct ReportSummary: Sendable, Equatable {
    public var rows: Int
    /// The last event sequence number in the snapshot the report read: it contains exactly what
    /// was committed up to that event.
    public var snapshotSeq: Int64
}

/// The period and shape shared by the reports.
public struct ReportOptions: Sendable {
    /// The broker; may be nil when the ledger holds one.
    public var broker: String?
    /// Decisions at or after this time (inclusive); nil for the beginning.
    public var from: Timestamp?
    /// Decisions before this time (exclusive); nil for no end.
    public var to: Timestamp?
    /// Upline levels (attributions) or downline levels (partners), 1 to `maximumLevels`.
    public var levels: Int
    public var format: ReportFormat

    public static let maximumLevels = 20

    public init(broker: String? = nil, from: Timestamp? = nil, to: Timestamp? = nil, levels: Int = 3, format: ReportFormat = .csv) {
        self.broker = broker
        self.from = from
        self.to = to
        self.levels = levels
        self.format = format
    }

    func validate() throws {
        guard (1...Self.maximumLevels).contains(levels) else {
            throw LedgerError(.invalidField, field: "--levels", "levels must be from 1 to \(Self.maximumLevels), got \(levels)")
        }
        if let from, let to, to < from {
            throw LedgerError(.invalidField, field: "--to", "to (\(to.rfc3339)) is before from (\(from.rfc3339))")
        }
    }

    var fromMilliseconds: Int64 { from?.milliseconds ?? Int64.min }
    var toMilliseconds: Int64 { to?.milliseconds ?? Int64.max }
}
