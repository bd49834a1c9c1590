/// The known word nearest to a word given, for "did you mean" hints: a broker name, a command,
/// an option.
///
///     Suggestion.nearest(to: "demo-brokr", among: ["demo-broker", "acme"])   // "demo-broker"
///     Suggestion.nearest(to: "--partner", among: ["--partner-id", "--after"]) // "--partner-id"
public enum Suggestion {
    /// A word cut short (3 characters or more) gets the shortest known word it begins; any other
    /// the nearest by edit distance, when near enough (at most 2, or a third of its length).
    public static func nearest(to word: String, among candidates: [String]) -> String? {
        let completions = word.count < 3 ? [] : candidates.filter { $0.hasPrefix(word) && $0 != word }
        if let shortest = completions.min(by: { $0.count < $1.count || ($0.count == $1.count && $0 < $1) }) {
            return shortest
        }
        let scored = candidates.map { ($0, editDistance(word, $0)) }.filter { $0.1 <= max(2, word.count / 3) }
        return scored.min(by: { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) })?.0
    }

    /// Levenshtein distance, over Unicode scalars.
    public static func editDistance(_ a: String, _ b: String) -> Int {
        let a = Array(a.unicodeScalars)
        let b = Array(b.unicodeScalars)
        guard !a.isEmpty else { return b.count }
        var previous = Array(0...b.count)
        for i in 1...a.count {
            var current = [i] + [Int](repeating: 0, count: b.count)
            for j in stride(from: 1, through: b.count, by: 1) {
                current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            previous = current
        }
        return previous[b.count]
    }
}
