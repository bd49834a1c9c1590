import LedgerStore

extension Ledger {
    /// Checks that the ledger is intact, in one read snapshot: recomputes the hash chain, runs
    /// SQLite's integrity and foreign-key checks, checks that the log is still append-only, and
    /// compares the derived tables with the log. See Reliability.md for what this proves.
    ///
    /// - Parameter storageChecks: false to recompute the hash chain only (much faster on a large
    ///   file: `integrity_check` reads every page).
    public func verify(storageChecks: Bool = true) throws -> VerificationReport {
        try queue.read { db in
            var report = VerificationReport()
            try ChainVerifier(db: db).verify(into: &report)
            if storageChecks {
                try StoreVerifier(db: db).verify(into: &report)
            }
            return report
        }
    }
}
