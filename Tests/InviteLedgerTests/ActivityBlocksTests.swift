import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// `attributeActivity` puts its rows through worker threads in blocks of whole lines: whatever
/// the blocks' size, and wherever they cut a quoted CSV field holding a line break, it must write
/// what one pass over the lines writes, with the same rejections, numbered alike.
@Suite("activity in blocks")
struct ActivityBlocksTests {
    /// What a run wrote: the output, the rejections' JSON, and the summary or the rejection that
    /// stopped it.
    struct Written: Equatable {
        var output: String
        var rejections: [String]
        var summary: ActivitySummary?
        var stoppedBy: String?
    }

    /// One pass, a line at a time, without blocks or threads: the reference.
    static func onePass(_ ledger: Ledger, _ input: URL, _ options: ActivityOptions) throws -> Written {
        let attributor = try ledger.queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: options.broker)
            return ActivityAttributor(
                index: try UplineIndex(db: db, brokerId: scope.broker.id, histories: false, lookups: true), options: options,
                brokerCrmName: scope.broker.brokerCrmName)
        }
        var reader = try NDJSONReader.open(path: input.path)
        defer { reader.close() }
        var rejections: [String] = []
        var run = ActivityRun(attributor: attributor) { rejections.append($0.json.serialized()) }
        var output = BlockWriter(blockSize: .max) { _ in }
        do {
            while try reader.nextLine({ try run.line($0, number: $1, into: &output) }) != nil {}
            try run.endOfInput()
        } catch let rejection as ActivityRejection {
            return Written(
                output: String(decoding: output.buffer, as: UTF8.self), rejections: rejections,
                stoppedBy: rejection.json.serialized())
        }
        try run.finish(into: &output)
        return Written(output: String(decoding: output.buffer, as: UTF8.self), rejections: rejections, summary: run.summary)
    }

    /// The library's way, reading in blocks of `blockSize` bytes.
    static func inBlocks(_ ledger: Ledger, _ input: URL, _ options: ActivityOptions, blockSize: Int) throws -> Written {
        let descriptor = open(input.path, O_RDONLY)
        #expect(descriptor >= 0)
        var reader = NDJSONReader(descriptor: descriptor, blockSize: blockSize)
        defer { reader.close() }
        var output: [UInt8] = []
        var rejections: [String] = []
        do {
            var summary = try ledger.attributeActivity(&reader, options: options, write: { output.append(contentsOf: $0) }) {
                rejections.append($0.json.serialized())
            }
            summary.snapshotSeq = 0
            return Written(output: String(decoding: output, as: UTF8.self), rejections: rejections, summary: summary)
        } catch let rejection as ActivityRejection {
            return Written(
                output: String(decoding: output, as: UTF8.self), rejections: rejections, stoppedBy: rejection.json.serialized())
        }
    }

    /// Random CSV rows: good ones, unknown traders, bad times, quoted fields with quotes and line
    /// breaks in them (LF and CRLF), blank lines, rows with a field too few, sometimes a quote
    /// left open at the end.
    static func csv(users: [Int64], times: [Int64], rows: Int, random: inout FuzzTests.Random) -> String {
        var lines = ["deal,note,userId,at"]
        for row in 0..<rows {
            let user = Int.random(in: 0..<20, using: &random) == 0 ? "99999" : String(users.randomElement(using: &random)!)
            let time = Int.random(in: 0..<25, using: &random) == 0
                ? "yesterday" : Timestamp(milliseconds: times.randomElement(using: &random)!).rfc3339
            let note: String
            switch Int.random(in: 0..<8, using: &random) {
            case 0: note = "\"two\nlines\""
            case 1: note = "\"three\r\nlines, \"\"quoted\"\"\nhere\""
            case 2: note = "\"\""
            default: note = "n\(row)"
            }
            switch Int.random(in: 0..<30, using: &random) {
            case 0: lines.append("")
            case 1: lines.append("d\(row),\(note),\(user)")
            default: lines.append("d\(row),\(note),\(user),\(time)")
            }
        }
        if Bool.random(using: &random) { lines.append("d-last,\"open to the end,1,2") }
        // The last line ends in a line break, a lone carriage return, or nothing.
        return lines.joined(separator: Bool.random(using: &random) ? "\n" : "\r\n") + ["\n", "\r", ""].randomElement(using: &random)!
    }

    /// Random NDJSON rows: good ones, unknown traders, bad JSON, a non-object, blank lines.
    static func ndjson(users: [Int64], times: [Int64], rows: Int, random: inout FuzzTests.Random) -> String {
        (0..<rows).map { row in
            let user = Int.random(in: 0..<20, using: &random) == 0 ? 99999 : users.randomElement(using: &random)!
            let time = Timestamp(milliseconds: times.randomElement(using: &random)!).rfc3339
            switch Int.random(in: 0..<25, using: &random) {
            case 0: return ""
            case 1: return #"{"deal":"d\#(row)","userId":\#(user),"at":"#
            case 2: return "[\(row)]"
            default: return #"{"deal":"d\#(row)","userId":\#(user),"at":"\#(time)"}"#
            }
        }.joined(separator: "\n") + "\n"
    }

    @Test("any block size writes what one pass writes: rows, rejections and their lines, summary, the stop", .timeLimit(.minutes(3)))
    func blocksAgainstOnePass() throws {
        var random = FuzzTests.Random(state: 4242)
        var compared = 0
        var rejected = 0
        var stopped = 0
        for seed in UInt64(1)...6 {
            guard let history = try IntervalPropertyTests.consistentHistory(seed: seed &* 0x9E37_79B9, steps: 40) else { continue }
            let ledger = history.ledger
            let users = try ledger.rows("SELECT userId FROM ctidUser ORDER BY userId").compactMap { Int64($0) }
            let times = try ledger.rows("SELECT decidedAt FROM attribution").compactMap { Int64($0) }.flatMap { [$0 - 1, $0] }
            guard !users.isEmpty, !times.isEmpty else { continue }
            for format in ActivityOptions.Format.allCases {
                let text = format == .csv
                    ? Self.csv(users: users, times: times, rows: 400, random: &random)
                    : Self.ndjson(users: users, times: times, rows: 400, random: &random)
                let url = try Fixtures.temporaryFile([text])
                defer { try? FileManager.default.removeItem(at: url) }
                for stop in [false, true] {
                    let options = ActivityOptions(levels: 3, format: format, stopAtFirstError: stop)
                    let expected = try Self.onePass(ledger, url, options)
                    for blockSize in [7, 64, 301, 4096, 1 << 20] {
                        let written = try Self.inBlocks(ledger, url, options, blockSize: blockSize)
                        #expect(written == expected, "seed \(seed), \(format), stop \(stop), blocks of \(blockSize)")
                        compared += 1
                    }
                    rejected += expected.rejections.count
                    if expected.stoppedBy != nil { stopped += 1 }
                }
            }
        }
        #expect(compared >= 80)
        #expect(rejected > 100)
        #expect(stopped >= 8)
    }
}
