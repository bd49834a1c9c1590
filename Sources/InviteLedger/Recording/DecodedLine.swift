/// One input line of `ingest`, parsed and validated: a step to record, or why it cannot be.
///
/// Decoding needs no database, so it runs ahead of the writer on another thread (`DecodedLines`).
struct DecodedLine: Sendable {
    enum Content: Sendable {
        /// Empty or only whitespace: skipped, not counted.
        case blank
        case step(Step)
        /// Not a valid step; `eventId` when the line is JSON that has one.
        case rejected(eventId: String?, LedgerError)
    }

    var number: Int
    var content: Content
    /// Bytes of the line, to bound how much is decoded ahead.
    var length: Int

    init(_ line: NDJSONReader.Line, number: Int) {
        self.number = number
        switch line {
        case .tooLong(let length):
            self.length = 0
            content = .rejected(
                eventId: nil,
                LedgerError(.invalidJSON, "line of \(length) bytes is longer than \(NDJSONReader.maximumLineLength) bytes"))
        case .bytes(let bytes):
            length = bytes.count
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) {
                content = .blank
                return
            }
            let value: JSONValue
            do {
                value = try Step.parseJSON(bytes)
            } catch {
                content = .rejected(eventId: nil, error)
                return
            }
            do {
                content = .step(try Step(value: value))
            } catch {
                var eventId: String?
                if case .string(let id)? = value["eventId"] { eventId = id }
                content = .rejected(eventId: eventId, error)
            }
        }
    }
}
