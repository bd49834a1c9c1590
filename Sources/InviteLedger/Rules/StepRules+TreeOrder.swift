import LedgerStore

extension StepRules {
    /// A time a change of the tree builds on: the change must not be dated before it.
    struct TreeBound {
        enum Event {
            /// The user's partner last changed.
            case placeChange(userRowId: Int64)
            /// The user's downline last changed (a member joined or left it).
            case downlineChange(userRowId: Int64)
            /// A user of an upline was attributed to its current partner.
            case attributed(userRowId: Int64)
        }

        var time: Int64
        var event: Event
    }

    /// Refuses (`INVALID_FIELD` on `at`) a change of the tree dated before a change it builds
    /// on: moving a user (with its downline) from its place, or into a new one under
    /// `newParentRowId`, at `at`, must come at or after
    ///
    /// - the user's last change of partner (its latest attribution, reassignment or detachment);
    /// - the last change of its downline (a member joining or leaving it: the paths it moves, and
    ///   those of members that left it since `at`, depend on it);
    /// - the current place of the user's upline, when it leaves it (the paths it closes began then);
    /// - the current place of the new partner's upline (the paths it opens hang from it).
    ///
    /// So no interval ever runs backwards or overlaps another: a user has one partner at any
    /// instant, and the closure table is at every instant the closure of the edges then. At the
    /// same instant as such a bound, a user cannot come back to the very place it left (the path
    /// would begin twice at one instant).
    ///
    /// - Parameters:
    ///   - downline: the user's current descendants (`RuleState.currentDescendants(of:)`).
    ///   - isLeaving: the user has a current edge that the change ends.
    ///   - isNewUser: the user is created by this step: only the new partner's upline counts.
    func requireTreeOrder(
        userRowId: Int64, downline: [LineageTable.Descendant], isLeaving: Bool, newParentRowId: Int64?,
        isNewUser: Bool
    ) throws {
        var bounds: [TreeBound] = []
        if !isNewUser, let last = try state.lastPlaceChange(userRowId: userRowId) {
            bounds.append(TreeBound(time: last, event: .placeChange(userRowId: userRowId)))
        }
        if !isNewUser, let last = try state.lastDownlineChange(of: userRowId) {
            bounds.append(TreeBound(time: last, event: .downlineChange(userRowId: userRowId)))
        }
        if isLeaving, let bound = try uplineBound(of: userRowId, levels: Int(LineageTable.storedDepth)) {
            bounds.append(bound)
        }
        if let newParentRowId, let bound = try uplineBound(of: newParentRowId, levels: Int(LineageTable.storedDepth) - 1) {
            bounds.append(bound)
        }
        guard let latest = bounds.max(by: { $0.time < $1.time }) else { return }
        guard at >= latest.time else {
            let what: String
            switch latest.event {
            case .placeChange(let rowId): what = "user \(try self.userId(ofRow: rowId))'s partner last changed"
            case .downlineChange(let rowId): what = "user \(try self.userId(ofRow: rowId))'s downline last changed"
            case .attributed(let rowId): what = "user \(try self.userId(ofRow: rowId)) was attributed to its current partner"
            }
            throw LedgerError(
                .invalidField, field: "at",
                "at \(step.at.rfc3339) is before \(Timestamp(milliseconds: latest.time).rfc3339), when \(what): a change of the tree cannot be dated before a change it builds on")
        }
        if at == latest.time, !isNewUser, let newParentRowId {
            try requireNoReturn(userRowId: userRowId, downline: downline, under: newParentRowId)
        }
    }

    /// When the place of a node in the tree (the paths from its upline) last changed: the latest
    /// start of the current edges of the node and its ancestors, `levels` edges in all, and, when
    /// the chain ends within them, when its top last changed partner (a top detached after `at`
    /// still had an upline at `at`).
    private func uplineBound(of rowId: Int64, levels: Int) throws -> TreeBound? {
        var bound: TreeBound?
        var current = rowId
        for _ in 0..<levels {
            guard let edge = try state.currentEdge(userRowId: current), let parent = edge.parentRowId else {
                if let last = try state.lastPlaceChange(userRowId: current), last > bound?.time ?? .min {
                    bound = TreeBound(time: last, event: .placeChange(userRowId: current))
                }
                break
            }
            if edge.decidedAt > bound?.time ?? .min {
                bound = TreeBound(time: edge.decidedAt, event: .attributed(userRowId: current))
            }
            current = parent
        }
        return bound
    }

    /// At the instant a user left a place, it cannot take the same place again: the paths would
    /// begin twice at one instant.
    private func requireNoReturn(userRowId: Int64, downline: [LineageTable.Descendant], under parentRowId: Int64) throws {
        let upline = [parentRowId] + (try ancestors(of: parentRowId, limit: Int(LineageTable.storedDepth) - 1))
        let members = [LineageTable.Descendant(
            depth: 0, attributedAt: at, userId: try userId(ofRow: userRowId), rowId: userRowId, validFrom: at)] + downline
        for (key, member) in paths(from: upline, to: members) where try state.pathExists(key, validFrom: at) {
            throw LedgerError(
                .invalidField, field: "at",
                "at \(step.at.rfc3339) would put user \(member.userId) back under user \(try userId(ofRow: key.ancestorRowId)) at the instant it left: date the step later")
        }
    }
}
