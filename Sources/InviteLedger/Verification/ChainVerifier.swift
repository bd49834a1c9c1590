import Dispatch
import Foundation
import LedgerStore

/// Recomputes the hash chain over the whole log, in sequence order, streaming.
///
/// Events are read in batches; each batch's hashes are computed on all cores (an event's hash
/// depends only on the previous row's stored hash and its own payload, outcome and recordedAt)
/// while the next batch is read, then the events are checked in order.
///
/// A ledger written before recordedAt was hashed begins with legacy events (`EventChain.Format`):
/// they are accepted only before the first event in the current format.
struct ChainVerifier {
    let db: Database
    /// Stop listing chain problems after this many: one tampered row breaks every later link.
    var maximumProblems = 20
    var batchSize = 8_192

    /// One batch of events: the messages to hash, back to back, and what is stored.
    private struct Batch {
        var seqs: [Int64] = []
        /// hash(n - 1) as stored || payload || 0x0A || outcome || 0x0A || recordedAt, for each
        /// event, concatenated.
        var messages: [UInt8] = []
        var offsets: [Int] = [0]
        /// The length of each message's recordedAt suffix, left out by the legacy format.
        var suffixLengths: [Int] = []
        /// The length of each previous hash, at the start of its message.
        var previousLengths: [Int] = []
        /// The stored hashes, back to back, and where each one ends.
        var storedHashes: [UInt8] = []
        var storedHashEnds: [Int] = [0]

        var count: Int { seqs.count }

        /// What the event's hash covers after the previous hash, in the current format.
        func content(_ index: Int) -> ArraySlice<UInt8> {
            messages[(offsets[index] + previousLengths[index])..<offsets[index + 1]]
        }

        func storedHash(_ index: Int) -> ArraySlice<UInt8> {
            storedHashes[storedHashEnds[index]..<storedHashEnds[index + 1]]
        }

        /// The hash of an event in the legacy format: its message without the recordedAt suffix.
        func legacyHash(_ index: Int) -> [UInt8] {
            SHA256.hash(messages[offsets[index]..<(offsets[index + 1] - suffixLengths[index])])
        }

        mutating func removeAll() {
            seqs.removeAll(keepingCapacity: true)
            suffixLengths.removeAll(keepingCapacity: true)
            previousLengths.removeAll(keepingCapacity: true)
            storedHashes.removeAll(keepingCapacity: true)
            storedHashEnds.removeAll(keepingCapacity: true)
            storedHashEnds.append(0)
            messages.removeAll(keepingCapacity: true)
            offsets.removeAll(keepingCapacity: true)
            offsets.append(0)
        }

        /// The SHA-256 of every message, 32 bytes each, computed on `workers` threads.
        func hashes(workers: Int) -> [UInt8] {
            var digests = [UInt8](repeating: 0, count: count * 32)
            let count = self.count
            messages.withUnsafeBytes { messageBytes in
                digests.withUnsafeMutableBytes { digestBytes in
                    nonisolated(unsafe) let input = messageBytes
                    nonisolated(unsafe) let output = digestBytes
                    let offsets = self.offsets
                    let chunk = (count + workers - 1) / workers
                    DispatchQueue.concurrentPerform(iterations: workers) { worker in
                        for index in (worker * chunk)..<min(count, (worker + 1) * chunk) {
                            let message = UnsafeRawBufferPointer(rebasing: input[offsets[index]..<offsets[index + 1]])
                            SHA256.hash(message, into: output.baseAddress! + index * 32)
                        }
                    }
                }
            }
            return digests
        }
    }

    /// The digests of a batch, written by the thread that hashes it before it leaves `group`.
    private final class Digests: @unchecked Sendable {
        let group = DispatchGroup()
        var bytes: [UInt8] = []
    }

    func verify(into report: inout VerificationReport) throws {
        var expectedSeq: Int64 = 1
        // The previous event's hash as stored, and as its content says it should be: an event is
        // right when its hash chains from either, so that one altered event (its content or its
        // stored hash) is reported once, not again at the next event.
        var previousStored = EventChain.genesis
        var previousComputed = EventChain.genesis
        var problems: [VerificationReport.Problem] = []
        var isLegacyPrefix = true
        let workers = max(1, min(8, ProcessInfo.processInfo.activeProcessorCount))
        var batch = Batch()
        batch.messages.reserveCapacity(batchSize * 512)

        func check(_ batch: Batch, _ computed: [UInt8]) {
            for index in 0..<batch.count {
                let seq = batch.seqs[index]
                let storedHash = batch.storedHash(index)
                // Chained from the stored previous hash, computed in the background.
                var hash = computed[(index * 32)..<(index * 32 + 32)]
                var isRight = storedHash.elementsEqual(hash)
                if isRight {
                    isLegacyPrefix = false
                } else if isLegacyPrefix, case let legacy = batch.legacyHash(index), storedHash.elementsEqual(legacy) {
                    hash = legacy[...]
                    isRight = true
                    report.legacyEvents += 1
                } else if previousComputed != previousStored {
                    // The previous event was altered: this one may chain from what it should have been.
                    let rechained = SHA256.hash(previousComputed + batch.content(index))
                    if storedHash.elementsEqual(rechained) {
                        hash = rechained[...]
                        isRight = true
                    }
                }
                if problems.count < maximumProblems {
                    if seq != expectedSeq {
                        problems.append(.init(
                            kind: .chain, seq: min(seq, expectedSeq),
                            message: "sequence jumps from \(expectedSeq - 1) to \(seq): events are missing or reordered"))
                    } else if !isRight {
                        problems.append(.init(
                            kind: .chain, seq: seq,
                            message: "event \(seq): hash does not match its payload, outcome and recordedAt (changed after it was recorded)"))
                    }
                }
                previousStored.replaceSubrange(previousStored.indices, with: storedHash)
                previousComputed.replaceSubrange(previousComputed.indices, with: hash)
                expectedSeq = seq + 1
            }
            report.events += Int64(batch.count)
        }

        // The batch being hashed in the background while the next one is read.
        var pending: (batch: Batch, digests: Digests)?
        /// Waits for the pending batch's hashes and checks it; returns it, to be filled again.
        func checkPending() -> Batch? {
            guard let (batch, digests) = pending else { return nil }
            pending = nil
            digests.group.wait()
            check(batch, digests.bytes)
            return batch
        }
        func hashInBackground(_ batch: Batch) {
            let digests = Digests()
            digests.group.enter()
            DispatchQueue.global().async {
                digests.bytes = batch.hashes(workers: workers)
                digests.group.leave()
            }
            pending = (batch, digests)
        }

        // The stored hash of the row read last: the previous hash of the next one.
        var lastStored = EventChain.genesis
        let statement = try db.makeStatement(
            sql: "SELECT seq, hash, payload, outcome, recordedAt FROM event ORDER BY seq")
        try statement.forEachRow { row in
            batch.seqs.append(try row.required(0))
            batch.messages.append(contentsOf: lastStored)
            batch.previousLengths.append(lastStored.count)
            lastStored.removeAll(keepingCapacity: true)
            row.withBytes(1) { lastStored.append(contentsOf: $0) }
            batch.storedHashes.append(contentsOf: lastStored)
            batch.storedHashEnds.append(batch.storedHashes.count)
            row.withUTF8(2) { batch.messages.append(contentsOf: $0) }
            batch.messages.append(0x0A)
            row.withUTF8(3) { batch.messages.append(contentsOf: $0) }
            let suffix = EventChain.recordedAtSuffix(try row.required(4))
            batch.messages.append(contentsOf: suffix)
            batch.suffixLengths.append(suffix.count)
            batch.offsets.append(batch.messages.count)
            if batch.count == batchSize {
                let checked = checkPending()
                hashInBackground(batch)
                batch = checked ?? Batch()
                batch.removeAll()
            }
        }
        _ = checkPending()
        check(batch, batch.hashes(workers: workers))
        report.headHash = report.events > 0 ? previousStored : nil
        report.problems += problems
    }
}
