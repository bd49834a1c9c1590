/// Row ids by a key the rows hold, for a bulk build (`BuildState`): an open-addressing table of
/// 8-byte slots, each a 32-bit hash of the key and the id of the row that has it. The key itself
/// is not stored: a lookup compares the rows of the slots whose hash is the key's (`matches`),
/// so an index costs about 11 bytes per row, where a dictionary of keys costs 40 to 100.
///
///     var byUserId = KeyIndex()
///     let found = byUserId.first(hash: hash, where: { users[$0].userId == userId })
///     byUserId.set(id, hash: hash, replacing: found)
struct KeyIndex {
    /// Each slot: the hash in the high 32 bits, the row id in the low 32 (0: an empty slot).
    private var slots = [UInt64](repeating: 0, count: 16)
    private(set) var count = 0

    init() {}

    /// The id of the row with the key, among the rows whose key has `hash`.
    func first(hash: Int, where matches: (Int64) -> Bool) -> Int64? {
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        var index = Int(tag) & mask
        while true {
            let slot = slots[index]
            if slot == 0 { return nil }
            if UInt32(truncatingIfNeeded: slot >> 32) == tag, matches(Int64(UInt32(truncatingIfNeeded: slot))) {
                return Int64(UInt32(truncatingIfNeeded: slot))
            }
            index = (index + 1) & mask
        }
    }

    /// Makes `id` the row of its key: it takes the slot of `existing`, the row that had the key
    /// (`first(hash:where:)` found it), or a slot of its own.
    mutating func set(_ id: Int64, hash: Int, replacing existing: Int64?) {
        precondition(id > 0 && id <= Int64(UInt32.max), "a bulk build's row ids fit in 32 bits")
        let tag = Self.tag(hash)
        let mask = slots.count - 1
        var index = Int(tag) & mask
        while slots[index] != 0 {
            if let existing, Int64(UInt32(truncatingIfNeeded: slots[index])) == existing {
                slots[index] = UInt64(tag) << 32 | UInt64(id)
                return
            }
            index = (index + 1) & mask
        }
        slots[index] = UInt64(tag) << 32 | UInt64(id)
        count += 1
        if count * 4 > slots.count * 3 { grow() }
    }

    /// The bytes of its slots.
    var byteCount: Int { slots.count * MemoryLayout<UInt64>.stride }

    private mutating func grow() {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        let mask = slots.count - 1
        for slot in old where slot != 0 {
            var index = Int(UInt32(truncatingIfNeeded: slot >> 32)) & mask
            while slots[index] != 0 { index = (index + 1) & mask }
            slots[index] = slot
        }
    }

    private static func tag(_ hash: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: hash) ^ UInt32(truncatingIfNeeded: hash >> 32)
    }
}
