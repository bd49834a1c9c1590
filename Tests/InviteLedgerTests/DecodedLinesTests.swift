import Foundation
import Testing

@testable import InviteLedger

@Suite("Decoding ahead of the writer")
struct DecodedLinesTests {
    /// Line `i` is blank, a valid step, broken JSON or an unknown step, in turn.
    static func line(_ number: Int) -> String {
        switch number % 4 {
        case 0: "  "
        case 1: #"{"step":"partner.registered","eventId":"e\#(number)","brokerCrmName":"acme","at":"2026-03-02T09:00:00Z","crmPartnerRef":"CRM-\#(number)"}"#
        case 2: #"{"step":"#
        default: #"{"step":"no.such.step","eventId":"e\#(number)"}"#
        }
    }

    static func summary(_ line: DecodedLine) -> String {
        switch line.content {
        case .blank: "\(line.number) blank"
        case .step(let step): "\(line.number) step \(step.eventId)"
        case .rejected(let eventId, let error): "\(line.number) \(error.code.rawValue) \(eventId ?? "-")"
        }
    }

    @Test("hands out every line in input order, across many small chunks and a full queue", .timeLimit(.minutes(1)))
    func order() throws {
        let url = try Fixtures.temporaryFile((1...1_000).map(Self.line))
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = DecodedLines(reader: try NDJSONReader.open(path: url.path), chunkLines: 3, capacity: 2)
        var seen: [String] = []
        while let line = try lines.next() {
            seen.append(Self.summary(line))
        }
        #expect(try lines.next() == nil)
        let reader = lines.stop()
        reader.close()
        #expect(reader.lineNumber == 1_000)
        #expect(seen.count == 1_000)
        #expect(Array(seen.prefix(4)) == ["1 step e1", "2 INVALID_JSON -", "3 UNKNOWN_STEP e3", "4 blank"])
        #expect(seen.last == "1000 blank")
        #expect(seen == (1...1_000).map { number in
            ["\(number) blank", "\(number) step e\(number)", "\(number) INVALID_JSON -", "\(number) UNKNOWN_STEP e\(number)"][number % 4]
        })
    }

    @Test("stopping early releases a reader blocked on a full queue", .timeLimit(.minutes(1)))
    func stopEarly() throws {
        let url = try Fixtures.temporaryFile((1...10_000).map(Self.line))
        defer { try? FileManager.default.removeItem(at: url) }
        let lines = DecodedLines(reader: try NDJSONReader.open(path: url.path), chunkLines: 2, capacity: 1)
        #expect(try lines.next()?.number == 1)
        let reader = lines.stop()
        reader.close()
        // The reader ran at most a few chunks ahead, not to the end.
        #expect(reader.lineNumber < 100)
    }

    @Test("a read failure comes after the lines before it, as the reader's error")
    func readFailure() throws {
        let lines = DecodedLines(reader: try NDJSONReader.open(path: FileManager.default.temporaryDirectory.path))
        #expect(throws: LedgerError(.notFound, field: "FILE", "read failed: Is a directory")) {
            _ = try lines.next()
        }
        #expect(try lines.next() == nil)
        lines.stop().close()
    }
}
