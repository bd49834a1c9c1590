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
            guard let history = try IntervalPropertyTests.consistentHistory(seed: seed &* 0x2545_F491_4F6C_DD1D, steps: 40) else { continue }
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

@Suite("exact decimals")
struct ExactDecimalTests {
    static func decimal(_ text: String) -> ExactDecimal? {
        var text = text
        return text.withUTF8 { ExactDecimal($0) }
    }

    @Test("sums are exact where binary floating point is not; nothing is rounded; bad texts are refused")
    func exactSums() throws {
        // 0.1 + 0.2 in Double is 0.30000000000000004.
        #expect(0.1 + 0.2 != 0.3)
        let sum = try #require(Self.decimal("0.1")?.adding(Self.decimal("0.2")!))
        #expect(sum.text() == "0.3")
        // A million cents of 0.01: Double drifts, the decimal does not.
        var total = ExactDecimal.zero
        var double = 0.0
        for _ in 0..<1_000_000 {
            total = total.adding(Self.decimal("0.01")!)!
            double += 0.01
        }
        #expect(total.text() == "10000.00")
        #expect(double != 10_000)
        #expect(Self.decimal("-1.005")!.adding(Self.decimal("0.005")!)!.text(scale: 3) == "-1.000")
        #expect(Self.decimal("0.000000000000000001")!.adding(Self.decimal("99999999999999999999")!)!.text()
                == "99999999999999999999.000000000000000001")
        #expect(Self.decimal(".5")?.text() == "0.5")
        #expect(Self.decimal("+7")?.text() == "7")
        for bad in ["", "-", ".", "1.", "1e3", "1,5", " 1", "0x10", "1.0000000000000000001", String(repeating: "9", count: 39)] {
            #expect(Self.decimal(bad) == nil, "\(bad)")
        }
        // 38 digits hold; a sum past them is refused, not wrapped or rounded.
        let big = try #require(Self.decimal(String(repeating: "9", count: 38)))
        #expect(big.adding(big) == nil)
    }
}
