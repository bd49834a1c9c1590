import LedgerStore

/// Every edge of one broker's tree, past and present, in memory: who each user's partner was,
/// through which partnerId, from when until when, and which events opened and closed it. Built in
/// one pass over `attribution` (in index order), it answers "who was this user's level-k partner
/// at time T" without SQLite, and lists the upline intervals of a user.
///
/// Memory grows with users and attributions, never with the questions asked: 16 bytes per user,
/// 64 per accepted attribution, and with `lookups` 32 to 64 per user and account for the id
/// tables (see `bytes`).
final class UplineIndex: Sendable {
    /// One accepted attribution: the user under `parent` in [from, to). What a walk reads, in
    /// half a cache line; the rest of what is known of it is its ``History``.
    struct Edge: Sendable {
        /// The partner's cTrader userId (kept here: one memory read fewer per level walked).
        var parentUserId: Int64
        var from: Int64
        /// `Int64.max` while current.
        var to: Int64
        /// The partner's row in `userIds`.
        var parent: Int32
        /// The partnerId used, an index into `texts`; -1 for none.
        var partnerId: Int32

        /// True when it held for at least a millisecond (a decision undone at its own instant did not).
        var isHeld: Bool { from < to }
    }

    /// What the intervals report says of an edge beyond its partner and times.
    struct History: Sendable {
        /// The account holding the partnerId (account level); 0 for a user-level partnerId.
        var partnerAccount: Int64
        var openSeq: Int64
        /// 0 while current.
        var closeSeq: Int64
        /// The step names of the events that opened and closed it, indexes into `texts`.
        var openStep: Int32
        var closeStep: Int32
    }

    /// A user's level-k partner over an interval, through the edge `edge`.
    struct Piece {
        var level: Int
        var edge: Int
        var from: Int64
        var to: Int64
        /// The edges whose start and end bound the interval.
        var opener: Int
        var closer: Int
    }

    /// cTrader userId by user row id (0: not this broker's).
    let userIds: [Int64]
    /// The broker's user row ids in userId order.
    let usersInOrder: [Int32]
    /// The edges of user row r are `edges[edgeStart[r]..<edgeStart[r + 1]]`, oldest first.
    private let edgeStart: [Int32]
    let edges: [Edge]
    /// The history of edge i is `histories[i]`; empty when the index was read without them.
    let histories: [History]
    /// partnerIds and step names, stored once.
    let texts: [String]
    /// The broker's trading accounts, ctidTraderAccountId to user row id, and its users, userId to
    /// row id: read only when asked for (`lookups`), for the activity rows that name them.
    let accounts: IdTable
    let rowsByUserId: IdTable

    /// The memory it holds, roughly, in bytes.
    var bytes: Int {
        userIds.count * 8 + usersInOrder.count * 4 + edgeStart.count * 4 + edges.count * MemoryLayout<Edge>.stride
            + histories.count * MemoryLayout<History>.stride + accounts.bytes + rowsByUserId.bytes
    }

    /// Reads the broker's users and attributions, with `histories` the edges' histories (for
    /// the intervals report), and with `lookups` its userIds and accounts (for activity rows).
    init(db: Database, brokerId: Int64, histories: Bool = true, lookups: Bool = false) throws {
        let loaded = try Loader(db: db, brokerId: brokerId, histories: histories, lookups: lookups)
        userIds = loaded.userIds
        usersInOrder = loaded.usersInOrder
        edgeStart = loaded.edgeStart
        edges = loaded.edges
        self.histories = loaded.histories
        texts = loaded.texts
        accounts = loaded.accounts
        rowsByUserId = loaded.rowsByUserId
    }

    /// The arrays while they are read (the index itself holds them as constants: reading them
    /// then needs no exclusivity check).
    private struct Loader {
        var userIds: [Int64] = []
        var usersInOrder: [Int32] = []
        var edgeStart: [Int32] = []
        var edges: [Edge] = []
        var histories: [History] = []
        var texts: [String] = []
        var textIndex: [String: Int32] = [:]
        var accounts = IdTable(capacity: 0)
        var rowsByUserId = IdTable(capacity: 0)

        init(db: Database, brokerId: Int64, histories withHistories: Bool, lookups: Bool) throws {
            let maxRow = try db.makeStatement(sql: "SELECT max(id) FROM ctidUser").fetchFirst { $0[0] as Int64? }?.flatMap { $0 } ?? 0
            guard maxRow < Int64(Int32.max) else {
                throw LedgerError(.invalidField, "too many users for the upline index: the largest user row id is \(maxRow)")
            }
            userIds = Array(repeating: 0, count: Int(maxRow) + 1)
            usersInOrder.reserveCapacity(Int(maxRow))
            try db.makeStatement(sql: "SELECT id, userId FROM ctidUser WHERE brokerId = ? ORDER BY userId")
                .forEachRow(arguments: [brokerId]) { row in
                    let rowId: Int64 = try row.required(0)
                    userIds[Int(rowId)] = try row.required(1)
                    usersInOrder.append(Int32(rowId))
                }
            if lookups {
                rowsByUserId = IdTable(capacity: usersInOrder.count)
                for row in usersInOrder { rowsByUserId.set(userIds[Int(row)], row) }
                let accountCount = try db.makeStatement(sql: "SELECT count(*) FROM traderAccount").fetchFirst { $0[0] as Int64? }
                accounts = IdTable(capacity: Int((accountCount ?? nil) ?? 0))
                try db.makeStatement(sql: """
                    SELECT a.ctidTraderAccountId, a.userRowId FROM traderAccount a JOIN ctidUser u ON u.id = a.userRowId
                    WHERE u.brokerId = ?
                    """).forEachRow(arguments: [brokerId]) { row in
                    let account: Int64 = try row.required(0)
                    guard account > 0 else { return }  // no such id in cTrader: never looked up
                    accounts.set(account, Int32(try row.required(1) as Int64))
                }
            }
            edgeStart = Array(repeating: 0, count: Int(maxRow) + 2)
            // Sized once: an array grown by doubling would hold twice the edges for a moment.
            let edgeCount = try db.makeStatement(sql: """
                SELECT count(*) FROM attribution WHERE brokerId = ? AND outcome IN ('ATTRIBUTED', 'REASSIGNED')
                """).fetchFirst(arguments: [brokerId]) { $0[0] as Int64? }
            edges.reserveCapacity(Int((edgeCount ?? nil) ?? 0))
            if withHistories { histories.reserveCapacity(edges.capacity) }
            var lastUser = 0
            // The three step names, and the partnerId of each holder, made into text once, not per row.
            let steps = [Step.Kind.userCreated, .inviteReceived, .attributionReassigned].map { text($0.rawValue) }
            var holderTexts: [Int64: Int32] = [:]
            // The rows of a user come in the order they were decided: each change closes the edge before it.
            // (`+t.brokerId`: read in the order of the index on userRowId, not sorted in memory.) The
            // step of each event follows from how the decision came (`via`): the event table, most of
            // the file, is not read. Without histories, neither is the partnerId's account.
            try db.makeStatement(sql: """
                SELECT t.userRowId, t.parentRowId, t.partnerId, t.holderRowId, t.decidedAt, t.validTo\(withHistories ? """
                    , t.eventSeq, t.via, acc.ctidTraderAccountId
                    FROM attribution t LEFT JOIN traderAccount acc ON acc.id = t.accountRowId
                    """ : " FROM attribution t")
                WHERE +t.brokerId = ? AND t.outcome IN ('ATTRIBUTED', 'REASSIGNED', 'DETACHED')
                ORDER BY t.userRowId, t.decidedAt, t.id
                """).forEachRow(arguments: [brokerId]) { row in
                let user = Int(try row.required(0) as Int64)
                if user != lastUser {
                    for index in (lastUser + 1)...user { edgeStart[index] = Int32(edges.count) }
                    lastUser = user
                }
                var history = History(partnerAccount: 0, openSeq: 0, closeSeq: 0, openStep: -1, closeStep: -1)
                if withHistories {
                    history.openSeq = try row.required(6)
                    history.openStep = try row.withUTF8(7) { via in
                        switch via.first {
                        case UInt8(ascii: "s"), UInt8(ascii: "c"): steps[0]  // signup, creation
                        case UInt8(ascii: "i"): steps[1]  // invite
                        case UInt8(ascii: "r"): steps[2]  // reassignment
                        default: throw LedgerError(.invalidField, field: "via", "attribution of user row \(user) has an unknown via")
                        }
                    }
                    history.partnerAccount = row[8] ?? 0
                    if edges.count > Int(edgeStart[user]), let last = histories.indices.last, histories[last].closeSeq == 0,
                       edges[last].to != .max
                    {
                        histories[last].closeSeq = history.openSeq
                        histories[last].closeStep = history.openStep
                    }
                }
                guard let parent = row[1] as Int64? else { return }  // a detachment closes, opens nothing
                edges.append(Edge(
                    parentUserId: userIds[Int(parent)], from: try row.required(4), to: row[5] ?? .max,
                    parent: Int32(parent), partnerId: partnerIdText(row, holders: &holderTexts)))
                if withHistories { histories.append(history) }
            }
            for index in (lastUser + 1)..<edgeStart.count { edgeStart[index] = Int32(edges.count) }
        }

        /// The text index of an edge's partnerId (column 2), cached by its holder (column 3).
        private mutating func partnerIdText(_ row: Statement.Columns, holders: inout [Int64: Int32]) -> Int32 {
            guard let holder = row[3] as Int64? else { return (row[2] as String?).map { text($0) } ?? -1 }
            if let known = holders[holder] { return known }
            let index = (row[2] as String?).map { text($0) } ?? -1
            holders[holder] = index
            return index
        }

        private mutating func text(_ value: String) -> Int32 {
            if let index = textIndex[value] { return index }
            texts.append(value)
            textIndex[value] = Int32(texts.count - 1)
            return Int32(texts.count - 1)
        }
    }

    /// The edges of a user row, oldest first.
    func edges(of user: Int) -> Range<Int> {
        guard user > 0, user + 1 < edgeStart.count else { return 0..<0 }
        return Int(edgeStart[user])..<Int(edgeStart[user + 1])
    }

    /// The edge through which a user had its partner at `at`, if it had one.
    func edge(of user: Int, at: Int64) -> Int? {
        edges.withUnsafeBufferPointer { edges in
            edgeStart.withUnsafeBufferPointer { edgeStart in Self.edge(of: user, at: at, edges, edgeStart) }
        }
    }

    private static func edge(
        of user: Int, at: Int64, _ edges: UnsafeBufferPointer<Edge>, _ edgeStart: UnsafeBufferPointer<Int32>
    ) -> Int? {
        guard user > 0, user + 1 < edgeStart.count else { return nil }
        let lowerBound = Int(edgeStart[user])
        // Newest first: at most one held edge covers an instant.
        var index = Int(edgeStart[user + 1])
        while index > lowerBound {
            index -= 1
            let edge = edges[index]
            if edge.from <= at {
                return at < edge.to ? index : nil
            }
        }
        return nil
    }

    /// The uplines of many users at once, each at its own time, a level at a time for all of
    /// them: the reads of memory of different users overlap, where one walk waits for each of
    /// its reads in turn. The edges walked for user i are `paths[i * levels ..< i * levels +
    /// depths[i]]`, level 1 first; `users` is used up.
    func uplines(of users: inout [Int], at times: [Int64], levels: Int, paths: inout [Int], depths: inout [Int]) {
        let count = users.count
        depths.removeAll(keepingCapacity: true)
        depths.append(contentsOf: repeatElement(0, count: count))
        if paths.count < count * levels { paths.append(contentsOf: repeatElement(0, count: count * levels - paths.count)) }
        edges.withUnsafeBufferPointer { edges in
            edgeStart.withUnsafeBufferPointer { edgeStart in
                users.withUnsafeMutableBufferPointer { users in
                    paths.withUnsafeMutableBufferPointer { paths in
                        depths.withUnsafeMutableBufferPointer { depths in
                            for level in 0..<levels {
                                var walking = false
                                for walker in 0..<count where users[walker] > 0 {
                                    guard let index = Self.edge(of: users[walker], at: times[walker], edges, edgeStart) else {
                                        users[walker] = 0
                                        continue
                                    }
                                    paths[walker * levels + level] = index
                                    depths[walker] = level + 1
                                    users[walker] = Int(edges[index].parent)
                                    walking = true
                                }
                                if !walking { break }
                            }
                        }
                    }
                }
            }
        }
    }

    /// The user's upline intervals up to `levels` that overlap [from, to), ordered by level then
    /// start. A level's interval ends at any change of the path to it: a change of the user's own
    /// partner or of the partner of anyone between.
    func intervals(of user: Int, levels: Int, from: Int64, to: Int64, into pieces: inout [Piece]) {
        pieces.removeAll(keepingCapacity: true)
        for index in edges(of: user) where edges[index].isHeld {
            let edge = edges[index]
            extend(Piece(level: 1, edge: index, from: edge.from, to: edge.to, opener: index, closer: index),
                   levels: levels, period: from..<to, into: &pieces)
        }
        pieces.sort { ($0.level, $0.from) < ($1.level, $1.from) }
    }

    private func extend(_ piece: Piece, levels: Int, period: Range<Int64>, into pieces: inout [Piece]) {
        guard piece.from < period.upperBound && piece.to > period.lowerBound else { return }
        pieces.append(piece)
        guard piece.level < levels else { return }
        for index in edges(of: Int(edges[piece.edge].parent)) {
            let edge = edges[index]
            guard edge.isHeld, edge.from < piece.to, edge.to > piece.from else { continue }
            let opensLater = edge.from > piece.from
                || (edge.from == piece.from && histories[index].openSeq > histories[piece.opener].openSeq)
            extend(Piece(
                level: piece.level + 1, edge: index, from: max(piece.from, edge.from), to: min(piece.to, edge.to),
                opener: opensLater ? index : piece.opener, closer: edge.to < piece.to ? index : piece.closer),
                   levels: levels, period: period, into: &pieces)
        }
    }
}
