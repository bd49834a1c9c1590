/// Row ids handed out in memory, one table at a time, from 1 in creation order: the ids of the
/// states that hold every row (`MemoryState`, `BuildState`), as a ledger's own tables number them.
struct MemoryRowIds {
    private var next: [String: Int64] = [:]

    /// The id `take` would hand out.
    func peek(_ table: String) -> Int64 { next[table] ?? 1 }

    mutating func take(_ table: String) -> Int64 {
        let id = peek(table)
        next[table] = id + 1
        return id
    }
}
