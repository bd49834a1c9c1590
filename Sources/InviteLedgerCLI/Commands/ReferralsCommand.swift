import InviteLedger

enum ReferralsCommand: LedgerCommand {
    static let signature = CommandSignature(
        path: ["referrals"],
        abstract: "A partner's referrals, level by level, one page at a time.",
        discussion: """
            Rows are ordered by level, then attribution time, then userId. The last line of a table
            (or nextCursor in JSON) gives the --after value of the next page; a cursor never repeats
            or skips a row. csv is RFC 4180; tree draws the page as an indented tree and dot as a
            Graphviz graph (both default to --limit 1000).
            """,
        options: [QueryOptions.broker] + QueryOptions.partnerOptions + [depth, QueryOptions.asOf, limit, after, format]
    )

    static let depth = Option.integer("--depth", "N", "Levels to include, 1 or more (default: 1, direct referrals)", in: 1...Int64.max)
    static let limit = Option.integer(
        "--limit", "N", "Rows per page, 1 to 10000 (default: 50; 1000 for tree and dot)", in: 1...Int64(Ledger.maximumPageSize))
    static let after = Option.string("--after", "CURSOR", "Start after this cursor, from the previous page")
    enum Format: String, CaseIterable, Sendable { case table, json, csv, tree, dot }
    static let format = Option.choice("--format", "FORMAT", "table, json, csv, tree or dot", default: Format.table)

    static func run(_ context: CommandContext) throws -> ExitStatus {
        let arguments = context.arguments
        let format = try arguments[Self.format]
        let partner = try QueryOptions.partner(arguments)
        let depth = try arguments[Self.depth] ?? 1
        let limit = try arguments[Self.limit] ?? (format == .tree || format == .dot ? 1000 : 50)
        let asOf = try arguments[QueryOptions.asOf]
        let ledger = try context.openLedger(.readOnly)
        defer { try? ledger.close() }
        let page = try ledger.referrals(
            broker: try arguments[QueryOptions.broker], of: partner, depth: depth, asOf: asOf, limit: Int(limit),
            after: try arguments[Self.after])
        let output = context.output
        switch format {
        case .json:
            output.writeLine(json(page).serialized())
        case .csv:
            output.write(CSVWriter.record(Self.columns))
            for row in page.referrals {
                output.write(CSVWriter.record(fields(row)))
            }
            // The CSV's columns stay the rows'; where the next page starts goes to stderr.
            context.errors.writeLine(page.nextCursor.map { "next page: --after \($0)" } ?? "(last page)")
        case .tree:
            output.write(ReferralTreeText(page: page).rendered())
        case .dot:
            output.write(ReferralTreeText(page: page).dot())
        default:
            var table = TextTable(columns: Self.columns)
            for row in page.referrals {
                table.append(fields(row))
            }
            output.write(table.rendered())
            output.writeLine(page.nextCursor.map { "next page: --after \($0)" } ?? "(last page)")
        }
        return .success
    }

    static let columns = [
        "level", "userId", "parentUserId", "attributedAt", "partnerId", "partnerCtidTraderAccountId", "linkId",
        "accounts", "brokerName",
    ]

    static func fields(_ row: Referral) -> [String] {
        [
            String(row.level), String(row.userId), String(row.parentUserId), row.attributedAt.rfc3339,
            row.partnerId ?? "", row.partnerCtidTraderAccountId.text, row.linkId ?? "", String(row.accounts),
            row.brokerName ?? "",
        ]
    }

    static func json(_ page: ReferralPage) -> JSONValue {
        .object([
            ("broker", .string(page.brokerCrmName)), ("partnerUserId", .integer(page.partnerUserId)),
            ("depth", .integer(page.depth)), ("asOf", page.asOf.json),
            ("referrals", .array(page.referrals.map { row in
                .object([
                    ("level", .integer(row.level)), ("userId", .integer(row.userId)),
                    ("parentUserId", .integer(row.parentUserId)), ("attributedAt", .string(row.attributedAt.rfc3339)),
                    ("partnerId", row.partnerId.json), ("partnerCtidTraderAccountId", row.partnerCtidTraderAccountId.json),
                    ("linkId", row.linkId.json), ("accounts", .integer(row.accounts)), ("brokerName", row.brokerName.json),
                ])
            })),
            ("nextCursor", page.nextCursor.json),
        ])
    }
}
