/// A row as a bulk build holds it (`BuildState`): its id is its place, and its other ids and
/// times are packed (`PackedRows`), so a million rows take what their values need.
protocol PackedRow {
    associatedtype Record: KeyedRow

    /// The slot of an id handed out to a row never saved.
    static var vacant: Self { get }
    var isVacant: Bool { get }

    /// The row as the record of its table.
    func record(id: Int64, in build: BuildState) -> Record
}

/// The rows of one table by row id, which a build hands out in order from 1, packed: a slot per
/// id in a `Column` (vacant for an id never saved).
struct PackedRows<Row: PackedRow> {
    private var slots = Column<Row>(filler: .vacant)

    subscript(id: Int64) -> Row? {
        let row = slots[Int(id) - 1]
        return row.isVacant ? nil : row
    }

    /// True when the row of that id is saved and `matches` it (a key index's comparison).
    func holds(_ id: Int64, where matches: (Row) -> Bool) -> Bool {
        self[id].map(matches) ?? false
    }

    mutating func put(_ row: Row, id: Int64) {
        precondition(id >= 1, "row ids start at 1")
        slots[Int(id) - 1] = row
    }

    /// Calls `body` with each row saved and its id, in id order.
    func forEach(_ body: (Int64, Row) throws -> Void) rethrows {
        for (number, chunk) in slots.chunks.enumerated() {
            let first = Int64(number * Column<Row>.chunkSize) + 1
            for (offset, row) in chunk.enumerated() where !row.isVacant {
                try body(first + Int64(offset), row)
            }
        }
    }

    /// Calls `body` with the rows of each chunk as records, in id order.
    func forEachChunk(in build: BuildState, _ body: ([Row.Record]) throws -> Void) rethrows {
        for (number, chunk) in slots.chunks.enumerated() {
            let first = Int64(number * Column<Row>.chunkSize) + 1
            var records: [Row.Record] = []
            records.reserveCapacity(chunk.count)
            for (offset, row) in chunk.enumerated() where !row.isVacant {
                records.append(row.record(id: first + Int64(offset), in: build))
            }
            try body(records)
        }
    }

    /// The bytes of its slots.
    var byteCount: Int { slots.byteCount }
}

/// How a packed row holds what a record holds as an optional id or time.
enum Packing {
    /// A row id in 32 bits, 0 for none (row ids start at 1; a build holds far fewer than 2^32).
    static func id(_ id: Int64?) -> UInt32 {
        guard let id else { return 0 }
        precondition(id >= 1 && id <= Int64(UInt32.max), "a bulk build's row ids fit in 32 bits")
        return UInt32(id)
    }

    static func id(_ packed: UInt32) -> Int64? { packed == 0 ? nil : Int64(packed) }

    /// A time in milliseconds, `.min` for none (no timestamp a step can carry is that early).
    static func time(_ time: Int64?) -> Int64 { time ?? .min }

    static func time(_ packed: Int64) -> Int64? { packed == .min ? nil : packed }
}
