/// Values by index from 0, in chunks of a fixed size, for the tables a bulk build holds by the
/// million (`BuildState`): a column grows a chunk at a time, without the slack and the copy of
/// an array that doubles, so its memory is its values'. An index never set reads as `filler`.
///
///     var validTo = Column<Int64>(filler: .min)
///     validTo[9] = 1_700_000_000_000   // indexes 0 to 8 read as .min
struct Column<Element> {
    static var chunkSize: Int { 4_096 }

    /// The value of every index never set.
    let filler: Element
    /// The values, `chunkSize` to a chunk; only the last chunk may be shorter.
    private(set) var chunks: [[Element]] = []
    /// One past the highest index set.
    private(set) var count = 0

    init(filler: Element) {
        self.filler = filler
    }

    subscript(index: Int) -> Element {
        get {
            guard index >= 0, index < count else { return filler }
            return chunks[index / Self.chunkSize][index % Self.chunkSize]
        }
        set {
            precondition(index >= 0, "a column's indexes start at 0")
            while count <= index {
                if count % Self.chunkSize == 0 {
                    var chunk: [Element] = []
                    chunk.reserveCapacity(Self.chunkSize)
                    chunks.append(chunk)
                }
                let room = min(Self.chunkSize - count % Self.chunkSize, index + 1 - count)
                chunks[chunks.count - 1].append(contentsOf: repeatElement(filler, count: room))
                count += room
            }
            chunks[index / Self.chunkSize][index % Self.chunkSize] = newValue
        }
    }

    mutating func append(_ value: Element) {
        self[count] = value
    }

    /// The bytes its chunks hold, whether set or not.
    var byteCount: Int { chunks.count * Self.chunkSize * MemoryLayout<Element>.stride }
}
