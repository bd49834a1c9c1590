/// How `attributeActivity` reads a broker's activity rows (deals, volumes, deposits) and which
/// upline it adds to each.
public struct ActivityOptions: Sendable {
    /// The two input formats; the output has the input's format.
    public enum Format: String, Sendable, CaseIterable {
        /// RFC 4180 CSV with a header line.
        case csv
        /// One JSON object per line.
        case ndjson
    }

    /// The broker; may be nil when the ledger holds one.
    public var broker: String?
    /// Upline levels to add, 1 to `ReportOptions.maximumLevels`.
    public var levels: Int
    public var format: Format
    /// The column (CSV) or key (NDJSON) holding each row's time, RFC 3339.
    public var timeColumn: String
    /// The columns naming the trader: a cTrader userId, or a trading account's
    /// ctidTraderAccountId (a row may give either; the userId wins when both are there).
    public var userColumn: String
    public var accountColumn: String
    /// Stop at the first bad row instead of reporting it and going on.
    public var stopAtFirstError: Bool
    /// Rows with a time in [from, to) only; the others are skipped (counted in the summary).
    public var from: Timestamp?
    public var to: Timestamp?
    /// With columns named here, the output is not the rows but their totals: per level and
    /// partner, the rows, the distinct traders, and the exact sum of each of these columns.
    public var sums: [String]

    public init(
        broker: String? = nil, levels: Int = 3, format: Format = .csv, timeColumn: String = "at",
        userColumn: String = "userId", accountColumn: String = "ctidTraderAccountId", stopAtFirstError: Bool = false,
        from: Timestamp? = nil, to: Timestamp? = nil, sums: [String] = []
    ) {
        self.from = from
        self.to = to
        self.sums = sums
        self.broker = broker
        self.levels = levels
        self.format = format
        self.timeColumn = timeColumn
        self.userColumn = userColumn
        self.accountColumn = accountColumn
        self.stopAtFirstError = stopAtFirstError
    }

    /// The columns added to every row, in order.
    public static func addedColumns(levels: Int) -> [String] {
        ["attributed"] + (1...max(1, levels)).flatMap { ["level\($0)UserId", "level\($0)PartnerId"] }
    }

    /// The columns of the totals, in order.
    public static func totalColumns(sums: [String]) -> [String] {
        ["level", "partnerUserId", "partnerId", "rows", "traders"] + sums
    }

    func validate() throws {
        if let from, let to, to < from {
            throw LedgerError(.invalidField, field: "--to", "to (\(to.rfc3339)) is before from (\(from.rfc3339))")
        }
        let fixed = Self.totalColumns(sums: [])
        for name in sums where name.isEmpty || fixed.contains(name) || [timeColumn, userColumn, accountColumn].contains(name) {
            throw LedgerError(
                .invalidField, field: "--sum",
                "cannot sum \(FieldReader.quote(name)): name a numeric column other than the time and trader columns and \(fixed.joined(separator: ", "))")
        }
        guard Set(sums).count == sums.count else {
            throw LedgerError(.invalidField, field: "--sum", "a column is named twice in \(sums.joined(separator: ","))")
        }
        guard (1...ReportOptions.maximumLevels).contains(levels) else {
            throw LedgerError(
                .invalidField, field: "--levels", "levels must be from 1 to \(ReportOptions.maximumLevels), got \(levels)")
        }
        for (field, name) in [("--time-column", timeColumn), ("--user-column", userColumn), ("--account-column", accountColumn)]
        where name.isEmpty {
            throw LedgerError(.invalidField, field: field, "a column name cannot be empty")
        }
        guard Set([timeColumn, userColumn, accountColumn]).count == 3 else {
            throw LedgerError(
                .invalidField, field: "--time-column",
                "the time, user and account columns must differ, got \(timeColumn), \(userColumn), \(accountColumn)")
        }
    }
}

/// A row `attributeActivity` could not attribute: it is left out of the output (thrown, with
/// `stopAtFirstError`).
public struct ActivityRejection: Error, Sendable, Equatable {
    /// 1-based line of the input (for CSV, the line where the record begins; the header is line 1).
    public var line: Int
    public var error: LedgerError

    /// `{"error":{"code":"UNKNOWN_ACCOUNT","field":"ctidTraderAccountId","message":"..."},"line":3}`,
    /// the shape `ingest` reports a line in.
    public var json: JSONValue {
        .object([("error", error.json), ("line", .integer(Int64(line)))])
    }
}

/// What `attributeActivity` did.
public struct ActivitySummary: Sendable, Equatable {
    /// Data rows read (the header not counted).
    public var rows = 0
    /// Rows written with their upline (with `sums`: rows counted in the totals).
    public var written = 0
    /// Rows written whose trader had no partner at the row's time (`attributed` false).
    public var unattributed = 0
    /// Rows left out, each reported.
    public var rejected = 0
    /// Rows skipped because their time is outside [from, to).
    public var outsidePeriod = 0
    /// The last event of the ledger snapshot the upline was read from.
    public var snapshotSeq: Int64 = 0

    /// Adds the counts of another part of the input (not its snapshot).
    mutating func add(_ other: ActivitySummary) {
        rows += other.rows
        written += other.written
        unattributed += other.unattributed
        rejected += other.rejected
        outsidePeriod += other.outsidePeriod
    }

    public var json: JSONValue {
        .object([
            ("rows", .integer(Int64(rows))), ("written", .integer(Int64(written))),
            ("unattributed", .integer(Int64(unattributed))), ("rejected", .integer(Int64(rejected))),
            ("outsidePeriod", .integer(Int64(outsidePeriod))),
            ("snapshotSeq", .integer(snapshotSeq)),
        ])
    }
}
