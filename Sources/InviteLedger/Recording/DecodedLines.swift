import Foundation

/// Reads and decodes NDJSON lines on a thread of its own, ahead of the thread that records them,
/// so that parsing and validating steps (about a third of ingest's work) runs on the second core
/// while the first one is in SQLite. Lines come out in input order.
///
/// At most `capacity` chunks wait decoded (each up to `chunkLines` lines or `chunkBytes` bytes of
/// input), so memory stays bounded whatever the input's size.
///
///     let lines = DecodedLines(reader: reader)
///     defer { reader = lines.stop() }
///     while let line = try lines.next() { ... }
final class DecodedLines: @unchecked Sendable {
    private let chunkLines: Int
    private let chunkBytes: Int
    private let capacity: Int

    // Shared, guarded by `condition`.
    private let condition = NSCondition()
    private var ready: [[DecodedLine]] = []
    private var isFinished = false
    private var failure: (any Error)?
    private var isStopped = false

    /// The reader's thread only, until `stop()` has waited for it.
    private var reader: NDJSONReader
    private let readerIsDone = DispatchSemaphore(value: 0)

    /// The recording thread only.
    private var current: [DecodedLine] = []
    private var index = 0

    /// Starts reading at once.
    init(reader: NDJSONReader, chunkLines: Int = 256, chunkBytes: Int = 1 << 20, capacity: Int = 8) {
        self.reader = reader
        self.chunkLines = chunkLines
        self.chunkBytes = chunkBytes
        self.capacity = capacity
        Thread { [self] in
            readAll()
            readerIsDone.signal()
        }.start()
    }

    /// The next line; nil at the end of the input. Rethrows a read failure once all the lines
    /// before it have been handed out.
    func next() throws -> DecodedLine? {
        while index == current.count {
            condition.lock()
            while ready.isEmpty && !isFinished {
                condition.wait()
            }
            if ready.isEmpty {
                let failure = self.failure
                self.failure = nil
                condition.unlock()
                if let failure { throw failure }
                return nil
            }
            current = ready.removeFirst()
            index = 0
            condition.broadcast()
            condition.unlock()
        }
        index += 1
        return current[index - 1]
    }

    /// True when `next()` would return a line (or the end) without waiting for input.
    var hasReadyLine: Bool {
        if index < current.count { return true }
        condition.lock()
        defer { condition.unlock() }
        return !ready.isEmpty || isFinished
    }

    /// Stops reading ahead, waits for the reading thread, and gives the reader back (its
    /// `lineNumber` counts the lines read ahead, not only those handed out). Call it once.
    func stop() -> NDJSONReader {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
        readerIsDone.wait()
        return reader
    }

    private func readAll() {
        var chunk: [DecodedLine] = []
        var bytes = 0
        do {
            while try reader.nextLine({ line, number -> Void in
                let decoded = DecodedLine(line, number: number)
                bytes += decoded.length
                chunk.append(decoded)
            }) != nil {
                if chunk.count >= chunkLines || bytes >= chunkBytes {
                    guard hand(chunk) else { return }
                    chunk = []
                    bytes = 0
                }
            }
            finish(chunk, failure: nil)
        } catch {
            finish(chunk, failure: error)
        }
    }

    /// Queues a chunk, waiting while `capacity` are queued; false when stopped.
    private func hand(_ chunk: [DecodedLine]) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while ready.count >= capacity && !isStopped {
            condition.wait()
        }
        guard !isStopped else { return false }
        ready.append(chunk)
        condition.broadcast()
        return true
    }

    private func finish(_ chunk: [DecodedLine], failure: (any Error)?) {
        condition.lock()
        defer { condition.unlock() }
        if !chunk.isEmpty { ready.append(chunk) }
        self.failure = failure
        isFinished = true
        condition.broadcast()
    }
}
