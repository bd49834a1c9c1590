import Dispatch
import LedgerStore

extension Ledger {
    /// When a stream of steps commits: as soon as no more input is waiting, or after
    /// `maximumSteps` steps, or after `maximumMilliseconds` of recording, whichever comes first.
    public struct StreamOptions: Sendable {
        public var maximumSteps: Int
        public var maximumMilliseconds: Int
        /// Prove the whole file (every page, the whole hash chain) before the first write, as
        /// `ingest` does (``IngestOptions/checksFile``).
        public var checksFile: Bool

        public init(maximumSteps: Int = 1_000, maximumMilliseconds: Int = 50, checksFile: Bool = true) {
            self.maximumSteps = max(1, maximumSteps)
            self.maximumMilliseconds = max(1, maximumMilliseconds)
            self.checksFile = checksFile
        }
    }

    /// The answer to one line of a stream, given once its transaction is committed.
    public enum StreamAnswer: Sendable {
        case recorded(line: Int, StepOutcome)
        case rejected(Rejection)

        /// The outcome as `record` prints it, or `{"error":{...},"line":N,"eventId":...}`.
        public var json: JSONValue {
            switch self {
            case .recorded(_, let outcome):
                return outcome.json
            case .rejected(let rejection):
                return rejection.json
            }
        }
    }

    /// Records steps as they arrive, one per line, for a long-lived writer fed by another program:
    /// the steps waiting are decided together and committed in one transaction (group commit),
    /// then `onCommit` receives their answers, in input order. An answer is only ever given for
    /// a committed step (or a rejected one), so a caller that kills the process loses no
    /// acknowledged step. Blank lines get no answer. Returns at the end of the input.
    ///
    /// - Throws: `DatabaseError` when SQLite fails; the steps of the transaction in progress get
    ///   no answer, earlier ones stand.
    public func recordStream(
        _ reader: inout NDJSONReader, options: StreamOptions = StreamOptions(), onCommit: ([StreamAnswer]) -> Void
    ) throws -> IngestSummary {
        if options.checksFile {
            try proveWholeFile()
        }
        // Lines are handed over one by one: a program waiting for its answer sends no more.
        let lines = DecodedLines(reader: reader, chunkLines: 1)
        defer { reader = lines.stop() }
        var summary = IngestSummary()
        var isDone = false
        while !isDone {
            guard let first = try lines.next() else { break }
            var answers: [StreamAnswer] = []
            var batch = summary
            try write { session in
                let start = DispatchTime.now().uptimeNanoseconds
                var line = first
                var count = 0
                while true {
                    count += 1
                    batch.committedThroughLine = line.number
                    if let answer = try session.record(line, recordedAt: clock.now(), summary: &batch) {
                        answers.append(answer)
                    }
                    let elapsed = DispatchTime.now().uptimeNanoseconds - start
                    guard count < options.maximumSteps, elapsed < UInt64(options.maximumMilliseconds) * 1_000_000,
                          lines.hasReadyLine
                    else { break }
                    guard let next = try lines.next() else {
                        isDone = true
                        break
                    }
                    line = next
                }
                return .commit
            }
            summary = batch
            onCommit(answers)
        }
        return summary
    }
}
