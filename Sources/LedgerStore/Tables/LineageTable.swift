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

    /// Opens the path ancestor -> descendant at `validFrom`.
    public static func open(
        _ db: Database, ancestorRowId: Int64, depth: Int64, descendant: Descendant, validFrom: Int64
    ) throws {
        try db.cachedStatement(sql: """
            INSERT INTO lineage (ancestorRowId, depth, attributedAt, descendantUserId, validFrom, descendantRowId)
            VALUES (?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                ancestorRowId, depth, descendant.attributedAt, descendant.userId, validFrom, descendant.rowId,
            ])
    }

    /// Closes the current path ancestor -> descendant at `validTo`.
    public static func close(
        _ db: Database, ancestorRowId: Int64, depth: Int64, descendant: Descendant, validTo: Int64
    ) throws {
        try db.cachedStatement(sql: """
            UPDATE lineage SET validTo = ?
            WHERE ancestorRowId = ? AND depth = ? AND attributedAt = ? AND descendantUserId = ? AND validTo IS NULL
            """).execute(arguments: [validTo, ancestorRowId, depth, descendant.attributedAt, descendant.userId])
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
