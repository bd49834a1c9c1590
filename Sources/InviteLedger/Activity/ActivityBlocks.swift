/// Puts activity rows through a run in blocks of whole lines, on two threads of their own: the
/// calling thread reads the input, hands each block to the next worker, and writes the blocks'
/// rows and rejections back in input order, so the output is the one a single pass writes.
///
/// A worker starts its block as if no record were open. When the block before it ended inside a
/// CSV record (a quoted field holding a line break, cut by the block's end), that guess was wrong:
/// the block is put through again on the calling thread, going on with the open record.
/// Totals (`--sum`) add up in one run, so they take the blocks one after another on the calling
/// thread.
struct ActivityBlocks {
    /// Blocks handed to the workers and not yet written.
    static let blocksAhead = 4
    static let workers = 2

    /// What a worker made of a block.
    struct Result: Sendable {
        var output: [UInt8] = []
        /// Rejections, numbered from the block's first line (1).
        var rejections: [ActivityRejection] = []
        var summary = ActivitySummary()
        var lines = 0
        /// A record the block ended inside: its bytes and first line (from the block's first).
        var pending: [UInt8] = []
        var pendingLine = 0
        /// The rejection that stopped it (`stopAtFirstError`), or another error.
        var failure: (any Error)?
    }

    private enum Entry {
        case block([UInt8], worker: Int)
        case tooLong(length: Int)
    }

    /// Runs every line of the input through `run`, writing to `output`. When a rejection stops
    /// it, every row before the rejected one has been written.
    static func run(_ run: inout ActivityRun, input: inout NDJSONReader, output: inout BlockWriter) throws {
        do {
            try blocks(&run, input: &input, output: &output)
        } catch let rejection as ActivityRejection {
            try output.finish()
            throw rejection
        }
    }

    private static func blocks(_ run: inout ActivityRun, input: inout NDJSONReader, output: inout BlockWriter) throws {
        if run.options.format == .csv {
            while run.header == nil, try input.nextLine({ try run.line($0, number: $1, into: &output) }) != nil {}
        }
        var lineNumber = input.lineNumber
        guard run.totals == nil else {
            while try input.nextBlock({ block -> Void in
                switch block {
                case .lines(let bytes): lineNumber += try run.lines(bytes, firstLine: lineNumber + 1, into: &output)
                case .tooLong(let length):
                    lineNumber += 1
                    try run.line(.tooLong(length: length), number: lineNumber, into: &output)
                }
            }) != nil {}
            try run.endOfInput()
            return
        }
        let attributor = run.attributor
        let header = run.header
        let workers = (0..<workers).map { _ in
            ChunkWorker<[UInt8], Result> { blocks in blocks.map { block(attributor, header, $0) } }
        }
        defer { workers.forEach { $0.stop() } }
        var entries: [Entry] = []
        var submitted = 0
        var isAtEnd = false
        while !isAtEnd || !entries.isEmpty {
            while !isAtEnd && entries.count < blocksAhead {
                let read = try input.nextBlock { block -> Entry in
                    switch block {
                    case .lines(let bytes):
                        let copy = Array(bytes)
                        workers[submitted % workers.count].submit([copy])
                        defer { submitted += 1 }
                        return .block(copy, worker: submitted % workers.count)
                    case .tooLong(let length): return .tooLong(length: length)
                    }
                }
                guard let read else {
                    isAtEnd = true
                    break
                }
                entries.append(read)
            }
            guard !entries.isEmpty else { break }
            switch entries.removeFirst() {
            case .tooLong(let length):
                lineNumber += 1
                try run.line(.tooLong(length: length), number: lineNumber, into: &output)
            case .block(let bytes, let worker):
                let result = workers[worker].take()[0]
                if !run.pending.isEmpty {
                    // The worker's guess was wrong: this block goes on with the open record.
                    lineNumber += try bytes.withUnsafeBufferPointer { try run.lines($0, firstLine: lineNumber + 1, into: &output) }
                } else {
                    try write(result, after: lineNumber, into: &run, &output)
                    lineNumber += result.lines
                }
            }
        }
        try run.endOfInput()
    }

    /// A block through a run of its own, from just after the header, as if no record were open.
    private static func block(_ attributor: ActivityAttributor, _ header: ActivityRun.Header?, _ bytes: [UInt8]) -> Result {
        var result = Result()
        var rejections: [ActivityRejection] = []
        var run = ActivityRun(attributor: attributor, header: header) { rejections.append($0) }
        var output = BlockWriter(blockSize: .max) { _ in }
        do {
            result.lines = try bytes.withUnsafeBufferPointer { try run.lines($0, firstLine: 1, into: &output) }
        } catch {
            result.failure = error
        }
        result.output = output.buffer
        result.rejections = rejections
        result.summary = run.summary
        result.pending = run.pending
        result.pendingLine = run.pendingLine
        return result
    }

    /// Writes a worker's block as if `run` had read it, its lines numbered after `lineNumber`.
    private static func write(
        _ result: Result, after lineNumber: Int, into run: inout ActivityRun, _ output: inout BlockWriter
    ) throws {
        try output.write(block: result.output)
        run.summary.add(result.summary)
        for var rejection in result.rejections {
            rejection.line += lineNumber
            try run.onRejection(rejection)
        }
        if var failure = result.failure as? ActivityRejection {
            failure.line += lineNumber
            throw failure
        } else if let failure = result.failure {
            throw failure
        }
        if !result.pending.isEmpty { run.resume(pending: result.pending, line: result.pendingLine + lineNumber) }
    }
}
