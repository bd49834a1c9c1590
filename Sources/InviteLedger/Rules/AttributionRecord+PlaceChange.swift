import LedgerStore

extension AttributionRecord {
    /// When this decision last changed the user's partner: when it was made or, for an edge
    /// that ended, when it ended, whichever is later; nil for a refused attribution, which
    /// changed nothing. A user's latest place change is the latest of its decisions'.
    var placeChange: Int64? {
        guard outcome.isEdge || outcome == .detached else { return nil }
        return max(decidedAt, validTo ?? .min)
    }
}
