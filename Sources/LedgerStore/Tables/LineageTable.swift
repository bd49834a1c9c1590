/// The closure table of the referral tree (`lineage`): one row per ancestor-descendant path up
/// to ``storedDepth`` levels apart.
///
/// Paths are opened with the edge that creates them and closed (never deleted) when an edge on
/// them ends, so that the tree can be read as of any time. Deeper levels are walked: the
/// descendants of a node at level `storedDepth + k` are the descendants at level `k` of its
/// descendants at level `storedDepth`, so every level is a join of stored paths, and a chain of
/// users costs at most `storedDepth` paths per user instead of its depth.
public enum LineageTable {
    /// The deepest path stored. Realistic referral trees are a dozen levels deep or less, so
    /// their pages and counts are single range scans; only deeper levels are walked.
    public static let storedDepth: Int64 = 32

    /// A descendant of some node, at a depth relative to it, through a path valid since `validFrom`.
    public struct Descendant: Sendable, Equatable {
        public var depth: Int64
        public var attributedAt: Int64
        public var userId: Int64
        public var rowId: Int64
        /// When the path from the node to this descendant began.
        public var validFrom: Int64

        public init(depth: Int64, attributedAt: Int64, userId: Int64, rowId: Int64, validFrom: Int64) {
            self.depth = depth
            self.attributedAt = attributedAt
            self.userId = userId
            self.rowId = rowId
            self.validFrom = validFrom
        }
    }

    /// A stored path: open (`validTo` nil) or closed. It is inserted whole; `close` is the only
    /// change made to it afterwards.
    public struct Path: InsertableRecord, Equatable {
        public var ancestorRowId: Int64
        public var depth: Int64
        public var attributedAt: Int64
        public var descendantUserId: Int64
        public var validFrom: Int64
        public var validTo: Int64?
        public var descendantRowId: Int64

        public init(
            ancestorRowId: Int64, depth: Int64, attributedAt: Int64, descendantUserId: Int64, validFrom: Int64,
            validTo: Int64?, descendantRowId: Int64
        ) {
            self.ancestorRowId = ancestorRowId
            self.depth = depth
            self.attributedAt = attributedAt
            self.descendantUserId = descendantUserId
            self.validFrom = validFrom
            self.validTo = validTo
            self.descendantRowId = descendantRowId
        }

        public static let tableName = "lineage"

    }

    /// Closes the current path ancestor -> descendant at `validTo`.
    public static func close(
        _ db: Database, ancestorRowId: Int64, depth: Int64, attributedAt: Int64, descendantUserId: Int64, validTo: Int64
    ) throws {
        try db.cachedStatement(sql: """
            UPDATE lineage SET validTo = ?
            WHERE ancestorRowId = ? AND depth = ? AND attributedAt = ? AND descendantUserId = ? AND validTo IS NULL
            """).execute(arguments: [validTo, ancestorRowId, depth, attributedAt, descendantUserId])
    }

    /// Every current descendant of a node that a stored path reaches (to `maximumDepth`), with
    /// depths relative to it.
    public static func currentDescendants(
        _ db: Database, of ancestorRowId: Int64, maximumDepth: Int64 = storedDepth
    ) throws -> [Descendant] {
        var descendants: [Descendant] = []
        try db.cachedStatement(sql: """
            SELECT depth, attributedAt, descendantUserId, descendantRowId, validFrom FROM lineage
            WHERE ancestorRowId = ? AND depth <= ? AND validTo IS NULL
            """).forEachRow(arguments: [ancestorRowId, maximumDepth]) { row in
                descendants.append(Descendant(
                    depth: try row.required(0), attributedAt: try row.required(1), userId: try row.required(2),
                    rowId: try row.required(3), validFrom: try row.required(4)))
            }
        return descendants
    }

    /// When the downline of a node last changed: the latest start or end of a stored path from it
    /// (nil when none was ever stored).
    public static func lastChange(_ db: Database, of ancestorRowId: Int64) throws -> Int64? {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT max(max(validFrom, coalesce(validTo, validFrom))) FROM lineage WHERE ancestorRowId = ?
            """), arguments: [ancestorRowId])
    }

    /// True when a path with this key and `validFrom` is stored, open or closed.
    public static func exists(
        _ db: Database, ancestorRowId: Int64, depth: Int64, attributedAt: Int64, descendantUserId: Int64,
        validFrom: Int64
    ) throws -> Bool {
        try Int64.fetchOne(db.cachedStatement(sql: """
            SELECT 1 FROM lineage
            WHERE ancestorRowId = ? AND depth = ? AND attributedAt = ? AND descendantUserId = ? AND validFrom = ?
            """), arguments: [ancestorRowId, depth, attributedAt, descendantUserId, validFrom]) != nil
    }
}

extension LineageTable {
    /// Where a page of descendants starts: after this (depth, attributedAt, userId), exclusive.
    public struct Position: Sendable, Equatable {
        public var depth: Int64
        public var attributedAt: Int64
        public var userId: Int64

        public init(depth: Int64, attributedAt: Int64, userId: Int64) {
            self.depth = depth
            self.attributedAt = attributedAt
            self.userId = userId
        }
    }

    /// A page of a node's descendants to `maximumDepth`, in the order (depth, attributedAt,
    /// userId), after `position`, as the tree stands now (`asOf` nil) or stood at `asOf`.
    ///
    /// To ``storedDepth`` levels, one range scan of the primary key: the cost depends on the page,
    /// not the downline. Deeper levels are joined from stored paths only when the stored
    /// ones do not fill the page.
    public static func page(
        _ db: Database, of ancestorRowId: Int64, maximumDepth: Int64, asOf: Int64?, after position: Position?,
        limit: Int
    ) throws -> [Descendant] {
        let start = position ?? Position(depth: 0, attributedAt: Int64.min, userId: Int64.min)
        var rows: [Descendant] = []
        rows.reserveCapacity(min(limit, 1024))
        let read: (Statement.Columns) throws -> Void = { row in
            rows.append(Descendant(
                depth: try row.required(0), attributedAt: try row.required(1), userId: try row.required(2),
                rowId: try row.required(3), validFrom: try row.required(4)))
        }
        if start.depth <= storedDepth {
            try db.cachedStatement(sql: """
                SELECT depth, attributedAt, descendantUserId, descendantRowId, validFrom FROM lineage
                WHERE ancestorRowId = ?1 AND depth <= ?2 AND (depth, attributedAt, descendantUserId) > (?3, ?4, ?6)
                  AND \(validity("", asOf: asOf))
                ORDER BY depth, attributedAt, descendantUserId
                LIMIT ?7
                """).forEachRow(arguments: [
                    ancestorRowId, min(maximumDepth, storedDepth), start.depth, start.attributedAt, asOf, start.userId,
                    limit,
                ], read)
        }
        if rows.count < limit && maximumDepth > storedDepth {
            try db.cachedStatement(sql: """
                \(walkedLevels(asOf: asOf))
                SELECT walked.base + l.depth AS level, l.attributedAt, l.descendantUserId, l.descendantRowId, l.validFrom
                FROM walked JOIN lineage l
                  ON l.ancestorRowId = walked.rowId AND l.depth <= ?2 - walked.base AND \(validity("l.", asOf: asOf))
                WHERE (walked.base + l.depth, l.attributedAt, l.descendantUserId) > (?3, ?4, ?6)
                ORDER BY level, l.attributedAt, l.descendantUserId
                LIMIT ?7
                """).forEachRow(arguments: [
                    ancestorRowId, maximumDepth, start.depth, start.attributedAt, asOf, start.userId,
                    limit - rows.count, storedDepth,
                ], read)
        }
        return rows
    }

    /// The number of descendants at each depth up to `maximumDepth`, now or as of `asOf`.
    public static func countsPerDepth(
        _ db: Database, of ancestorRowId: Int64, maximumDepth: Int64, asOf: Int64?
    ) throws -> [(depth: Int64, count: Int64)] {
        var counts: [(depth: Int64, count: Int64)] = []
        let read: (Statement.Columns) throws -> Void = { row in counts.append((try row.required(0), try row.required(1))) }
        try db.cachedStatement(sql: """
            SELECT depth, COUNT(*) FROM lineage
            WHERE ancestorRowId = ?1 AND depth <= ?2 AND \(validity("", asOf: asOf))
            GROUP BY depth ORDER BY depth
            """).forEachRow(arguments: [ancestorRowId, min(maximumDepth, storedDepth), nil, nil, asOf], read)
        if maximumDepth > storedDepth && counts.last?.depth == storedDepth {
            try db.cachedStatement(sql: """
                \(walkedLevels(asOf: asOf))
                SELECT walked.base + l.depth AS level, COUNT(*)
                FROM walked JOIN lineage l
                  ON l.ancestorRowId = walked.rowId AND l.depth <= ?2 - walked.base AND \(validity("l.", asOf: asOf))
                GROUP BY level ORDER BY level
                """).forEachRow(arguments: [ancestorRowId, maximumDepth, nil, nil, asOf, nil, nil, storedDepth], read)
        }
        return counts
    }

    /// A path's validity: current (`asOf` nil) or valid at `?5`.
    private static func validity(_ table: String, asOf: Int64?) -> String {
        asOf == nil
            ? "\(table)validTo IS NULL AND ?5 IS NULL"
            : "\(table)validFrom <= ?5 AND (\(table)validTo IS NULL OR \(table)validTo > ?5)"
    }

    /// `walked(rowId, base)`: the descendants of `?1` at levels `?8`, 2 x `?8`, ... (multiples of
    /// ``storedDepth``) below `?2`, each with its level as `base`. A node's descendant at level
    /// `base + d` (1 <= d <= `storedDepth`) is then the stored path of depth d from the one
    /// walked node at level `base` above it.
    private static func walkedLevels(asOf: Int64?) -> String {
        """
        WITH RECURSIVE walked(rowId, base) AS (
            SELECT descendantRowId, ?8 FROM lineage
            WHERE ancestorRowId = ?1 AND depth = ?8 AND ?8 < ?2 AND \(validity("", asOf: asOf))
            UNION ALL
            SELECT l.descendantRowId, walked.base + ?8
            FROM walked JOIN lineage l ON l.ancestorRowId = walked.rowId AND l.depth = ?8 AND \(validity("l.", asOf: asOf))
            WHERE walked.base + ?8 < ?2
        )
        """
    }
}
