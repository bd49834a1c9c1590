/// The lookup keys of every row a `LedgerState` wrote into a ledger that holds nothing else (a
/// first load into an empty ledger, the replay of `rebuild` and `verify`): when a key is not
/// among them, no row has it, and the database need not be searched for it. A new user, a new
/// eventId, a new link or signup is then found absent in memory, where otherwise every step
/// would search an index of the file in vain.
///
/// The keys are kept as a Bloom filter: about 1.3 bytes per key, whatever the key. It may answer
/// "perhaps" for a key never written (about one time in a hundred: 7,949 of 800,000 in the
/// test), never "no" for one that was; a "perhaps" is answered by the database, as without the
/// filter. A filter full to its capacity is followed by one twice as large, so its memory grows
/// with the rows written and its error rate stays put.
///
///     var keys = WrittenKeys()
///     keys.insert(WrittenKeys.key(.user, brokerId, 42))
///     keys.mayContain(WrittenKeys.key(.user, brokerId, 43))   // false: user 43 is not in the file
struct WrittenKeys {
    /// The kinds of key: one filter holds them all, told apart in the hash.
    enum Kind: UInt8 {
        case event, user, account, partner, holder, link, signup, visitorClick, accountAssignment
    }

    private var layers: [BloomLayer] = [BloomLayer(capacity: 1 << 18)]
    private var count = 0

    init() {}

    /// The hash of a key: a kind, a broker and a value.
    static func key(_ kind: Kind, _ brokerId: Int64, _ value: Int64) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(kind.rawValue)
        hasher.combine(brokerId)
        hasher.combine(value)
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    static func key(_ kind: Kind, _ brokerId: Int64, _ value: String, _ second: String? = nil) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(kind.rawValue)
        hasher.combine(brokerId)
        hasher.combine(value)
        if let second { hasher.combine(second) }
        return UInt64(bitPattern: Int64(hasher.finalize()))
    }

    mutating func insert(_ key: UInt64) {
        if count == layers[layers.count - 1].capacity {
            layers.append(BloomLayer(capacity: layers[layers.count - 1].capacity * 2))
            count = 0
        }
        layers[layers.count - 1].insert(key)
        count += 1
    }

    /// False when the key was never inserted.
    func mayContain(_ key: UInt64) -> Bool {
        layers.contains { $0.mayContain(key) }
    }
}

/// One Bloom filter of a fixed capacity, blocked: the seven bits of a key lie in one 512-bit
/// block (one cache line), so an insert or a lookup touches memory once.
private struct BloomLayer {
    let capacity: Int
    private var words: [UInt64]
    private let blockCount: UInt64

    /// About ten bits per key.
    init(capacity: Int) {
        self.capacity = capacity
        let blocks = max(1, (capacity * 10 + 511) / 512)
        self.blockCount = UInt64(blocks)
        self.words = [UInt64](repeating: 0, count: blocks * 8)
    }

    mutating func insert(_ key: UInt64) {
        let (base, bits) = place(key)
        words.withUnsafeMutableBufferPointer { words in
            var bits = bits
            for _ in 0..<7 {
                let bit = Int(bits & 511)
                words[base + (bit >> 6)] |= 1 << UInt64(bit & 63)
                bits >>= 9
            }
        }
    }

    func mayContain(_ key: UInt64) -> Bool {
        let (base, bits) = place(key)
        return words.withUnsafeBufferPointer { words in
            var bits = bits
            for _ in 0..<7 {
                let bit = Int(bits & 511)
                guard words[base + (bit >> 6)] & (1 << UInt64(bit & 63)) != 0 else { return false }
                bits >>= 9
            }
            return true
        }
    }

    /// The first word of the key's block, and 63 more bits of it (seven bit positions of 9 bits).
    private func place(_ key: UInt64) -> (base: Int, bits: UInt64) {
        let block = ((key >> 32) &* blockCount) >> 32
        // A second, independent mix of the key for the positions inside the block.
        var bits = key &* 0x9E37_79B9_7F4A_7C15
        bits ^= bits >> 29
        return (Int(block) * 8, bits)
    }
}
