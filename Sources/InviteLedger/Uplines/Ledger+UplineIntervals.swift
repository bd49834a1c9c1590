import LedgerStore

/// `report upline-intervals`: one row per (user, level, partner) interval.
public enum UplineIntervalReport {
    /// The columns, in order (documented in README.md).
    public static let columns = columnKinds.map(\.0)

    static let columnKinds: [(String, ReportColumnKind)] = [
        ("userId", .integer), ("level", .integer), ("partnerUserId", .integer), ("partnerId", .text),
        ("partnerCtidTraderAccountId", .integer), ("validFrom", .timestamp), ("validTo", .timestamp),
        ("openedSeq", .integer), ("openedStep", .text), ("closedSeq", .integer), ("closedStep", .text),
    ]
}

extension Ledger {
    /// Calls `body` with every upline interval of the broker's users that overlaps the period
    /// [`options.from`, `options.to`), up to `options.levels`, ordered by userId, level, then
    /// start; all from one snapshot. `options.format` is not used.
    ///
    ///     try ledger.forEachUplineInterval(.init(from: april, to: may, levels: 3)) { interval in
    ///         payouts.add(interval)
    ///     }
    ///
    /// Memory grows with the broker's users and attributions (about 140 bytes each), never with
    /// the number of intervals.
    @discardableResult
    public func forEachUplineInterval(_ options: ReportOptions, _ body: (UplineInterval) throws -> Void) throws
        -> ReportSummary
    {
        try options.validate()
        return try queue.read { db in
            let scope = try QueryScope(db: db, brokerCrmName: options.broker)
            let snapshotSeq = try EventRecord.head(db)?.seq ?? 0
            let index = try UplineIndex(db: db, brokerId: scope.broker.id)
            var rows = 0
            try index.forEachInterval(options) { user, piece in
                try body(index.interval(user: user, piece))
                rows += 1
            }
            return ReportSummary(rows: rows, snapshotSeq: snapshotSeq)
        }
    }

    /// Streams `report upline-intervals` in CSV or NDJSON (the rows of `forEachUplineInterval`).
    public func reportUplineIntervals(
        _ options: ReportOptions, progress: (Int) -> Void = { _ in },
        write: (UnsafeBufferPointer<UInt8>) throws -> Void
    ) throws -> ReportSummary {
        try streamReport(options, columns: UplineIntervalReport.columnKinds, progress: progress, write: write) {
            scope, sink in
            let index = try UplineIndex(db: scope.db, brokerId: scope.broker.id)
            try index.forEachInterval(options) { user, piece in
                try sink.add(IntervalCells(index: index, user: user, piece: piece))
            }
        }
    }
}

extension UplineIndex {
    /// Every interval of every user, in userId order.
    func forEachInterval(_ options: ReportOptions, _ body: (Int, Piece) throws -> Void) throws {
        var pieces: [Piece] = []
        for user in usersInOrder {
            intervals(of: Int(user), levels: options.levels, from: options.fromMilliseconds,
                      to: options.toMilliseconds, into: &pieces)
            for piece in pieces {
                try body(Int(user), piece)
            }
        }
    }

    func interval(user: Int, _ piece: Piece) -> UplineInterval {
        let edge = edges[piece.edge]
        let account = histories[piece.edge].partnerAccount
        let opener = histories[piece.opener]
        let closer = histories[piece.closer]
        return UplineInterval(
            userId: userIds[user], level: piece.level, partnerUserId: edge.parentUserId,
            partnerId: edge.partnerId < 0 ? nil : texts[Int(edge.partnerId)],
            partnerCtidTraderAccountId: account == 0 ? nil : account,
            validFrom: Timestamp(milliseconds: piece.from),
            validTo: piece.to == .max ? nil : Timestamp(milliseconds: piece.to),
            openedSeq: opener.openSeq, openedStep: texts[Int(opener.openStep)],
            closedSeq: piece.to == .max ? nil : closer.closeSeq,
            closedStep: piece.to == .max || closer.closeStep < 0 ? nil : texts[Int(closer.closeStep)])
    }
}

/// One interval as report cells, read straight from the index (no value made per cell).
private struct IntervalCells: ReportCells {
    let index: UplineIndex
    let user: Int
    let piece: UplineIndex.Piece

    private var edge: UplineIndex.Edge { index.edges[piece.edge] }
    private var isCurrent: Bool { piece.to == .max }

    func isNull(_ column: Int) -> Bool {
        switch column {
        case 3: edge.partnerId < 0
        case 4: index.histories[piece.edge].partnerAccount == 0
        case 6, 9, 10: isCurrent
        default: false
        }
    }

    func integer(_ column: Int) -> Int64 {
        switch column {
        case 0: index.userIds[user]
        case 1: Int64(piece.level)
        case 2: edge.parentUserId
        case 4: index.histories[piece.edge].partnerAccount
        case 5: piece.from
        case 6: piece.to
        case 7: index.histories[piece.opener].openSeq
        case 9: index.histories[piece.closer].closeSeq
        default: 0
        }
    }

    func withUTF8<Result>(_ column: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        var text: String
        switch column {
        case 3: text = index.texts[Int(edge.partnerId)]
        case 8: text = index.texts[Int(index.histories[piece.opener].openStep)]
        case 10: text = index.texts[Int(index.histories[piece.closer].closeStep)]
        default: text = ""
        }
        return try text.withUTF8(body)
    }
}
