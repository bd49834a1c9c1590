import LedgerStore

extension StepRules {
    /// `link.issued` and `link.generated`: a link carrying an active partnerId.
    func createLink(linkId: String, kind: LinkRecord.Kind, partnerId: String, url: String, target: String?) throws
        -> JSONValue
    {
        if let existing = try state.link(brokerId: brokerId, linkId: linkId) {
            throw LedgerError(
                .duplicateLink, field: "linkId", "link \(FieldReader.quote(linkId)) already exists (seq \(existing.eventSeq))")
        }
        let holder = try holder(partnerId)
        try requireActive(holder)
        let members: [(String, JSONValue)] = [("linkId", .string(linkId))] + (try describe(holder: holder))
        state.create(LinkRecord(
            id: try state.nextId("link"), brokerId: brokerId, linkId: linkId, kind: kind, holderRowId: holder.id, url: url,
            target: target, createdAt: at, eventSeq: seq))
        return .decision(kind == .referral ? "ISSUED" : "GENERATED", members)
    }

    /// `link.clicked`: kept even for a partnerId nobody holds (the attribution will say so).
    func recordClick(partnerId: String, linkId: String?, visitorId: String?) throws -> JSONValue {
        var linkRowId: Int64?
        var holderRowId = try state.holder(brokerId: brokerId, partnerId: partnerId)?.id
        if let linkId {
            guard let link = try state.link(brokerId: brokerId, linkId: linkId) else {
                throw LedgerError(.unknownLink, field: "linkId", "no link \(FieldReader.quote(linkId))")
            }
            guard link.holderRowId == holderRowId else {
                let carried = try state.holder(id: link.holderRowId)?.partnerId ?? "?"
                throw LedgerError(
                    .invalidField, field: "partnerId",
                    "link \(FieldReader.quote(linkId)) carries partnerId \(FieldReader.quote(carried)), not \(FieldReader.quote(partnerId))")
            }
            linkRowId = link.id
            holderRowId = link.holderRowId
        }
        state.create(ClickRecord(
            id: try state.nextId("click"), brokerId: brokerId, partnerId: partnerId, holderRowId: holderRowId,
            linkRowId: linkRowId, visitorId: visitorId, clickedAt: at, eventSeq: seq))
        var members: [(String, JSONValue)] = [("partnerId", .string(partnerId)), ("known", .bool(holderRowId != nil))]
        if let linkId {
            members.append(("linkId", .string(linkId)))
        }
        return .decision("CLICKED", members)
    }

    /// `signup.submitted`: remembers the partnerId and the visitor's click for `user.created`.
    func submitSignup(signupId: String, partnerId: String?, visitorId: String?) throws -> JSONValue {
        if let existing = try state.signup(brokerId: brokerId, signupId: signupId) {
            throw LedgerError(
                .duplicateSignup, field: "signupId",
                "signup \(FieldReader.quote(signupId)) already exists (seq \(existing.eventSeq))")
        }
        let holderRowId = try partnerId.flatMap { try state.holder(brokerId: brokerId, partnerId: $0)?.id }
        var click: ClickRecord?
        if let partnerId, let visitorId {
            click = try state.lastClick(brokerId: brokerId, visitorId: visitorId, partnerId: partnerId, notAfter: at)
        }
        state.save(SignupRecord(
            id: try state.nextId("signup"), brokerId: brokerId, signupId: signupId, partnerId: partnerId,
            holderRowId: holderRowId, visitorId: visitorId, clickRowId: click?.id, submittedAt: at, userRowId: nil,
            eventSeq: seq), isNew: true)
        var members: [(String, JSONValue)] = [("signupId", .string(signupId))]
        if let partnerId {
            members.append(("partnerId", .string(partnerId)))
        }
        if let click {
            members.append(("clickSeq", .integer(click.eventSeq)))
        }
        return .decision("SUBMITTED", members)
    }
}
