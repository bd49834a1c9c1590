/// The closure table of the referral tree (`lineage`): one row per ancestor-descendant path.
///
/// Paths are opened with the edge that creates them and closed (never deleted) when an edge on
/// them ends, so that the tree can be read as of any time.
public enum LineageTable {
    /// A current descendant of some node, at a depth relative to it.
    public struct Descendant: Sendable, Equatable {
        public var depth: Int64
        public var attributedAt: Int64
        public var userId: Int64
        public var rowId: Int64

        public init(depth: Int64, attributedAt: Int64, userId: Int64, rowId: Int64) {
            self.depth = depth
            self.attributedAt = attributedAt
            self.userId = userId
            self.rowId = rowId
        }
    }

    /// Inserts a path: open (`validTo` nil) or already closed.
    public static func insert(
        _ db: Database, ancestorRowId: Int64, depth: Int64, attributedAt: Int64, descendantUserId: Int64,
        validFrom: Int64, validTo: Int64?, descendantRowId: Int64
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO lineage (ancestorRowId, depth, attributedAt, descendantUserId, validFrom, validTo, descendantRowId)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [ancestorRowId, depth, attributedAt, descendantUserId, validFrom, validTo, descendantRowId])
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

    /// Every current descendant of a node, with depths relative to it.
    public static func currentDescendants(_ db: Database, of ancestorRowId: Int64) throws -> [Descendant] {
        var descendants: [Descendant] = []
        try db.cachedStatement(sql: """
            SELECT depth, attributedAt, descendantUserId, descendantRowId FROM lineage
            WHERE ancestorRowId = ? AND validTo IS NULL
            """).forEachRow(arguments: [ancestorRowId]) { row in
                descendants.append(Descendant(
                    depth: try row.required(0), attributedAt: try row.required(1), userId: try row.required(2),
                    rowId: try row.required(3)))
            }
        return descendants
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
    /// One range scan of the primary key: the cost depends on the page, not the downline.
    public static func page(
        _ db: Database, of ancestorRowId: Int64, maximumDepth: Int64, asOf: Int64?, after position: Position?,
        limit: Int
    ) throws -> [Descendant] {
        let start = position ?? Position(depth: 0, attributedAt: Int64.min, userId: Int64.min)
        let validity = asOf == nil
            ? "validTo IS NULL"
            : "validFrom <= ?5 AND (validTo IS NULL OR validTo > ?5)"
        let statement = try db.cachedStatement(sql: """
            SELECT depth, attributedAt, descendantUserId, descendantRowId FROM lineage
            WHERE ancestorRowId = ?1 AND depth <= ?2 AND (depth, attributedAt, descendantUserId) > (?3, ?4, ?6)
              AND \(validity)
            ORDER BY depth, attributedAt, descendantUserId
            LIMIT ?7
            """)
        var rows: [Descendant] = []
        rows.reserveCapacity(limit)
        try statement.forEachRow(arguments: [
            ancestorRowId, maximumDepth, start.depth, start.attributedAt, asOf ?? 0, start.userId, limit,
        ]) { row in
            rows.append(Descendant(
                depth: try row.required(0), attributedAt: try row.required(1), userId: try row.required(2),
                rowId: try row.required(3)))
        }
        return rows
    }

    /// The number of descendants at each depth up to `maximumDepth`, now or as of `asOf`.
    public static func countsPerDepth(
        _ db: Database, of ancestorRowId: Int64, maximumDepth: Int64, asOf: Int64?
    ) throws -> [(depth: Int64, count: Int64)] {
        let validity = asOf == nil
            ? "validTo IS NULL AND ?3 IS NULL"
            : "validFrom <= ?3 AND (validTo IS NULL OR validTo > ?3)"
        var counts: [(depth: Int64, count: Int64)] = []
        try db.cachedStatement(sql: """
            SELECT depth, COUNT(*) FROM lineage
            WHERE ancestorRowId = ?1 AND depth <= ?2 AND \(validity)
            GROUP BY depth ORDER BY depth
            """).forEachRow(arguments: [ancestorRowId, maximumDepth, asOf]) { row in
                counts.append((try row.required(0), try row.required(1)))
            }
        return counts
    }
}
