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
    /// Rows read and checked, waiting for their walk and their turn to be written: a batch's
    /// rows walk their uplines side by side, so that their reads of memory overlap.
    private var batch: [Row] = []
    /// Inside `lines`: rows wait in the batch until it is full (their bytes are the block's).
    private var isBatching = false
    /// The walks of the batch: the edges of row i's upline are
    /// `paths[i * levels ..< i * levels + depths[i]]`, level 1 first.
    private var walkers: [Int] = []
    private var times: [Int64] = []
    private var paths: [Int] = []
    private var depths: [Int] = []
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
        isBatching = true
        defer { isBatching = false }
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
        try flush(into: &output)
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

    // MARK: Rows

    /// A row read, waiting in the batch.
    private struct Row {
        /// The row as it came: a CSV record; an NDJSON object without the blanks after it.
        var bytes: UnsafeBufferPointer<UInt8>
        var line: Int
        var at: Int64 = 0
        var trader = ActivityAttributor.Trader.user(0)
        var values: [ExactDecimal] = []
        var isEmptyObject = false
        /// Why it cannot be read, when it cannot.
        var error: LedgerError?
        /// A summed value that cannot be read: the row is rejected for it only when its trader is
        /// known and its time in the period.
        var valueError: LedgerError?
        /// The trader's user row, once found.
        var user = 0
        /// Its walk in the batch's walks; -1 when it has none (rejected, or outside the period).
        var walker = -1
    }

    /// Batch size: enough rows for their memory reads to overlap, few enough to stay in cache.
    static let batchSize = 64

    private mutating func add(_ row: Row, into output: inout BlockWriter) throws {
        batch.append(row)
        if !isBatching || batch.count >= Self.batchSize { try flush(into: &output) }
    }

    /// Finds the batch's traders, walks their uplines side by side, then takes the rows in order:
    /// each one rejected, skipped (outside the period), added to the totals or written.
    private mutating func flush(into output: inout BlockWriter) throws {
        guard !batch.isEmpty else { return }
        defer { batch.removeAll(keepingCapacity: true) }
        walkers.removeAll(keepingCapacity: true)
        times.removeAll(keepingCapacity: true)
        for index in batch.indices where batch[index].error == nil {
            do {
                batch[index].user = try attributor.row(of: batch[index].trader)
            } catch let error as LedgerError {
                batch[index].error = error
                continue
            }
            guard period.contains(batch[index].at) else { continue }
            if let error = batch[index].valueError {
                batch[index].error = error
                continue
            }
            batch[index].walker = walkers.count
            walkers.append(batch[index].user)
            times.append(batch[index].at)
        }
        let levels = options.levels
        attributor.index.uplines(of: &walkers, at: times, levels: levels, paths: &paths, depths: &depths)
        for row in batch {
            if let error = row.error {
                try reject(error, line: row.line)
                continue
            }
            guard row.walker >= 0 else {
                summary.outsidePeriod += 1
                continue
            }
            let path = paths[(row.walker * levels)..<(row.walker * levels + depths[row.walker])]
            if path.isEmpty { summary.unattributed += 1 }
            if totals != nil {
                do {
                    try totals!.add(trader: Int32(row.user), values: row.values, path: path, index: attributor.index)
                } catch let error as LedgerError {
                    try reject(error, line: row.line)
                    continue
                }
                summary.written += 1
                continue
            }
            switch options.format {
            case .csv:
                output.buffer.append(contentsOf: row.bytes)
                attributor.appendCSV(path, to: &output.buffer)
                output.buffer.append(contentsOf: [0x0D, 0x0A])
            case .ndjson:
                // The object as it came, its closing brace last: the members are added before it.
                output.buffer.append(contentsOf: UnsafeBufferPointer(rebasing: row.bytes.dropLast()))
                if !row.isEmptyObject { output.buffer.append(0x2C) }
                attributor.appendJSON(path, to: &output.buffer)
                output.buffer.append(contentsOf: [0x7D, 0x0A])
            }
            summary.written += 1
            try output.flushIfFull()
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
            try record.withUnsafeBufferPointer { bytes in
                try csvRecord(bytes, line: pendingLine, into: &output)
                try flush(into: &output)  // before its bytes go
            }
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
        var row = Row(bytes: bytes, line: line)
        do {
            guard fields.count == columns.count else {
                throw LedgerError(
                    fields.count < columns.count ? .missingField : .invalidField,
                    "the row has \(fields.count) fields, the header \(columns.count)")
            }
            let timeRange = fields[columns.time]
            let userRange = columns.user.map { fields[$0] } ?? 0..<0
            let accountRange = columns.account.map { fields[$0] } ?? 0..<0
            if CSVRecord.isQuoted(bytes, timeRange) || CSVRecord.isQuoted(bytes, userRange)
                || CSVRecord.isQuoted(bytes, accountRange)
            {
                let attributor = attributor
                row.at = try CSVRecord.withValue(bytes, timeRange, scratch: &scratch) { try attributor.time($0) }
                row.trader = try CSVRecord.withValue(bytes, userRange, scratch: &scratch) { userId in
                    try CSVRecord.withValue(bytes, accountRange, scratch: &scratch2) { account in
                        try attributor.trader(userId: userId, account: account)
                    }
                }
            } else {
                // The common case, no quotes: the values are read in place.
                row.at = try attributor.time(UnsafeBufferPointer(rebasing: bytes[timeRange]))
                row.trader = try attributor.trader(
                    userId: UnsafeBufferPointer(rebasing: bytes[userRange]),
                    account: UnsafeBufferPointer(rebasing: bytes[accountRange]))
            }
        } catch let error as LedgerError {
            row.error = error
        }
        if row.error == nil {
            do {
                for (position, column) in columns.sums.enumerated() {
                    let name = options.sums[position]
                    row.values.append(try CSVRecord.withValue(bytes, fields[column], scratch: &scratch) {
                        try ActivityTotals.value($0, column: name)
                    })
                }
            } catch let error as LedgerError {
                row.valueError = error
            }
        }
        try add(row, into: &output)
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
        var row = Row(bytes: UnsafeBufferPointer(rebasing: bytes[..<end]), line: line)
        let value: JSONValue
        do {
            do {
                value = try JSONParser.parse(bytes)
            } catch {
                throw LedgerError(.invalidJSON, "invalid JSON: \(error)")
            }
            guard case .object(let members) = value else {
                throw LedgerError(.invalidJSON, "a row must be a JSON object, got \(value.typeName)")
            }
            row.isEmptyObject = members.isEmpty
            row.at = try text(value[options.timeColumn], field: options.timeColumn) { try attributor.time($0) }
            row.trader = try text(value[options.userColumn], field: options.userColumn, number: true) { userId in
                try text(value[options.accountColumn], field: options.accountColumn, number: true) { account in
                    try attributor.trader(userId: userId, account: account)
                }
            }
        } catch let error as LedgerError {
            row.error = error
            try add(row, into: &output)
            return
        }
        do {
            for name in options.sums {
                row.values.append(try text(value[name], field: name, number: true) { try ActivityTotals.value($0, column: name) })
            }
        } catch let error as LedgerError {
            row.valueError = error
        }
        try add(row, into: &output)
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

