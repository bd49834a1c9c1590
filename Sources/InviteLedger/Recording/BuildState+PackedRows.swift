import LedgerStore

extension BrokerRecord: PackedRow {
    static var vacant: Self { BrokerRecord(id: 0, brokerCrmName: "", guaranteedAttributionDays: 0) }
    var isVacant: Bool { id == 0 }
    func record(id: Int64, in build: BuildState) -> BrokerRecord { self }
}

// The rows a bulk build holds, packed: ids in 32 bits (0 for none), optional times as `.min`
// for none, the attribution's seldom-set notes in a table of their own, and a partnerId that is
// the one of the holder the row names (nearly all of them) not held twice (`PackedPartnerId`).
// A row is vacant when its `eventSeq` is 0 (every saved row was made by an event, and events
// count from 1).

extension BuildState {
    struct PackedUser: PackedRow {
        typealias Record = UserRecord
        var brokerId: UInt32
        var userId: Int64
        var brokerName: String?
        var createdAt: Int64
        var eventSeq: Int64

        static var vacant: Self { Self(brokerId: 0, userId: 0, brokerName: nil, createdAt: 0, eventSeq: 0) }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> UserRecord {
            UserRecord(
                id: id, brokerId: Int64(brokerId), userId: userId, brokerName: brokerName, createdAt: createdAt,
                eventSeq: eventSeq)
        }
    }

    struct PackedAccount: PackedRow {
        typealias Record = AccountRecord
        var brokerId: UInt32
        var userRowId: UInt32
        var ctidTraderAccountId: Int64
        var traderLogin: Int64?
        var linkedAt: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(brokerId: 0, userRowId: 0, ctidTraderAccountId: 0, traderLogin: nil, linkedAt: 0, eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> AccountRecord {
            AccountRecord(
                id: id, brokerId: Int64(brokerId), ctidTraderAccountId: ctidTraderAccountId,
                userRowId: Int64(userRowId), traderLogin: traderLogin, linkedAt: linkedAt, eventSeq: eventSeq)
        }
    }

    struct PackedPartner: PackedRow {
        typealias Record = PartnerRecord
        var brokerId: UInt32
        var userRowId: UInt32
        var accountRowId: UInt32
        var crmPartnerRef: String
        var registeredAt: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(brokerId: 0, userRowId: 0, accountRowId: 0, crmPartnerRef: "", registeredAt: 0, eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> PartnerRecord {
            PartnerRecord(
                id: id, brokerId: Int64(brokerId), crmPartnerRef: crmPartnerRef, userRowId: Packing.id(userRowId),
                accountRowId: Packing.id(accountRowId), registeredAt: registeredAt, eventSeq: eventSeq)
        }
    }

    struct PackedHolder: PackedRow {
        typealias Record = HolderRecord
        var brokerId: UInt32
        var userRowId: UInt32
        var accountRowId: UInt32
        var level: HolderRecord.Level
        var partnerId: String
        var eventSeq: Int64

        static var vacant: Self {
            Self(brokerId: 0, userRowId: 0, accountRowId: 0, level: .allCases[0], partnerId: "", eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> HolderRecord {
            HolderRecord(
                id: id, brokerId: Int64(brokerId), partnerId: partnerId, level: level, userRowId: Int64(userRowId),
                accountRowId: Packing.id(accountRowId), eventSeq: eventSeq)
        }
    }

    struct PackedAssignment: PackedRow {
        typealias Record = AssignmentRecord
        var holderRowId: UInt32
        var userRowId: UInt32
        var accountRowId: UInt32
        var partnerRowId: UInt32
        var level: HolderRecord.Level
        var validFrom: Int64
        var validTo: Int64
        var eventSeq: Int64
        var endEventSeq: Int64

        static var vacant: Self {
            Self(
                holderRowId: 0, userRowId: 0, accountRowId: 0, partnerRowId: 0, level: .allCases[0], validFrom: 0,
                validTo: 0, eventSeq: 0, endEventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> AssignmentRecord {
            AssignmentRecord(
                id: id, holderRowId: Int64(holderRowId), level: level, userRowId: Int64(userRowId),
                accountRowId: Packing.id(accountRowId), partnerRowId: Packing.id(partnerRowId), validFrom: validFrom,
                validTo: Packing.time(validTo), eventSeq: eventSeq, endEventSeq: Packing.time(endEventSeq))
        }
    }

    struct PackedLink: PackedRow {
        typealias Record = LinkRecord
        var brokerId: UInt32
        var holderRowId: UInt32
        var kind: LinkRecord.Kind
        var linkId: String
        var url: String
        var target: String?
        var createdAt: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(
                brokerId: 0, holderRowId: 0, kind: .allCases[0], linkId: "", url: "", target: nil, createdAt: 0,
                eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> LinkRecord {
            LinkRecord(
                id: id, brokerId: Int64(brokerId), linkId: linkId, kind: kind, holderRowId: Int64(holderRowId),
                url: url, target: target, createdAt: createdAt, eventSeq: eventSeq)
        }
    }

    struct PackedClick: PackedRow {
        typealias Record = ClickRecord
        var brokerId: UInt32
        var holderRowId: UInt32
        var linkRowId: UInt32
        /// The id of the same visitor's click on the same partnerId saved before it (0: none).
        var previousId: UInt32
        var partnerId: PackedPartnerId
        var visitorId: String?
        var clickedAt: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(
                brokerId: 0, holderRowId: 0, linkRowId: 0, previousId: 0, partnerId: .absent, visitorId: nil,
                clickedAt: 0, eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> ClickRecord {
            ClickRecord(
                id: id, brokerId: Int64(brokerId),
                partnerId: build.partnerId(partnerId, holderRowId: holderRowId) ?? "",
                holderRowId: Packing.id(holderRowId), linkRowId: Packing.id(linkRowId), visitorId: visitorId,
                clickedAt: clickedAt, eventSeq: eventSeq)
        }
    }

    struct PackedSignup: PackedRow {
        typealias Record = SignupRecord
        var brokerId: UInt32
        var holderRowId: UInt32
        var clickRowId: UInt32
        var userRowId: UInt32
        var partnerId: PackedPartnerId
        var signupId: String
        var visitorId: String?
        var submittedAt: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(
                brokerId: 0, holderRowId: 0, clickRowId: 0, userRowId: 0, partnerId: .absent, signupId: "",
                visitorId: nil, submittedAt: 0, eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> SignupRecord {
            SignupRecord(
                id: id, brokerId: Int64(brokerId), signupId: signupId,
                partnerId: build.partnerId(partnerId, holderRowId: holderRowId),
                holderRowId: Packing.id(holderRowId), visitorId: visitorId, clickRowId: Packing.id(clickRowId),
                submittedAt: submittedAt, userRowId: Packing.id(userRowId), eventSeq: eventSeq)
        }
    }

    /// What few attributions carry, kept apart: a forced one's reason and its operator.
    struct AttributionNote: Equatable {
        var reason: String?
        var `operator`: String?
    }

    struct PackedAttribution: PackedRow {
        typealias Record = AttributionRecord
        var brokerId: UInt32
        var userRowId: UInt32
        var holderRowId: UInt32
        var parentRowId: UInt32
        var accountRowId: UInt32
        var signupRowId: UInt32
        var linkRowId: UInt32
        /// The place of its reason and operator in the build's notes, 0 for neither.
        var note: UInt32
        var partnerId: PackedPartnerId
        var outcome: AttributionRecord.Outcome
        var via: AttributionRecord.Via
        var forced: Bool
        var decidedAt: Int64
        var validTo: Int64
        var eventSeq: Int64

        static var vacant: Self {
            Self(
                brokerId: 0, userRowId: 0, holderRowId: 0, parentRowId: 0, accountRowId: 0, signupRowId: 0,
                linkRowId: 0, note: 0, partnerId: .absent, outcome: .allCases[0], via: .allCases[0], forced: false,
                decidedAt: 0, validTo: 0, eventSeq: 0)
        }
        var isVacant: Bool { eventSeq == 0 }

        func record(id: Int64, in build: BuildState) -> AttributionRecord {
            let note = build.note(note)
            return AttributionRecord(
                id: id, brokerId: Int64(brokerId), userRowId: Int64(userRowId), outcome: outcome, via: via,
                partnerId: build.partnerId(partnerId, holderRowId: holderRowId),
                holderRowId: Packing.id(holderRowId), parentRowId: Packing.id(parentRowId),
                accountRowId: Packing.id(accountRowId), signupRowId: Packing.id(signupRowId),
                linkRowId: Packing.id(linkRowId), decidedAt: decidedAt, validTo: Packing.time(validTo),
                forced: forced, reason: note?.reason, operator: note?.operator, eventSeq: eventSeq)
        }
    }

    /// A partnerId as a click, a signup or an attribution holds it: none, the partnerId of the
    /// holder the row names (`holderRowId`: the row found that holder by this partnerId), or
    /// one the build keeps apart (`BuildState.partnerIdsApart`), for a partnerId no holder had.
    struct PackedPartnerId: Equatable {
        static let absent = Self(place: .max)
        static let ofHolder = Self(place: 0)

        /// 0: the holder's; `.max`: none; otherwise the place in the build's list plus one.
        var place: UInt32
    }

    /// A closure path, and the index of the path opened before it with the same key. Its
    /// descendant's userId is read from the descendant's row (`BuildState.descendantUserId`).
    struct PackedPath {
        static var vacant: Self {
            Self(PathKey(ancestorRowId: 0, depth: 0, attributedAt: 0, descendantUserId: 0), descendantRowId: 0,
                 validFrom: 0, previous: -1)
        }

        var ancestorRowId: UInt32
        var descendantRowId: UInt32
        var depth: Int32
        /// The index of the path opened before it with the same key (-1: none).
        var previous: Int32
        var attributedAt: Int64
        var validFrom: Int64
        var validTo: Int64

        init(_ key: PathKey, descendantRowId: Int64, validFrom: Int64, previous: Int32) {
            precondition(key.depth >= 0 && key.depth <= Int64(Int32.max), "a stored path is at most 32 levels deep")
            ancestorRowId = UInt32(key.ancestorRowId)
            self.descendantRowId = UInt32(descendantRowId)
            depth = Int32(key.depth)
            self.previous = previous
            attributedAt = key.attributedAt
            self.validFrom = validFrom
            validTo = Packing.time(nil)
        }

        func key(in build: BuildState) -> PathKey {
            PathKey(
                ancestorRowId: Int64(ancestorRowId), depth: Int64(depth), attributedAt: attributedAt,
                descendantUserId: build.descendantUserId(self))
        }

        func path(in build: BuildState) -> LineageTable.Path {
            LineageTable.Path(
                ancestorRowId: Int64(ancestorRowId), depth: Int64(depth), attributedAt: attributedAt,
                descendantUserId: build.descendantUserId(self), validFrom: validFrom, validTo: Packing.time(validTo),
                descendantRowId: Int64(descendantRowId))
        }
    }
}

// Each packed row made from its record, in extensions so that the rows keep their memberwise
// initializers.

extension BuildState.PackedUser {
    init(_ user: UserRecord) {
        self.init(
            brokerId: Packing.id(user.brokerId), userId: user.userId, brokerName: user.brokerName,
            createdAt: user.createdAt, eventSeq: user.eventSeq)
    }
}

extension BuildState.PackedAccount {
    init(_ account: AccountRecord) {
        self.init(
            brokerId: Packing.id(account.brokerId), userRowId: Packing.id(account.userRowId),
            ctidTraderAccountId: account.ctidTraderAccountId, traderLogin: account.traderLogin,
            linkedAt: account.linkedAt, eventSeq: account.eventSeq)
    }
}

extension BuildState.PackedPartner {
    init(_ partner: PartnerRecord) {
        self.init(
            brokerId: Packing.id(partner.brokerId), userRowId: Packing.id(partner.userRowId),
            accountRowId: Packing.id(partner.accountRowId), crmPartnerRef: partner.crmPartnerRef,
            registeredAt: partner.registeredAt, eventSeq: partner.eventSeq)
    }
}

extension BuildState.PackedHolder {
    init(_ holder: HolderRecord) {
        self.init(
            brokerId: Packing.id(holder.brokerId), userRowId: Packing.id(holder.userRowId),
            accountRowId: Packing.id(holder.accountRowId), level: holder.level, partnerId: holder.partnerId,
            eventSeq: holder.eventSeq)
    }
}

extension BuildState.PackedAssignment {
    init(_ assignment: AssignmentRecord) {
        self.init(
            holderRowId: Packing.id(assignment.holderRowId), userRowId: Packing.id(assignment.userRowId),
            accountRowId: Packing.id(assignment.accountRowId), partnerRowId: Packing.id(assignment.partnerRowId),
            level: assignment.level, validFrom: assignment.validFrom, validTo: Packing.time(assignment.validTo),
            eventSeq: assignment.eventSeq, endEventSeq: Packing.time(assignment.endEventSeq))
    }
}

extension BuildState.PackedLink {
    init(_ link: LinkRecord) {
        self.init(
            brokerId: Packing.id(link.brokerId), holderRowId: Packing.id(link.holderRowId), kind: link.kind,
            linkId: link.linkId, url: link.url, target: link.target, createdAt: link.createdAt,
            eventSeq: link.eventSeq)
    }
}

extension BuildState.PackedClick {
    init(_ click: ClickRecord, previousId: Int64?, partnerId: BuildState.PackedPartnerId) {
        self.init(
            brokerId: Packing.id(click.brokerId), holderRowId: Packing.id(click.holderRowId),
            linkRowId: Packing.id(click.linkRowId), previousId: Packing.id(previousId), partnerId: partnerId,
            visitorId: click.visitorId, clickedAt: click.clickedAt, eventSeq: click.eventSeq)
    }
}

extension BuildState.PackedSignup {
    init(_ signup: SignupRecord, partnerId: BuildState.PackedPartnerId) {
        self.init(
            brokerId: Packing.id(signup.brokerId), holderRowId: Packing.id(signup.holderRowId),
            clickRowId: Packing.id(signup.clickRowId), userRowId: Packing.id(signup.userRowId), partnerId: partnerId,
            signupId: signup.signupId, visitorId: signup.visitorId, submittedAt: signup.submittedAt,
            eventSeq: signup.eventSeq)
    }
}

extension BuildState.PackedAttribution {
    init(_ attribution: AttributionRecord, note: UInt32, partnerId: BuildState.PackedPartnerId) {
        self.init(
            brokerId: Packing.id(attribution.brokerId), userRowId: Packing.id(attribution.userRowId),
            holderRowId: Packing.id(attribution.holderRowId), parentRowId: Packing.id(attribution.parentRowId),
            accountRowId: Packing.id(attribution.accountRowId), signupRowId: Packing.id(attribution.signupRowId),
            linkRowId: Packing.id(attribution.linkRowId), note: note, partnerId: partnerId,
            outcome: attribution.outcome, via: attribution.via, forced: attribution.forced,
            decidedAt: attribution.decidedAt, validTo: Packing.time(attribution.validTo),
            eventSeq: attribution.eventSeq)
    }
}
