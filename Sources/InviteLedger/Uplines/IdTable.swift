/// A hash table from a positive cTrader id (userId, ctidTraderAccountId) to a row id, in one flat
/// array of slots probed linearly: one cache line per lookup, where a `Dictionary` takes more.
struct IdTable: Sendable {
    private struct Slot: Sendable {
        /// 0 for an empty slot: ids are positive.
        var key: Int64
        var value: Int32
    }

    private var slots: [Slot]
    private let mask: Int
    private(set) var count = 0

    init(capacity: Int) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = Array(repeating: Slot(key: 0, value: 0), count: size)
        mask = size - 1
    }

    /// The memory it holds, in bytes.
    var bytes: Int { slots.count * MemoryLayout<Slot>.stride }

    private static func hash(_ key: Int64) -> Int {
        Int(truncatingIfNeeded: (UInt64(bitPattern: key) &* 0x9E37_79B9_7F4A_7C15) >> 32)
    }

    /// Sets the value of a key (ids must be positive; the table never needs to grow past `capacity`).
    mutating func set(_ key: Int64, _ value: Int32) {
        precondition(key > 0, "ids are positive")
        if count * 2 >= slots.count { grow() }
        var index = Self.hash(key) & mask
        while slots[index].key != 0 && slots[index].key != key { index = (index + 1) & mask }
        if slots[index].key == 0 { count += 1 }
        slots[index] = Slot(key: key, value: value)
    }

    subscript(key: Int64) -> Int32? {
        slots.withUnsafeBufferPointer { slots in
            var index = Self.hash(key) & mask
            while true {
                let slot = slots[index]
                if slot.key == key { return slot.value }
                if slot.key == 0 { return nil }
                index = (index + 1) & mask
            }
        }
    }

    private mutating func grow() {
        var bigger = IdTable(capacity: slots.count)
        for slot in slots where slot.key != 0 { bigger.set(slot.key, slot.value) }
        self = bigger
    }
}
