import LedgerStore

extension LineageTable.Path {
    /// The path seen from its ancestor: the descendant, at its depth below it.
    var descendant: LineageTable.Descendant {
        LineageTable.Descendant(
            depth: depth, attributedAt: attributedAt, userId: descendantUserId, rowId: descendantRowId, validFrom: validFrom)
    }
}

extension Array<LineageTable.Descendant> {
    /// In the closure table's order below a node: depth, attribution time, userId.
    func inTreeOrder() -> [LineageTable.Descendant] {
        sorted { ($0.depth, $0.attributedAt, $0.userId) < ($1.depth, $1.attributedAt, $1.userId) }
    }
}
