import Foundation
import Testing

@testable import InviteLedger

@Suite("fuzz")
struct FuzzTests {
    /// SplitMix64, seeded: a failure reproduces.
    struct Random: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let interesting: [[UInt8]] = [
        "\"", "\\", "{", "}", "[", "]", ",", ":", "null", "true", "-1", "0", "9223372036854775808", "1e9", "\\u0000",
        "\\ud800", "'; DROP TABLE event; --", "%00", "\u{0}", "\u{1F600}",
    ].map { Array($0.utf8) } + [[0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80]]

    /// One random mutation of a valid line: flip, insert, delete, truncate, splice or swap values.
    static func mutate(_ line: [UInt8], _ random: inout Random) -> [UInt8] {
        var bytes = line
        for _ in 0..<Int.random(in: 1...3, using: &random) where !bytes.isEmpty {
            let position = Int.random(in: 0..<bytes.count, using: &random)
            switch Int.random(in: 0..<6, using: &random) {
            case 0: bytes[position] ^= UInt8(1 << Int.random(in: 0..<8, using: &random))
            case 1: bytes.insert(contentsOf: interesting.randomElement(using: &random)!, at: position)
            case 2: bytes.removeSubrange(position..<min(bytes.count, position + Int.random(in: 1...8, using: &random)))
            case 3: bytes = Array(bytes.prefix(position))
            case 4: bytes[position] = UInt8.random(in: 0...255, using: &random)
            default:
                // Replace a digit run (an id) with another number, often out of range.
                if let start = bytes[position...].firstIndex(where: { $0 >= 48 && $0 <= 57 }) {
                    let end = bytes[start...].firstIndex(where: { $0 < 48 || $0 > 57 }) ?? bytes.count
                    let replacement = ["0", "-5", "1001", "1003", "5002", "99999999999999999999", "1.0"].randomElement(using: &random)!
                    bytes.replaceSubrange(start..<end, with: Array(replacement.utf8))
                }
            }
        }
        return bytes
    }

    @Test("20,000 mutations of the fixtures: never a crash, always a known code, nothing written when rejected",
          .timeLimit(.minutes(2)))
    func mutations() throws {
        let ledger = try Fixtures.ledger()
        let sources = try ["flow-1.ndjson", "flow-2.ndjson", "attribution-outcomes.ndjson", "errors.ndjson"]
            .flatMap { try Fixtures.lines($0) }.map { Array($0.utf8) }
        var random = Random(state: 0x1EDC3)
        let codes = Set(LedgerError.Code.allCases)
        var counts = (accepted: 0, rejected: 0, snapshots: 0)
        func rowCounts() throws -> [String] {
            try ledger.rows("""
                SELECT (SELECT COUNT(*) FROM event), (SELECT COUNT(*) FROM ctidUser), (SELECT COUNT(*) FROM attribution),
                       (SELECT COUNT(*) FROM lineage), (SELECT COUNT(*) FROM partnerIdAssignment), (SELECT COUNT(*) FROM broker),
                       (SELECT total(validTo) FROM lineage), (SELECT total(validTo) FROM partnerIdAssignment)
                """)
        }
        for index in 0..<20_000 {
            let input = Self.mutate(sources.randomElement(using: &random)!, &random)
            let before = try rowCounts()
            let full = index % 250 == 0 ? try ledger.snapshot() : nil
            do {
                let step = try input.withUnsafeBufferPointer { buffer in try Step(jsonBytes: buffer) }
                _ = try ledger.record(step)
                counts.accepted += 1
            } catch let error as LedgerError {
                counts.rejected += 1
                #expect(codes.contains(error.code))
                #expect(!error.message.isEmpty)
                #expect(try rowCounts() == before, "input \(index): \(String(decoding: input, as: UTF8.self))")
                if let full {
                    counts.snapshots += 1
                    #expect(try ledger.snapshot() == full)
                }
            }
        }
        #expect(try ledger.verify().isIntact)
        #expect(counts.rejected > 16_000)
        print("fuzz: 20000 mutated steps, \(counts.accepted) accepted, \(counts.rejected) rejected with a known code")
    }
}
