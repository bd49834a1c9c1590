#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One pass over activity rows: each read, attributed, then written (or added to the totals), in
/// CSV or NDJSON.
struct ActivityRun {
    let attributor: ActivityAttributor
    let onRejection: (ActivityRejection) throws -> Void
    var summary = ActivitySummary()
    /// With `options.sums`: the totals, written at the end instead of the rows.
    var totals: ActivityTotals?
    /// CSV: where the header puts the columns, once it is read.
    private(set) var header: Header?
    /// CSV: the lines so far of a record whose quoted field goes on past them, and its first line.
    private(set) var pending: [UInt8] = []
    private(set) var pendingLine = 0
    /// The edges of the last row's upline, level 1 first.
    private var path: [Int] = []
    /// The rows' period, in milliseconds.
    private let period: Range<Int64>
    private var fields: [Range<Int>] = []
    private var scratch: [UInt8] = []
    private var scratch2: [UInt8] = []

    /// A run from the start of the input, or with `header` from just after a CSV header (the
    /// rows of one block, see ``ActivityBlocks``).
    init(attributor: ActivityAttributor, header: Header? = nil, onRejection: @escaping (ActivityRejection) throws -> Void) {
        self.attributor = attributor
        self.onRejection = onRejection
        self.header = header
        period = (attributor.options.from?.milliseconds ?? .min)..<(attributor.options.to?.milliseconds ?? .max)
        if !attributor.options.sums.isEmpty {
            totals = ActivityTotals(levels: attributor.options.levels, columns: attributor.options.sums)
        }
    }

    /// Goes on with a record that an earlier block left open.
    mutating func resume(pending: [UInt8], line: Int) {
        self.pending = pending
        pendingLine = line
    }

    /// True when the row's time is in the period; counts it otherwise.
    mutating func isInPeriod(_ at: Int64) -> Bool {
        guard period.contains(at) else {
            summary.outsidePeriod += 1
            return false
        }
        return true
    }

    /// Walks the upline; with totals, adds the row's values to them. True when the row is to be
    /// written, false when it was counted in the totals.
    mutating func attribute(user: Int, at: Int64, values: [ExactDecimal]) throws -> Bool {
        if !attributor.walk(user: user, at: at, into: &path) { summary.unattributed += 1 }
        guard totals != nil else { return true }
        try totals!.add(trader: Int32(user), values: values, path: path, index: attributor.index)
        summary.written += 1
        return false
    }

    /// Writes the totals, when there are any.
    func finish(into output: inout BlockWriter) throws {
        try totals?.write(format: options.format, texts: attributor.index.texts, into: &output)
    }

    var options: ActivityOptions { attributor.options }

    mutating func reject(_ error: LedgerError, line: Int) throws {
        let rejection = ActivityRejection(line: line, error: error)
        if options.stopAtFirstError { throw rejection }
        summary.rejected += 1
        try onRejection(rejection)
    }

    /// A line too long to hold: a row, rejected.
    mutating func rejectTooLong(_ line: NDJSONReader.Line, number: Int) throws {
        guard case .tooLong(let length) = line else { return }
        summary.rows += 1
        try reject(
            LedgerError(.invalidField, "the line is \(length) bytes long, longer than \(NDJSONReader.maximumLineLength)"),
            line: number)
    }

    // MARK: Lines

    /// Takes one line of the input: a CSV line (the header, a record, or part of a record whose
    /// quoted field holds a line break) or an NDJSON row.
    mutating func line(_ line: NDJSONReader.Line, number: Int, into output: inout BlockWriter) throws {
        guard case .bytes(let bytes) = line else {
            try rejectTooLong(line, number: number)
            return
        }
        switch options.format {
        case .csv: try csvLine(bytes, number: number, into: &output)
        case .ndjson: try ndjsonLine(bytes, line: number, into: &output)
        }
    }

    /// Takes each line of a block (whole lines, from `NDJSONReader.nextBlock`), the first
    /// numbered `firstLine`; returns how many lines it held.
    mutating func lines(_ block: UnsafeBufferPointer<UInt8>, firstLine: Int, into output: inout BlockWriter) throws -> Int {
        var number = firstLine
        var start = 0
        while start < block.count {
            let newline = memchr(block.baseAddress! + start, 0x0A, block.count - start)
                .map { block.baseAddress!.distance(to: $0.assumingMemoryBound(to: UInt8.self)) } ?? block.count
            var end = newline
            if end > start && block[end - 1] == 0x0D { end -= 1 }
            try line(.bytes(UnsafeBufferPointer(rebasing: block[start..<end])), number: number, into: &output)
            number += 1
            start = newline + 1
        }
        return number - firstLine
    }

    /// At the end of the input: a record still open is rejected; a CSV input without a header is
    /// an error.
    mutating func endOfInput() throws {
        if !pending.isEmpty {
            summary.rows += 1
            pending = []
            try reject(LedgerError(.invalidField, "a quoted field is not closed before the end of the input"), line: pendingLine)
        }
        if options.format == .csv && header == nil {
            throw LedgerError(.missingField, field: options.timeColumn, "the input is empty: a CSV input begins with a header line")
        }
    }

    // MARK: CSV

    /// Where the header puts the columns read.
    struct Header: Sendable {
        var count: Int
        var time: Int
        var user: Int?
        var account: Int?
        /// The columns summed, in the order of `options.sums`.
        var sums: [Int]
    }

    private mutating func csvLine(_ bytes: UnsafeBufferPointer<UInt8>, number: Int, into output: inout BlockWriter) throws {
        // A quoted field with a line break in it: gather the lines of the record.
        if !pending.isEmpty {
            pending.append(0x0A)
            pending.append(contentsOf: bytes)
            guard pending.withUnsafeBufferPointer(CSVRecord.isComplete) else { return }
            let record = pending
            pending.removeAll()
            try record.withUnsafeBufferPointer { try csvRecord($0, line: pendingLine, into: &output) }
            return
        }
        guard CSVRecord.isComplete(bytes) else {
            pending = Array(bytes)
            pendingLine = number
            return
        }
        try csvRecord(bytes, line: number, into: &output)
    }

    private mutating func csvRecord(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, into output: inout BlockWriter) throws {
        guard let columns = header else {
            header = try csvHeader(bytes, into: &output)
            return
        }
        guard !bytes.isEmpty else { return }  // a blank line holds no row
        summary.rows += 1
        CSVRecord.fields(bytes, into: &fields)
        do {
            guard fields.count == columns.count else {
                throw LedgerError(
                    fields.count < columns.count ? .missingField : .invalidField,
                    "the row has \(fields.count) fields, the header \(columns.count)")
            }
            let timeRange = fields[columns.time]
            let userRange = columns.user.map { fields[$0] } ?? 0..<0
            let accountRange = columns.account.map { fields[$0] } ?? 0..<0
            let at: Int64
            let user: Int
            if CSVRecord.isQuoted(bytes, timeRange) || CSVRecord.isQuoted(bytes, userRange)
                || CSVRecord.isQuoted(bytes, accountRange)
            {
                let attributor = attributor
                at = try CSVRecord.withValue(bytes, timeRange, scratch: &scratch) { try attributor.time($0) }
                user = try CSVRecord.withValue(bytes, userRange, scratch: &scratch) { userId in
                    try CSVRecord.withValue(bytes, accountRange, scratch: &scratch2) { account in
                        try attributor.user(userId: userId, account: account)
                    }
                }
            } else {
                // The common case, no quotes: the values are read in place.
                at = try attributor.time(UnsafeBufferPointer(rebasing: bytes[timeRange]))
                user = try attributor.user(
                    userId: UnsafeBufferPointer(rebasing: bytes[userRange]),
                    account: UnsafeBufferPointer(rebasing: bytes[accountRange]))
            }
            guard isInPeriod(at) else { return }
            var values: [ExactDecimal] = []
            for (position, column) in columns.sums.enumerated() {
                let name = options.sums[position]
                values.append(try CSVRecord.withValue(bytes, fields[column], scratch: &scratch) {
                    try ActivityTotals.value($0, column: name)
                })
            }
            guard try attribute(user: user, at: at, values: values) else { return }
        } catch let error as LedgerError {
            try reject(error, line: line)
            return
        }
        output.buffer.append(contentsOf: bytes)
        attributor.appendCSV(path, to: &output.buffer)
        output.buffer.append(contentsOf: [0x0D, 0x0A])
        summary.written += 1
        try output.flushIfFull()
    }

    private mutating func csvHeader(_ bytes: UnsafeBufferPointer<UInt8>, into output: inout BlockWriter) throws -> Header {
        CSVRecord.fields(bytes, into: &fields)
        let names = fields.map { CSVRecord.string(bytes, $0) }
        let added = ActivityOptions.addedColumns(levels: options.levels)
        if totals == nil, let clash = names.first(where: added.contains) {
            throw LedgerError(.invalidField, field: clash, "the input already has a column \(FieldReader.quote(clash)), which the output adds")
        }
        guard let time = names.firstIndex(of: options.timeColumn) else {
            throw LedgerError(
                .missingField, field: options.timeColumn,
                "the header has no column \(FieldReader.quote(options.timeColumn)) (the time of each row; --time-column names another)")
        }
        let user = names.firstIndex(of: options.userColumn)
        let account = names.firstIndex(of: options.accountColumn)
        guard user != nil || account != nil else {
            throw LedgerError(
                .missingField, field: options.userColumn,
                "the header has neither \(FieldReader.quote(options.userColumn)) nor \(FieldReader.quote(options.accountColumn)): each row must name its trader")
        }
        let sums = try options.sums.map { column in
            guard let index = names.firstIndex(of: column) else {
                throw LedgerError(.missingField, field: column, "the header has no column \(FieldReader.quote(column)) to sum")
            }
            return index
        }
        if totals == nil {
            output.buffer.append(contentsOf: bytes)
            for name in added {
                output.buffer.append(0x2C)
                output.buffer.append(contentsOf: name.utf8)
            }
            output.buffer.append(contentsOf: [0x0D, 0x0A])
        }
        return Header(count: names.count, time: time, user: user, account: account, sums: sums)
    }

    // MARK: NDJSON

    private mutating func ndjsonLine(_ bytes: UnsafeBufferPointer<UInt8>, line: Int, into output: inout BlockWriter) throws {
        var end = bytes.count
        while end > 0, [0x20, 0x09].contains(bytes[end - 1]) { end -= 1 }
        guard end > 0 else { return }  // a blank line holds no row
        summary.rows += 1
        let isEmptyObject: Bool
        do {
            let value: JSONValue
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw LedgerError(.invalidJSON, "invalid JSON: \(error)")
            }
            guard case .object(let members) = value else {
                throw LedgerError(.invalidJSON, "a row must be a JSON object, got \(value.typeName)")
            }
            isEmptyObject = members.isEmpty
            let at = try text(value[options.timeColumn], field: options.timeColumn) { try attributor.time($0) }
            let user = try text(value[options.userColumn], field: options.userColumn, number: true) { userId in
                try text(value[options.accountColumn], field: options.accountColumn, number: true) { account in
                    try attributor.user(userId: userId, account: account)
                }
            }
            guard isInPeriod(at) else { return }
            var values: [ExactDecimal] = []
            for name in options.sums {
                values.append(try text(value[name], field: name, number: true) { try ActivityTotals.value($0, column: name) })
            }
            guard try attribute(user: user, at: at, values: values) else { return }
        } catch let error as LedgerError {
            try reject(error, line: line)
            return
        }
        // The object as it came, its closing brace last: the members are added before it.
        output.buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[..<(end - 1)]))
        if !isEmptyObject { output.buffer.append(0x2C) }
        attributor.appendJSON(path, to: &output.buffer)
        output.buffer.append(contentsOf: [0x7D, 0x0A])
        summary.written += 1
        try output.flushIfFull()
    }

    /// A member's text (a string, or with `number` a JSON integer too) as bytes; nil when it is
    /// missing or null.
    private func text<Result>(
        _ value: JSONValue?, field: String, number: Bool = false, _ body: (UnsafeBufferPointer<UInt8>?) throws -> Result
    ) throws -> Result {
        switch value {
        case nil, .null?: return try body(nil)
        case .string(var text)?: return try text.withUTF8 { try body($0) }
        case .number(var text)? where number: return try text.withUTF8 { try body($0) }
        case let other?:
            throw LedgerError(
                .invalidField, field: field, "\(field) must be \(number ? "an integer" : "a string"), got \(other.typeName)")
        }
    }
}

