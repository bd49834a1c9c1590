import LedgerStore

/// SQLite's own checks of the file: every page (`integrity_check`) and every reference
/// (`foreign_key_check`).
struct StoreVerifier {
    let db: Database

    /// The findings of `integrity_check` reported one by one; the rest are counted.
    static let reportedDamage = 20

    func verify(into report: inout VerificationReport) throws {
        // SQLite may put several findings in one row, a line each, after a header naming the
        // database: each becomes a problem, up to `reportedDamage` of them.
        var findings: [String] = []
        for row in try db.fetchAll(sql: "PRAGMA integrity_check") {
            let message: String = row[0] ?? "?"
            findings += message.split(separator: "\n").map(String.init).filter { $0 != "ok" && !$0.hasPrefix("*** in database") }
        }
        for finding in findings.prefix(Self.reportedDamage) {
            report.problems.append(.init(kind: .integrity, message: finding))
        }
        if findings.count > Self.reportedDamage {
            report.problems.append(.init(
                kind: .integrity,
                message: "and \(findings.count - Self.reportedDamage) more findings of PRAGMA integrity_check"))
        }
        for row in try db.fetchAll(sql: "PRAGMA foreign_key_check") {
            let table: String = row["table"] ?? "?"
            let rowid: Int64? = row["rowid"]
            let parent: String = row["parent"] ?? "?"
            report.problems.append(.init(
                kind: .foreignKey, table: table, key: rowid.map { "rowid=\($0)" },
                message: "\(table) row \(rowid.map(String.init) ?? "?") points at a missing \(parent) row"))
        }
    }
}
