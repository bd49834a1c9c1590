import LedgerStore

/// Proves that everything beside the log is what the log says: replays every event into a
/// scratch ledger made by the same migrations (a temporary file, always removed), checks that
/// each event gives back the outcome it was recorded with, byte for byte, then compares every
/// table with the replay's, every row (current and closed) and every column.
///
/// The tables compared are those the migrations create, read from the scratch ledger, so a
/// table added by a later migration is covered without being named here. The event table is
/// compared too: `brokerId`, `eventId`, `step` and `at` must be what its payload says. Its
/// `hash` is left to `ChainVerifier`, and the migrations table holds no ledger data.
struct ReplayVerifier {
    let db: Database
    /// Problems listed per kind of check before the rest are only counted.
    var maximumProblems = 20

    func verify(into report: inout VerificationReport) throws {
        let scratch = try TemporaryDatabase(prefix: "invite-ledger-replay")
        defer { scratch.remove() }
        try LedgerSchema.migrator().migrate(scratch.db)
        try SchemaVerifier(db: db, expected: scratch.db).verify(into: &report)
        try db.withCacheSize(kibibytes: LogReplay.sourceCacheKiB) {
            try replay(into: scratch.db, report: &report)
        }
    }

    /// The log replayed into `scratch`, then every table compared with it; the ledger is read in
    /// order, each page once.
    private func replay(into scratch: Database, report: inout VerificationReport) throws {
        var eventProblems = 0
        func add(_ event: LogReplay.Event, _ message: String) {
            eventProblems += 1
            if eventProblems <= maximumProblems {
                report.problems.append(.init(kind: .event, seq: event.seq, message: "event \(event.seq): \(message)"))
            }
        }
        try LogReplay(source: db, target: scratch).run { event, result in
            report.replayedEvents += 1
            switch result {
            case .unreadable(let error):
                add(event, "its payload is not a valid step: \(error)")
            case .rejected(let error):
                add(event, "replaying the log rejects it: \(error)")
            case .recorded(let outcome, _) where outcome.status == .duplicate:
                add(event, "its eventId was already recorded at seq \(outcome.seq)")
            case .recorded(_, let replayed):
                guard replayed != event.outcome else { return }
                if (try? JSONParser.parse(event.outcome)) == nil {
                    add(event, "its outcome is not valid JSON; replaying the log gives \(replayed)")
                } else {
                    add(event, "its outcome is \(event.outcome), replaying the log gives \(replayed)")
                }
            }
        }
        if eventProblems > maximumProblems {
            report.problems.append(.init(
                kind: .event, message: "\(eventProblems - maximumProblems) more event problems are not listed"))
        }

        for table in try LedgerSchema.tables(scratch) {
            let excluded: Set<String> = table == "event" ? ["hash"] : []
            var comparison = try TableComparison(table: table, in: scratch, excluding: excluded)
            comparison.maximumProblems = maximumProblems
            try comparison.compare(ledger: db, replay: scratch, into: &report)
        }
    }
}
