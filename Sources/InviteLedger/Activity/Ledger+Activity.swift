import LedgerStore

extension Ledger {
    /// Reads activity rows (CSV with a header, or NDJSON) and writes each one back, in input
    /// order and with all of its columns as they were, followed by `attributed` and, for levels
    /// 1 to `options.levels`, the userId and partnerId of the trader's partner at that level at
    /// the row's time:
    ///
    ///     var input = try NDJSONReader.open(path: "deals-april.csv")
    ///     let summary = try ledger.attributeActivity(&input, options: .init(levels: 3)) { bytes in
    ///         output.write(bytes)
    ///     } onRejection: { rejection in
    ///         log(rejection)
    ///     }
    ///
    /// A row whose trader had no partner then is written with `attributed` false and empty levels.
    /// A row that cannot be attributed (no such trader, a missing or bad time or id, a CSV row with
    /// another number of fields than the header) is left out and passed to `onRejection`; with
    /// `stopAtFirstError` it is thrown instead. CSV is written with CRLF line ends, NDJSON with LF.
    ///
    /// The tree is read once, from one snapshot, into memory (it grows with the broker's users,
    /// never with the number of rows); the rows then stream through two worker threads, in blocks
    /// of whole lines. `write` and `onRejection` are called on the calling thread only, in input
    /// order. When `stopAtFirstError` stops it, every row before the bad one has been passed to
    /// `write`.
    public func attributeActivity(
        _ input: inout NDJSONReader, options: ActivityOptions, write: (UnsafeBufferPointer<UInt8>) throws -> Void,
        onRejection: (ActivityRejection) throws -> Void = { _ in }
    ) throws -> ActivitySummary {
        try options.validate()
        let (index, broker, snapshotSeq) = try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: options.broker)
            return (try UplineIndex(db: db, brokerId: scope.broker.id, histories: false, lookups: true), scope.broker.brokerCrmName,
                    try EventRecord.head(db)?.seq ?? 0)
        }
        let attributor = ActivityAttributor(index: index, options: options, brokerCrmName: broker)
        return try withoutActuallyEscaping(onRejection) { onRejection in
            try withoutActuallyEscaping(write) { write in
                var run = ActivityRun(attributor: attributor, onRejection: onRejection)
                run.summary.snapshotSeq = snapshotSeq
                var output = BlockWriter(write)
                try ActivityBlocks.run(&run, input: &input, output: &output)
                try run.finish(into: &output)
                try output.finish()
                return run.summary
            }
        }
    }
}
