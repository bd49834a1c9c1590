import LedgerStore

/// The opaque keyset cursor of a referrals page: the (level, attributedAt, userId) of the last
/// row shown. Rows are ordered by that key, so a page never repeats or skips a row that existed
/// when the first page was read, whatever is attributed meanwhile.
enum ReferralCursor {
    static let prefix = "r1."

    static func encode(_ position: LineageTable.Position) -> String {
        prefix + "\(position.depth).\(position.attributedAt).\(position.userId)"
    }

    static func decode(_ text: String) throws -> LineageTable.Position {
        guard text.hasPrefix(prefix) else { throw invalid(text) }
        let parts = text.dropFirst(prefix.count).split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3, let depth = Int64(parts[0]), depth >= 1, let attributedAt = Int64(parts[1]),
              let userId = Int64(parts[2]), userId >= 1
        else { throw invalid(text) }
        return LineageTable.Position(depth: depth, attributedAt: attributedAt, userId: userId)
    }

    private static func invalid(_ text: String) -> LedgerError {
        LedgerError(
            .invalidCursor, field: "--after",
            "\(FieldReader.show(.string(text))) is not a cursor printed by a previous page (nextCursor)")
    }
}
