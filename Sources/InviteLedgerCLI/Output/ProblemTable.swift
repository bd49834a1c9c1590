import Foundation
import InviteLedger

/// How `verify`, `rebuild` and `backup` show what they found.
enum ProblemTable {
    /// problem, seq, table and detail, one line each.
    static func rendered(_ problems: [VerificationReport.Problem]) -> String {
        var table = TextTable(columns: ["problem", "seq", "table", "detail"])
        for problem in problems {
            table.append([problem.kind.rawValue, problem.seq.map(String.init) ?? "-", problem.table ?? "-", problem.message])
        }
        return table.rendered()
    }

    /// `{"<done>":true,"to":"FILE",...the report's members but intact}`: what a command that makes
    /// a new file prints with `--format json`.
    static func json(_ report: VerificationReport, done key: String, destination: String) -> JSONValue {
        var members: [(String, JSONValue)] = [(key, .bool(report.isIntact)), ("to", .string(destination))]
        if case .object(let rest) = report.json { members += rest.filter { $0.0 != "intact" } }
        return .object(members)
    }
}

extension CommandContext {
    /// The value of an option naming a file to create (`--to`), which must not exist yet.
    func newFile(_ option: Option<String?>, for command: String) throws -> String {
        guard let path = try arguments[option], !path.isEmpty else {
            throw UsageError("missing option \(option.name) NEW_FILE", field: option.name)
        }
        guard !FileManager.default.fileExists(atPath: path) else {
            throw UsageError("\(path) exists; \(command) makes a new file", field: option.name)
        }
        return path
    }
}
