/// One schema change: its identifier (the file's stem, `0001_create_broker`) and its SQL.
public struct Migration: Sendable, Equatable {
    public var identifier: String
    public var sql: String

    public init(identifier: String, sql: String) {
        self.identifier = identifier
        self.sql = sql
    }

    /// The tables, indexes, views and triggers this migration creates and that did not exist
    /// before it (one it drops first and creates again, as a migration that rewrites a view
    /// does, is not new): a database holding any of them has applied it, whatever its
    /// migrations table says.
    public var createdObjects: [String] {
        var created: [String] = []
        var dropped: Set<String> = []
        let words = Self.words(sql)
        var index = 0
        func kind(at position: Int) -> Bool {
            position < words.count && ["TABLE", "INDEX", "VIEW", "TRIGGER"].contains(words[position].uppercased())
        }
        while index < words.count {
            let word = words[index].uppercased()
            if word == "CREATE" || word == "DROP" {
                var position = index + 1
                while position < words.count, ["UNIQUE", "TEMP", "TEMPORARY", "VIRTUAL"].contains(words[position].uppercased()) {
                    position += 1
                }
                if kind(at: position) {
                    position += 1
                    while position < words.count, ["IF", "NOT", "EXISTS"].contains(words[position].uppercased()) {
                        position += 1
                    }
                    if position < words.count {
                        let name = words[position].trimmingCharacters(in: ["\"", "`", "[", "]"])
                        if word == "DROP" {
                            dropped.insert(name)
                        } else if !dropped.contains(name) {
                            created.append(name)
                        }
                    }
                }
                index = position
            }
            index += 1
        }
        return created
    }

    /// The SQL's words outside comments and string literals, split at spaces and punctuation
    /// (a quoted identifier stays one word).
    private static func words(_ sql: String) -> [String] {
        var words: [String] = []
        var current = ""
        var scalars = Array(sql.unicodeScalars)[...]
        func flush() {
            if !current.isEmpty { words.append(current) }
            current = ""
        }
        while let scalar = scalars.first {
            scalars = scalars.dropFirst()
            switch scalar {
            case "-" where scalars.first == "-":
                flush()
                while let next = scalars.first, next != "\n" { scalars = scalars.dropFirst() }
            case "'":
                flush()
                while let next = scalars.first {
                    scalars = scalars.dropFirst()
                    if next == "'" { break }
                }
            case "\"":
                flush()
                current.unicodeScalars.append(scalar)
                while let next = scalars.first {
                    scalars = scalars.dropFirst()
                    current.unicodeScalars.append(next)
                    if next == "\"" { break }
                }
                flush()
            case " ", "\n", "\t", "\r", "(", ")", ",", ";":
                flush()
            default:
                current.unicodeScalars.append(scalar)
            }
        }
        flush()
        return words
    }
}
