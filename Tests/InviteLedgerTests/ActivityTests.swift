import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// `attributeActivity`: activity rows with the upline of their trader at their time.
@Suite("activity")
struct ActivityTests {
    /// Runs the activity rows through a ledger: what was written, and the rejections.
    static func run(_ ledger: Ledger, _ input: String, _ options: ActivityOptions) throws -> (String, [String], ActivitySummary) {
        let url = try Fixtures.temporaryFile([input])
        defer { try? FileManager.default.removeItem(at: url) }
        var reader = try NDJSONReader.open(path: url.path)
        defer { reader.close() }
        var output: [UInt8] = []
        var rejections: [String] = []
        let summary = try ledger.attributeActivity(&reader, options: options, write: { output.append(contentsOf: $0) }) {
            rejections.append($0.json.serialized())
        }
        return (String(decoding: output, as: UTF8.self), rejections, summary)
    }

    @Test("random histories: every sampled (trader, time) gets the upline upline --as-of gives", .timeLimit(.minutes(3)))
    func modelAgainstUpline() throws {
        var random = FuzzTests.Random(state: 77)
        var compared = 0
        var unattributed = 0
        for seed in UInt64(1)...20 {
            let history: IntervalPropertyTests.History
            do {
                history = try IntervalPropertyTests.history(seed: seed &* 0x2545_F491_4F6C_DD1D, steps: 40)
            } catch is IntervalPropertyTests.Inconsistent {
                continue
            }
            let ledger = history.ledger
            let users = try ledger.rows("SELECT userId FROM ctidUser ORDER BY userId").compactMap { Int64($0) }
            var boundaries = try ledger.rows("SELECT decidedAt FROM attribution UNION SELECT validTo FROM attribution WHERE validTo IS NOT NULL")
                .compactMap { Int64($0) }
            boundaries += boundaries.map { $0 - 1 }
            guard !users.isEmpty, !boundaries.isEmpty else { continue }
            var samples: [(Int64, Int64)] = []
            for _ in 0..<300 {
                let time = Bool.random(using: &random)
                    ? boundaries.randomElement(using: &random)!
                    : IntervalPropertyTests.start + Int64.random(in: 0...(90 * 86_400_000), using: &random)
                samples.append((users.randomElement(using: &random)!, time))
            }
            let csv = "deal,userId,at\n" + samples.enumerated().map { "d\($0.offset),\($0.element.0),\(Timestamp(milliseconds: $0.element.1).rfc3339)" }
                .joined(separator: "\n")
            let (output, rejections, summary) = try Self.run(ledger, csv, .init(levels: 4))
            #expect(rejections == [])
            let lines = output.split(separator: "\r\n").map(String.init)
            #expect(lines.count == samples.count + 1)
            for (offset, sample) in samples.enumerated() {
                let upline = try ledger.upline(of: .userId(sample.0), asOf: Timestamp(milliseconds: sample.1)).levels.prefix(4)
                var expected = "d\(offset),\(sample.0),\(Timestamp(milliseconds: sample.1).rfc3339),\(upline.isEmpty ? "false" : "true")"
                for level in 0..<4 {
                    expected += level < upline.count
                        ? ",\(upline[upline.startIndex + level].userId),\(upline[upline.startIndex + level].partnerId ?? "")" : ",,"
                }
                #expect(lines[offset + 1] == expected, "seed \(seed)")
                if upline.isEmpty { unattributed += 1 }
                compared += 1
            }
            #expect(summary.unattributed == samples.filter { sample in
                (try? ledger.upline(of: .userId(sample.0), asOf: Timestamp(milliseconds: sample.1)).levels.isEmpty) ?? false
            }.count)
        }
        #expect(compared > 4000)
        #expect(unattributed > 100)
    }
}
