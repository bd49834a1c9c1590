import LedgerStore

extension StepRules {
    /// The attribution decided for a user and a partnerId, not yet recorded (``record(_:)``).
    struct Decision {
        var record: AttributionRecord
        var members: [(String, JSONValue)]
        var holder: HolderRecord?
        /// The user's current descendants, which an accepted attribution brings along.
        var downline: [LineageTable.Descendant] = []

        var outcome: AttributionRecord.Outcome { record.outcome }
    }

    /// Decides an attribution, changing nothing. Outcomes, checked in order: `UNKNOWN_PARTNER_ID`,
    /// `PARTNER_ID_INACTIVE` (at `activeAt`), `SELF_REFERRAL`, `CYCLE`, `ALREADY_ATTRIBUTED`; else
    /// the user is attached under the partnerId's holder. A rejection is recorded and changes
    /// nothing else.
    ///
    /// - Parameters:
    ///   - isNewUser: the user is created by this step (its row id handed out next): it has no
    ///     downline, no partner and no earlier attribution.
    ///   - requireNeverAttributed: first attribution wins for good (`user.created`); when
    ///     false (`invite.received`), a user whose edge was detached may be attributed again.
    /// - Throws: `INVALID_FIELD` on `at` when an accepted attribution would be dated before a
    ///   change of the tree it builds on (``requireTreeOrder(userRowId:downline:isLeaving:newParentRowId:isNewUser:)``).
    func decide(
        userRowId: Int64, isNewUser: Bool, partnerId: String, activeAt: Int64, via: AttributionRecord.Via,
        signupRowId: Int64?, linkRowId: Int64?, requireNeverAttributed: Bool
    ) throws -> Decision {
        var record = AttributionRecord(
            id: 0, brokerId: brokerId, userRowId: userRowId, outcome: .unknownPartnerId, via: via, partnerId: partnerId,
            holderRowId: nil, parentRowId: nil, accountRowId: nil, signupRowId: signupRowId, linkRowId: linkRowId,
            decidedAt: at, eventSeq: seq)
        var members: [(String, JSONValue)] = [("partnerId", .string(partnerId))]
        if let linkRowId, let link = try state.link(id: linkRowId) {
            members.append(("linkId", .string(link.linkId)))
        }
        let holder = try state.holder(brokerId: brokerId, partnerId: partnerId)
        var downline: [LineageTable.Descendant] = []
        if let holder {
            record.holderRowId = holder.id
            members = try describe(holder: holder) + members.dropFirst()
            if try state.coveringAssignment(holderRowId: holder.id, at: activeAt) == nil {
                record.outcome = .partnerIdInactive
            } else if !isNewUser && holder.userRowId == userRowId {
                record.outcome = .selfReferral
            } else if try !isNewUser && isInDownline(holder.userRowId, of: userRowId) {
                record.outcome = .cycle
            } else if try !isNewUser && (requireNeverAttributed
                ? state.hasEverBeenAttributed(userRowId: userRowId)
                : state.currentEdge(userRowId: userRowId) != nil)
            {
                record.outcome = .alreadyAttributed
            } else {
                record.outcome = .attributed
                record.parentRowId = holder.userRowId
                record.accountRowId = holder.accountRowId
                downline = isNewUser ? [] : try state.currentDescendants(of: userRowId)
                try requireTreeOrder(
                    userRowId: userRowId, downline: downline, isLeaving: false, newParentRowId: holder.userRowId,
                    isNewUser: isNewUser)
            }
        }
        return Decision(record: record, members: members, holder: holder, downline: downline)
    }

    /// Records a decision: its attribution row, and for an accepted one the user's (and its
    /// downline's) paths under the new partner.
    func record(_ decision: Decision) throws {
        var record = decision.record
        record.id = try state.nextId("attribution")
        state.save(record, isNew: true)
        if record.outcome.isEdge, let parentRowId = record.parentRowId {
            try attach(userRowId: record.userRowId, downline: decision.downline, under: parentRowId)
        }
    }

    /// The current ancestors of a node, nearest first (its parent, its parent's parent, ...), at
    /// most `limit` of them.
    func ancestors(of rowId: Int64, limit: Int = .max) throws -> [Int64] {
        var chain: [Int64] = []
        var current = rowId
        while chain.count < limit, let edge = try state.currentEdge(userRowId: current), let parent = edge.parentRowId {
            // A cycle can only come from a file edited behind the ledger's back; stop rather than spin.
            guard !chain.contains(parent), parent != rowId else {
                throw LedgerError(.cycle, "the tree has a cycle through user row \(parent): run `invite-ledger verify`")
            }
            chain.append(parent)
            current = parent
        }
        return chain
    }

    /// True when `rowId` is in the current downline of `userRowId`: attaching `userRowId` under it
    /// would close a cycle.
    ///
    /// A user without a current referral has no downline, which is every new user: the walk up
    /// from `rowId`, as long as its depth, is taken only for a user who already has referrals.
    func isInDownline(_ rowId: Int64, of userRowId: Int64) throws -> Bool {
        guard try state.hasCurrentReferrals(userRowId) else { return false }
        return try ancestors(of: rowId).contains(userRowId)
    }

    /// Opens, at `at`, the closure paths from the new parent and its ancestors to the user and
    /// its downline, those no deeper than ``LineageTable/storedDepth``.
    func attach(userRowId: Int64, downline: [LineageTable.Descendant], under parentRowId: Int64) throws {
        let upline = [parentRowId] + (try ancestors(of: parentRowId, limit: Int(LineageTable.storedDepth) - 1))
        for (key, member) in paths(from: upline, to: try members(userRowId, attributedAt: at, downline: downline)) {
            state.openPath(key, descendantRowId: member.rowId, validFrom: at)
        }
    }

    /// Closes, at `at`, the closure paths from the user's current ancestors to the user and its
    /// downline, and ends its edge.
    func detach(userRowId: Int64, downline: [LineageTable.Descendant], edge: AttributionRecord) throws {
        let upline = try ancestors(of: userRowId, limit: Int(LineageTable.storedDepth))
        for (key, _) in paths(from: upline, to: try members(userRowId, attributedAt: edge.decidedAt, downline: downline)) {
            state.closePath(key, validTo: at)
        }
        var ended = edge
        ended.validTo = at
        state.save(ended)
    }

    /// The closure paths from each node of `upline` (nearest first) to each member of `subtree`,
    /// those no deeper than ``LineageTable/storedDepth``.
    func paths(from upline: [Int64], to subtree: [LineageTable.Descendant])
        -> [(PathKey, LineageTable.Descendant)]
    {
        upline.enumerated().flatMap { index, ancestor in
            subtree.compactMap { member in
                let depth = Int64(index + 1) + member.depth
                guard depth <= LineageTable.storedDepth else { return nil }
                return (PathKey(
                    ancestorRowId: ancestor, depth: depth, attributedAt: member.attributedAt,
                    descendantUserId: member.userId), member)
            }
        }
    }

    /// The user (depth 0, attributed at `attributedAt`) followed by its downline.
    func members(
        _ userRowId: Int64, attributedAt: Int64, downline: [LineageTable.Descendant]
    ) throws -> [LineageTable.Descendant] {
        let user = LineageTable.Descendant(
            depth: 0, attributedAt: attributedAt, userId: try userId(ofRow: userRowId), rowId: userRowId,
            validFrom: attributedAt)
        return [user] + downline
    }

    // MARK: - invite.received

    /// `invite.received`: cTrader's attribution webhook. The invited user is created when new;
    /// the partner is `partnerUserId` through `brokerPartnerId` or the partnerId it holds. The
    /// decision carries the broker's answer, `brokerResult`:
    ///
    /// - `ATTRIBUTED_NEW`: a new user, attributed;
    /// - `ATTRIBUTED`: an existing user attributed now, or already attributed (to its current partner);
    /// - `REATTRIBUTED`: a user whose attribution had been detached, attributed again;
    /// - `PENDING_ATTRIBUTION`: not attributed (no active partnerId, self-referral or cycle).
    func receiveInvite(invitedUserId: Int64, partnerUserId: Int64, brokerPartnerId: String?) throws -> JSONValue {
        let partnerUser = try user(partnerUserId, field: "partnerUserId")
        var partnerId = brokerPartnerId
        if let brokerPartnerId, let holder = try state.holder(brokerId: brokerId, partnerId: brokerPartnerId),
           holder.userRowId != partnerUser.id
        {
            throw LedgerError(
                .invalidField, field: "brokerPartnerId",
                "partnerId \(FieldReader.quote(brokerPartnerId)) belongs to user \(try userId(ofRow: holder.userRowId)), not partnerUserId \(partnerUserId)")
        }
        if partnerId == nil {
            partnerId = try partnerIdOf(userRowId: partnerUser.id)
        }

        let existing = try state.user(brokerId: brokerId, userId: invitedUserId)
        let isNew = existing == nil
        let invitedRowId = try existing?.id ?? state.peekId(UserRecord.tableName)
        let wasDetached = try !isNew && state.hasEverBeenAttributed(userRowId: invitedRowId)
        let decision = try partnerId.map { partnerId in
            try decide(
                userRowId: invitedRowId, isNewUser: isNew, partnerId: partnerId, activeAt: at, via: .invite,
                signupRowId: nil, linkRowId: nil, requireNeverAttributed: false)
        }

        // Everything is checked: change the state.
        if isNew {
            state.create(UserRecord(
                id: try state.nextId(UserRecord.tableName), brokerId: brokerId, userId: invitedUserId,
                brokerName: step.brokerName, createdAt: at, eventSeq: seq))
        }
        var members: [(String, JSONValue)] = [("invitedUserId", .integer(invitedUserId)), ("created", .bool(isNew))]
        guard let decision else {
            state.save(AttributionRecord(
                id: try state.nextId("attribution"), brokerId: brokerId, userRowId: invitedRowId,
                outcome: .unknownPartnerId, via: .invite, partnerId: nil, holderRowId: nil, parentRowId: nil,
                accountRowId: nil, signupRowId: nil, linkRowId: nil, decidedAt: at, eventSeq: seq), isNew: true)
            members += [("partnerUserId", .integer(partnerUserId)), ("brokerResult", .string("PENDING_ATTRIBUTION"))]
            return .decision(AttributionRecord.Outcome.unknownPartnerId.rawValue, members)
        }
        try record(decision)
        members += decision.members
        let brokerResult: String
        switch decision.outcome {
        case .attributed, .reassigned:
            brokerResult = isNew ? "ATTRIBUTED_NEW" : wasDetached ? "REATTRIBUTED" : "ATTRIBUTED"
        case .alreadyAttributed:
            brokerResult = "ATTRIBUTED"
            if let current = try state.currentEdge(userRowId: invitedRowId), let currentPartnerId = current.partnerId {
                members.append(("currentPartnerId", .string(currentPartnerId)))
            }
        default:
            brokerResult = "PENDING_ATTRIBUTION"
        }
        members.append(("brokerResult", .string(brokerResult)))
        return .decision(decision.outcome.rawValue, members)
    }

    /// The partnerId a user holds now: the user-level one, else the first active account-level
    /// one; when none is active, the last one it held (the decision then says it is inactive).
    func partnerIdOf(userRowId: Int64) throws -> String? {
        if let active = try state.activeAssignment(userRowId: userRowId) {
            return try state.holder(id: active.holderRowId)?.partnerId
        }
        let holders = try state.holders(userRowId: userRowId)
        for holder in holders where holder.level == .account {
            if let accountRowId = holder.accountRowId,
               let active = try state.activeAssignment(accountRowId: accountRowId),
               active.holderRowId == holder.id
            {
                return holder.partnerId
            }
        }
        return holders.last?.partnerId
    }

    // MARK: - attribution.reassigned

    /// `attribution.reassigned`: broker support moves a user (and its downline) to another partner,
    /// or detaches it (`partnerId: null`). Inside the broker's guaranteed attribution period it is
    /// refused (`ATTRIBUTION_LOCKED`) unless `force` is true.
    func reassign(userId: Int64, partnerId: String?, reason: String, operator operatorName: String, force: Bool) throws
        -> JSONValue
    {
        let user = try user(userId)
        let current = try state.currentEdge(userRowId: user.id)
        var members: [(String, JSONValue)] = [("userId", .integer(userId))]
        var newHolder: HolderRecord?
        if let partnerId {
            let holder = try holder(partnerId)
            try requireActive(holder)
            guard holder.userRowId != user.id else {
                throw LedgerError(.selfReferral, field: "partnerId", "partnerId \(FieldReader.quote(partnerId)) is user \(userId)'s own")
            }
            guard try !isInDownline(holder.userRowId, of: user.id) else {
                throw LedgerError(
                    .cycle, field: "partnerId",
                    "partnerId \(FieldReader.quote(partnerId)) belongs to user \(try self.userId(ofRow: holder.userRowId)), who is in user \(userId)'s downline")
            }
            if let current, current.holderRowId == holder.id {
                return .decision("UNCHANGED", members + [("partnerId", .string(partnerId))])
            }
            newHolder = holder
        } else if current == nil {
            throw LedgerError(.notFound, field: "userId", "user \(userId) has no current attribution to detach")
        }
        let downline = try state.currentDescendants(of: user.id)
        try requireTreeOrder(
            userRowId: user.id, downline: downline, isLeaving: current != nil, newParentRowId: newHolder?.userRowId,
            isNewUser: false)
        let lockedUntil = current.map { $0.decidedAt + broker.guaranteedAttributionDays * 86_400_000 }
        if let current, let lockedUntil {
            if at < lockedUntil && !force {
                throw LedgerError(
                    .attributionLocked, field: "userId",
                    "user \(userId) is in its guaranteed attribution period until \(Timestamp(milliseconds: lockedUntil).rfc3339) (\(broker.guaranteedAttributionDays) days); give \"force\": true to override")
            }
            if let previous = current.partnerId {
                members.append(("previousPartnerId", .string(previous)))
            }
        }

        // Everything is checked: change the state.
        if let current {
            try detach(userRowId: user.id, downline: downline, edge: current)
        }
        let isForced = force && lockedUntil.map { at < $0 } ?? false
        let record = AttributionRecord(
            id: try state.nextId("attribution"), brokerId: brokerId, userRowId: user.id,
            outcome: newHolder == nil ? .detached : .reassigned, via: .reassignment, partnerId: partnerId,
            holderRowId: newHolder?.id, parentRowId: newHolder?.userRowId, accountRowId: newHolder?.accountRowId,
            signupRowId: nil, linkRowId: nil, decidedAt: at, forced: isForced, reason: reason, operator: operatorName,
            eventSeq: seq)
        state.save(record, isNew: true)
        if let newHolder {
            try attach(userRowId: user.id, downline: downline, under: newHolder.userRowId)
            members += try describe(holder: newHolder)
        }
        members += [("forced", .bool(isForced)), ("reason", .string(reason)), ("operator", .string(operatorName))]
        return .decision(record.outcome.rawValue, members)
    }
}
