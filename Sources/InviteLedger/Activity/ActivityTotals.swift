/// The totals of `activity --sum`: for each level and partner at that level (or none), the rows,
/// the distinct traders and the exact sum of each summed column. Every row counts once at every
/// level, so each level's totals add up to the same grand total.
struct ActivityTotals {
    struct Key: Hashable {
        /// 0 when the trader had no partner at that level.
        var partnerUserId: Int64
        var partnerId: Int32
    }

    struct Group {
        var rows = 0
        var traders = Set<Int32>()
        var sums: [ExactDecimal]
    }

    let columns: [String]
    private var levels: [[Key: Group]]
    /// The most digits after the point seen in each column: every total is written with as many.
    private var scales: [Int]

    init(levels: Int, columns: [String]) {
        self.columns = columns
        self.levels = Array(repeating: [:], count: levels)
        scales = Array(repeating: 0, count: columns.count)
    }

    /// Parses a row's value of a column; a bad or missing one is an error naming the column.
    static func value(_ text: UnsafeBufferPointer<UInt8>?, column: String) throws -> ExactDecimal {
        guard let text, !text.isEmpty else {
            throw LedgerError(.missingField, field: column, "the row has no \(column) to sum")
        }
        guard let value = ExactDecimal(text) else {
            throw LedgerError(
                .invalidField, field: column,
                "\(column) must be a decimal number (digits, an optional sign and point, at most 18 decimals and 38 digits), got \(ActivityAttributor.quoted(text))")
        }
        return value
    }

    /// Adds a row: its trader and values, at each level under the partner of `path` (edge
    /// indexes, level 1 first) or under none.
    mutating func add(trader: Int32, values: [ExactDecimal], path: ArraySlice<Int>, index: UplineIndex) throws {
        for level in levels.indices {
            let edge = level < path.count ? index.edges[path[path.startIndex + level]] : nil
            let key = Key(partnerUserId: edge?.parentUserId ?? 0, partnerId: edge?.partnerId ?? -1)
            var group = levels[level][key] ?? Group(sums: Array(repeating: .zero, count: columns.count))
            group.rows += 1
            group.traders.insert(trader)
            for (column, value) in values.enumerated() {
                guard let sum = group.sums[column].adding(value) else {
                    throw LedgerError(
                        .invalidField, field: columns[column], "the total of \(columns[column]) no longer fits in 38 digits")
                }
                group.sums[column] = sum
                scales[column] = max(scales[column], value.scale)
            }
            levels[level][key] = group
        }
    }

    /// The totals as CSV or NDJSON, by level, partner userId (none last), then partnerId.
    func write(format: ActivityOptions.Format, texts: [String], into output: inout BlockWriter) throws {
        let names = ActivityOptions.totalColumns(sums: columns)
        if format == .csv {
            CSVWriter.appendRecord(names, to: &output.buffer)
        }
        for (level, groups) in levels.enumerated() {
            let keys = groups.keys.sorted {
                ($0.partnerUserId == 0 ? Int64.max : $0.partnerUserId, $0.partnerId) < ($1.partnerUserId == 0 ? Int64.max : $1.partnerUserId, $1.partnerId)
            }
            for key in keys {
                let group = groups[key]!
                let partnerId = key.partnerId < 0 ? nil : texts[Int(key.partnerId)]
                let sums = group.sums.enumerated().map { $0.element.text(scale: scales[$0.offset]) }
                switch format {
                case .csv:
                    CSVWriter.appendRecord(
                        ["\(level + 1)", key.partnerUserId == 0 ? "" : "\(key.partnerUserId)", partnerId ?? "",
                         "\(group.rows)", "\(group.traders.count)"] + sums, to: &output.buffer)
                case .ndjson:
                    // Totals as strings: exact in every JSON reader.
                    let values: [JSONValue] = [
                        .integer(Int64(level + 1)), key.partnerUserId == 0 ? .null : .integer(key.partnerUserId),
                        partnerId.map { .string($0) } ?? .null, .integer(Int64(group.rows)),
                        .integer(Int64(group.traders.count)),
                    ] + sums.map { .string($0) }
                    output.buffer.append(contentsOf: JSONValue.object(Array(zip(names, values))).serialized().utf8)
                    output.buffer.append(0x0A)
                }
                try output.flushIfFull()
            }
        }
    }
}
