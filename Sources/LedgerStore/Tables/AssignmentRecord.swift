/// A row of `partnerIdAssignment`: a partnerId active on its holder during [validFrom, validTo).
public struct AssignmentRecord: Sendable, Equatable {
    public var id: Int64
    public var holderRowId: Int64
    public var level: HolderRecord.Level
    public var userRowId: Int64
    public var accountRowId: Int64?
    public var partnerRowId: Int64?
    public var validFrom: Int64
    public var validTo: Int64?
    public var eventSeq: Int64
    public var endEventSeq: Int64?

    static let columns = """
        id, holderRowId, level, userRowId, accountRowId, partnerRowId, validFrom, validTo, eventSeq, endEventSeq
        """

    private static let selectActiveByUser = """
        SELECT \(columns) FROM partnerIdAssignment WHERE userRowId = ? AND level = 'user' AND validTo IS NULL
        """

    private static let selectActiveByAccount = """
        SELECT \(columns) FROM partnerIdAssignment WHERE accountRowId = ? AND level = 'account' AND validTo IS NULL
        """

    private static let selectCovering = """
        SELECT \(columns) FROM partnerIdAssignment
        WHERE holderRowId = ? AND validFrom <= ? AND (validTo IS NULL OR validTo > ?)
        ORDER BY validFrom DESC LIMIT 1
        """

    private static let selectAll = "SELECT \(columns) FROM partnerIdAssignment WHERE holderRowId = ? ORDER BY validFrom, id"

    init(_ row: Statement.Columns) throws {
        id = try row.required(0)
        holderRowId = try row.required(1)
        level = try row.required(2)
        userRowId = try row.required(3)
        accountRowId = row[4]
        partnerRowId = row[5]
        validFrom = try row.required(6)
        validTo = row[7]
        eventSeq = try row.required(8)
        endEventSeq = row[9]
    }

    /// The active user-level assignment of a user.
    public static func fetchActive(_ db: Database, userRowId: Int64) throws -> AssignmentRecord? {
        try db.cachedStatement(sql: Self.selectActiveByUser).fetchFirst(arguments: [userRowId]) { try AssignmentRecord($0) }
    }

    /// The active assignment of a trading account.
    public static func fetchActive(_ db: Database, accountRowId: Int64) throws -> AssignmentRecord? {
        try db.cachedStatement(sql: Self.selectActiveByAccount).fetchFirst(arguments: [accountRowId]) { try AssignmentRecord($0) }
    }

    /// The assignment of a holder in force at `at` (validFrom <= at < validTo), if any.
    public static func fetchCovering(_ db: Database, holderRowId: Int64, at: Int64) throws -> AssignmentRecord? {
        try db.cachedStatement(sql: Self.selectCovering).fetchFirst(arguments: [holderRowId, at, at]) { try AssignmentRecord($0) }
    }

    /// Every assignment of a holder, oldest first.
    public static func fetchAll(_ db: Database, holderRowId: Int64) throws -> [AssignmentRecord] {
        var assignments: [AssignmentRecord] = []
        try db.cachedStatement(sql: Self.selectAll)
            .forEachRow(arguments: [holderRowId]) { assignments.append(try AssignmentRecord($0)) }
        return assignments
    }

    public static func insert(
        _ db: Database, holder: HolderRecord, partnerRowId: Int64?, validFrom: Int64, eventSeq: Int64
    ) throws -> Int64 {
        try db.cachedStatement(sql: """
            INSERT INTO partnerIdAssignment (holderRowId, level, userRowId, accountRowId, partnerRowId, validFrom, eventSeq)
            VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                holder.id, holder.level, holder.userRowId, holder.accountRowId, partnerRowId, validFrom,
                eventSeq,
            ])
        return db.lastInsertedRowID
    }

    /// Ends an active assignment at `at`.
    public static func end(_ db: Database, id: Int64, at: Int64, eventSeq: Int64) throws {
        try db.cachedStatement(sql: """
            UPDATE partnerIdAssignment SET validTo = ?, endEventSeq = ? WHERE id = ? AND validTo IS NULL
            """).execute(arguments: [at, eventSeq, id])
    }
}
