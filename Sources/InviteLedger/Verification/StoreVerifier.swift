import LedgerStore

/// SQLite's own checks of the file: every page (`integrity_check`) and every reference
/// (`foreign_key_check`).
struct StoreVerifier {
    let db: Database

    func verify(into report: inout VerificationReport) throws {
        for row in try db.fetchAll(sql: "PRAGMA integrity_check") {
            let message: String = row[0] ?? "?"
            if message != "ok" {
                report.problems.append(.init(kind: .integrity, message: message))
            }
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
