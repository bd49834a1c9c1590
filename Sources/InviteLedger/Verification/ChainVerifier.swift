import LedgerStore

/// Recomputes the hash chain over the whole log, in sequence order, streaming.
struct ChainVerifier {
    let db: Database
    /// Stop listing chain problems after this many: one tampered row breaks every later link.
    var maximumProblems = 20

    func verify(into report: inout VerificationReport) throws {
        var expectedSeq: Int64 = 1
        // The previous event's hash as stored, and as recomputed from its content: a link may
        // match either, so that one altered event is reported once, not again at the next link.
        var previousStored = EventChain.genesis
        var previousComputed = EventChain.genesis
        var problems: [VerificationReport.Problem] = []
        let statement = try db.makeStatement(sql: "SELECT seq, prevHash, hash, payload, outcome FROM event ORDER BY seq")
        try statement.forEachRow { row in
            let seq: Int64 = try row.required(0)
            let storedPrevious: [UInt8] = row[1] ?? []
            let storedHash: [UInt8] = row[2] ?? []
            var hasher = SHA256()
            hasher.update(storedPrevious)
            row.withUTF8(3) { hasher.update($0) }
            hasher.update([0x0A])
            row.withUTF8(4) { hasher.update($0) }
            let computed = hasher.finalize()
            if problems.count < maximumProblems {
                if seq != expectedSeq {
                    problems.append(.init(
                        kind: .chain, seq: min(seq, expectedSeq),
                        message: "sequence jumps from \(expectedSeq - 1) to \(seq): events are missing or reordered"))
                } else if storedPrevious != previousStored && storedPrevious != previousComputed {
                    problems.append(.init(
                        kind: .chain, seq: seq,
                        message: "event \(seq): prevHash does not match the hash of event \(seq - 1)"))
                } else if storedHash != computed {
                    problems.append(.init(
                        kind: .chain, seq: seq,
                        message: "event \(seq): hash does not match its payload and outcome (changed after it was recorded)"))
                }
            }
            previousStored = storedHash
            previousComputed = computed
            expectedSeq = seq + 1
            report.events += 1
        }
        report.headHash = report.events > 0 ? previousStored : nil
        report.problems += problems
    }
}
