/// SHA-256 (FIPS 180-4), written in Swift because the only C library this package links is SQLite.
///
///     var hasher = SHA256()
///     hasher.update(previousHash)
///     hasher.update(payloadBytes)
///     let digest = hasher.finalize()            // 32 bytes
///     SHA256.hash(Array("abc".utf8)).hex         // "ba7816bf..."
///
/// Checked against the FIPS 180-4 / NIST test vectors and against `sha256sum` on random input.
public struct SHA256: Sendable {
    /// The eight working words, H0...H7.
    private var state: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    /// Bytes waiting for a full 64-byte block.
    private var buffer: [UInt8] = []
    private var byteCount: UInt64 = 0

    public init() {}

    /// The digest of `bytes`, in one call.
    public static func hash<Bytes: Sequence>(_ bytes: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(Array(bytes))
        return hasher.finalize()
    }

    /// The digest of a contiguous message, written to `output` (32 bytes), without allocating:
    /// the fast path of `verify`, which hashes millions of events.
    public static func hash(_ message: UnsafeRawBufferPointer, into output: UnsafeMutableRawPointer) {
        var hasher = SHA256()
        let bytes = message.bindMemory(to: UInt8.self)
        var offset = 0
        if let base = bytes.baseAddress {
            while bytes.count - offset >= 64 {
                hasher.compress(base + offset)
                offset += 64
            }
        }
        hasher.compressLast(UnsafeBufferPointer(rebasing: bytes[offset...]), messageLength: UInt64(bytes.count))
        hasher.writeDigest(to: output)
    }

    /// Adds bytes to the message.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { update($0) }
    }

    /// Adds the UTF-8 bytes of a string to the message, without copying them.
    public mutating func update(utf8 text: String) {
        var text = text
        text.withUTF8 { update($0) }
    }

    public mutating func update(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard var pointer = bytes.baseAddress else { return }
        var remaining = bytes.count
        byteCount &+= UInt64(remaining)
        if !buffer.isEmpty {
            let take = min(64 - buffer.count, remaining)
            buffer.append(contentsOf: UnsafeBufferPointer(start: pointer, count: take))
            pointer += take
            remaining -= take
            if buffer.count == 64 {
                buffer.withUnsafeBufferPointer { compress($0.baseAddress!) }
                buffer.removeAll(keepingCapacity: true)
            }
        }
        while remaining >= 64 {
            compress(pointer)
            pointer += 64
            remaining -= 64
        }
        if remaining > 0 {
            buffer.append(contentsOf: UnsafeBufferPointer(start: pointer, count: remaining))
        }
    }

    /// Pads the message and returns the 32-byte digest. The hasher must not be used afterwards.
    public mutating func finalize() -> [UInt8] {
        let pending = buffer
        pending.withUnsafeBufferPointer { compressLast($0, messageLength: byteCount) }
        buffer.removeAll()
        return [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
            writeDigest(to: UnsafeMutableRawPointer(digest.baseAddress!))
            count = 32
        }
    }

    /// The last bytes of the message (fewer than 64), the 0x80 byte, zeros and the message's
    /// length in bits: one or two blocks, built on the stack (FIPS 180-4 section 5.1.1).
    private mutating func compressLast(_ tail: UnsafeBufferPointer<UInt8>, messageLength: UInt64) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 128) { block in
            let remaining = tail.count
            for index in 0..<remaining { block[index] = tail[index] }
            block[remaining] = 0x80
            let blocks = remaining + 9 <= 64 ? 1 : 2
            for index in (remaining + 1)..<(blocks * 64) { block[index] = 0 }
            let bitLength = messageLength &* 8
            for index in 0..<8 {
                block[blocks * 64 - 1 - index] = UInt8(truncatingIfNeeded: bitLength >> UInt64(index * 8))
            }
            compress(block.baseAddress!)
            if blocks == 2 { compress(block.baseAddress! + 64) }
        }
    }

    /// H0...H7, big-endian: the 32-byte digest.
    private func writeDigest(to output: UnsafeMutableRawPointer) {
        withUnsafeBytes(of: state) { words in
            for index in 0..<8 {
                let word = words.load(fromByteOffset: index * 4, as: UInt32.self)
                output.storeBytes(of: word.bigEndian, toByteOffset: index * 4, as: UInt32.self)
            }
        }
    }

    /// One 64-byte block: the message schedule and 64 rounds of FIPS 180-4 section 6.2.2.
    private mutating func compress(_ block: UnsafePointer<UInt8>) {
        withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { w in
            for t in 0..<16 {
                let b = block + t * 4
                w[t] = UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
            }
            for t in 16..<64 {
                let x = w[t - 15]
                let y = w[t - 2]
                let s0 = (x >> 7 | x << 25) ^ (x >> 18 | x << 14) ^ (x >> 3)
                let s1 = (y >> 17 | y << 15) ^ (y >> 19 | y << 13) ^ (y >> 10)
                w[t] = w[t - 16] &+ s0 &+ w[t - 7] &+ s1
            }
            var (a, b, c, d, e, f, g, h) = state
            // Eight rounds per turn, the working variables renamed instead of shifted along.
            Self.roundConstants.withUnsafeBufferPointer { k in
                for t in stride(from: 0, to: 64, by: 8) {
                    Self.round(a, b, c, &d, e, f, g, &h, k[t] &+ w[t])
                    Self.round(h, a, b, &c, d, e, f, &g, k[t + 1] &+ w[t + 1])
                    Self.round(g, h, a, &b, c, d, e, &f, k[t + 2] &+ w[t + 2])
                    Self.round(f, g, h, &a, b, c, d, &e, k[t + 3] &+ w[t + 3])
                    Self.round(e, f, g, &h, a, b, c, &d, k[t + 4] &+ w[t + 4])
                    Self.round(d, e, f, &g, h, a, b, &c, k[t + 5] &+ w[t + 5])
                    Self.round(c, d, e, &f, g, h, a, &b, k[t + 6] &+ w[t + 6])
                    Self.round(b, c, d, &e, f, g, h, &a, k[t + 7] &+ w[t + 7])
                }
            }
            state.0 &+= a
            state.1 &+= b
            state.2 &+= c
            state.3 &+= d
            state.4 &+= e
            state.5 &+= f
            state.6 &+= g
            state.7 &+= h
        }
    }

    /// One round of FIPS 180-4 section 6.2.2 on the working variables a...h, in place: the new
    /// `a` is written to `h` and the new `e` to `d`, so that the next round takes them renamed
    /// (h, a, b, c, d, e, f, g). `kw` is the round's constant plus its schedule word.
    @inline(__always)
    private static func round(
        _ a: UInt32, _ b: UInt32, _ c: UInt32, _ d: inout UInt32,
        _ e: UInt32, _ f: UInt32, _ g: UInt32, _ h: inout UInt32, _ kw: UInt32
    ) {
        let s1 = (e >> 6 | e << 26) ^ (e >> 11 | e << 21) ^ (e >> 25 | e << 7)
        let choice = g ^ (e & (f ^ g))
        let t1 = h &+ s1 &+ choice &+ kw
        let s0 = (a >> 2 | a << 30) ^ (a >> 13 | a << 19) ^ (a >> 22 | a << 10)
        let majority = (a & b) | (c & (a | b))
        d &+= t1
        h = t1 &+ s0 &+ majority
    }

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]
}

extension Array where Element == UInt8 {
    /// Lowercase hexadecimal, two digits a byte.
    public var hex: String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(count * 2)
        for byte in self {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// The bytes of a hexadecimal string, or nil when it is not one.
    public init?(hex: String) {
        let characters = Array(hex.utf8)
        guard characters.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        bytes.reserveCapacity(characters.count / 2)
        func nibble(_ c: UInt8) -> UInt8? {
            switch c {
            case 48...57: c - 48
            case 97...102: c - 87
            case 65...70: c - 55
            default: nil
            }
        }
        var index = 0
        while index < characters.count {
            guard let high = nibble(characters[index]), let low = nibble(characters[index + 1]) else { return nil }
            bytes.append(high << 4 | low)
            index += 2
        }
        self = bytes
    }
}
