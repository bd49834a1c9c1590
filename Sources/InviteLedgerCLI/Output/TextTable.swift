/// A plain-text table for terminals: a header, a rule, and left-aligned columns.
struct TextTable {
    var columns: [String]
    private(set) var rows: [[String]] = []

    init(columns: [String]) {
        self.columns = columns
    }

    mutating func append(_ row: [String]) {
        precondition(row.count == columns.count, "a row needs one cell per column")
        rows.append(row)
    }

    func rendered() -> String {
        var widths = columns.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() {
                widths[index] = max(widths[index], cell.count)
            }
        }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() {
                let isLast = index == cells.count - 1
                text += isLast ? cell : cell + String(repeating: " ", count: widths[index] - cell.count + 2)
            }
            return text + "\n"
        }
        var text = line(columns)
        text += line(widths.map { String(repeating: "-", count: $0) })
        for row in rows {
            text += line(row)
        }
        return text
    }
}
