import InviteLedger

/// A page of referrals drawn as a tree: indented text for a terminal, or Graphviz DOT.
struct ReferralTreeText {
    let page: ReferralPage

    private var children: [Int64: [Referral]] {
        Dictionary(grouping: page.referrals, by: \.parentUserId)
    }

    func rendered() -> String {
        let children = self.children
        var text = "\(page.partnerUserId)\n"
        func draw(_ parent: Int64, prefix: String) {
            let rows = children[parent] ?? []
            for (index, row) in rows.enumerated() {
                let isLast = index == rows.count - 1
                text += prefix + (isLast ? "└─ " : "├─ ") + label(row) + "\n"
                draw(row.userId, prefix: prefix + (isLast ? "   " : "│  "))
            }
        }
        draw(page.partnerUserId, prefix: "")
        if let cursor = page.nextCursor {
            text += "(more: --after \(cursor))\n"
        }
        return text
    }

    private func label(_ row: Referral) -> String {
        var text = "\(row.userId)  \(row.attributedAt.rfc3339)"
        if let partnerId = row.partnerId {
            text += "  via \(partnerId)"
        }
        if let account = row.partnerCtidTraderAccountId {
            text += " (account \(account))"
        }
        if let linkId = row.linkId {
            text += "  link \(linkId)"
        }
        return text
    }

    func dot() -> String {
        func quote(_ text: String) -> String {
            "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n") + "\""
        }
        var text = "digraph referrals {\n  rankdir=LR;\n  node [shape=box];\n"
        text += "  \(quote(String(page.partnerUserId))) [style=bold];\n"
        for row in page.referrals {
            text += "  \(quote(String(row.userId))) [label=\(quote("\(row.userId)\nlevel \(row.level)"))];\n"
        }
        for row in page.referrals {
            text += "  \(quote(String(row.parentUserId))) -> \(quote(String(row.userId)))"
            text += " [label=\(quote(row.partnerId ?? ""))];\n"
        }
        if let cursor = page.nextCursor {
            // The page stops here: say so in the picture, not only to whoever reads the source.
            text += "  // truncated at \(page.referrals.count) referrals; next page: --after \(cursor)\n"
            text += "  \"more\" [shape=note, style=dashed, label=\(quote("more referrals:\n--after \(cursor)"))];\n"
        }
        return text + "}\n"
    }
}
