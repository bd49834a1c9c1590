import LedgerStore

/// An ingest into a ledger that holds no rows: its recording state knows every key it writes
/// (`LedgerState.buildsAlone()`), and its commits do not wait for the disk (a killed process
/// loses nothing committed; a power failure during the load may damage the new ledger, which is
/// then loaded again). At the end, or as soon as another process writes to the ledger, the
/// connection waits for the disk again and everything committed is synced.
struct FirstLoad {
    private let ledger: Ledger
    private(set) var isOn: Bool

    /// Starts one when the ledger holds no rows; otherwise does nothing.
    static func begin(_ ledger: Ledger) throws -> FirstLoad {
        let isOn = try ledger.queue.inDatabase { db in
            guard try ledger.recordingState(db).buildsAlone(), !db.isInMemory else { return false }
            try db.setSynchronized(false)
            return true
        }
        return FirstLoad(ledger: ledger, isOn: isOn)
    }

    /// After a commit: ends the first load when another process has written to the ledger.
    mutating func didCommit() throws {
        guard isOn, try ledger.queue.inDatabase({ db in !ledger.recordingState(db).isBuildingAlone }) else { return }
        try end()
    }

    /// Waits for the disk again and syncs everything committed. Safe to call twice.
    mutating func end() throws {
        guard isOn else { return }
        isOn = false
        try ledger.queue.inDatabase { db in
            try db.setSynchronized(true)
            try db.checkpointAndSync()
        }
    }

    private init(ledger: Ledger, isOn: Bool) {
        self.ledger = ledger
        self.isOn = isOn
    }
}
