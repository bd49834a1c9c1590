import Foundation

/// Transforms chunks on a thread of its own, in the order they were submitted: the thread that
/// submits them goes on with other work (reading the next chunk, recording the last one) while
/// the second core transforms. The log replay decodes its payloads this way.
///
///     let decoder = ChunkWorker<[UInt8], Step?> { payloads in payloads.map { try? Step(jsonBytes: $0) } }
///     defer { decoder.stop() }
///     decoder.submit(firstPayloads)
///     let steps = decoder.take()      // waits for the oldest chunk submitted
///
/// Memory holds the chunks submitted and not yet taken: the caller bounds it by how far ahead it
/// submits.
final class ChunkWorker<Input: Sendable, Output: Sendable>: @unchecked Sendable {
    private let transform: @Sendable ([Input]) -> [Output]

    // Shared, guarded by `condition`.
    private let condition = NSCondition()
    private var waiting: [[Input]] = []
    private var done: [[Output]] = []
    private var isStopped = false
    private let threadIsDone = DispatchSemaphore(value: 0)

    /// Submitted and not yet taken (the submitting thread only).
    private(set) var pending = 0

    init(_ transform: @escaping @Sendable ([Input]) -> [Output]) {
        self.transform = transform
        Thread { [self] in
            work()
            threadIsDone.signal()
        }.start()
    }

    /// Queues a chunk to transform; returns at once.
    func submit(_ chunk: [Input]) {
        condition.lock()
        waiting.append(chunk)
        pending += 1
        condition.broadcast()
        condition.unlock()
    }

    /// The oldest submitted chunk, transformed: waits for it. Call only while `pending > 0`.
    func take() -> [Output] {
        condition.lock()
        defer { condition.unlock() }
        while done.isEmpty {
            condition.wait()
        }
        pending -= 1
        return done.removeFirst()
    }

    /// Ends the thread once it has finished its chunk in hand, and waits for it. Call it once.
    func stop() {
        condition.lock()
        isStopped = true
        condition.broadcast()
        condition.unlock()
        threadIsDone.wait()
    }

    private func work() {
        while true {
            condition.lock()
            while waiting.isEmpty && !isStopped {
                condition.wait()
            }
            guard !isStopped else {
                condition.unlock()
                return
            }
            let chunk = waiting.removeFirst()
            condition.unlock()
            let output = transform(chunk)
            condition.lock()
            done.append(output)
            condition.broadcast()
            condition.unlock()
        }
    }
}
