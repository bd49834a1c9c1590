import Foundation
import Testing

@testable import InviteLedger

@Suite("SHA-256")
struct SHA256Tests {
    @Test("FIPS 180-4 test vectors", arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"),
        ("abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"),
    ])
    func vectors(message: String, digest: String) {
        #expect(SHA256.hash(Array(message.utf8)).hex == digest)
    }

    @Test("one million 'a', fed in uneven pieces")
    func millionA() {
        var hasher = SHA256()
        let piece = [UInt8](repeating: 0x61, count: 997)
        var remaining = 1_000_000
        while remaining > 0 {
            let count = min(piece.count, remaining)
            hasher.update(Array(piece.prefix(count)))
            remaining -= count
        }
        #expect(hasher.finalize().hex == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    @Test("matches sha256sum on random inputs of every length around the block boundaries")
    func matchesSha256sum() throws {
        var generator = SystemRandomNumberGenerator()
        let lengths = Array(0...130) + [447, 448, 511, 512, 513, 1000, 4096, 65_537]
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("sha-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        var files: [(URL, String)] = []
        for length in lengths {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            let url = directory.appendingPathComponent("input-\(length)")
            try Data(bytes).write(to: url)
            // Streamed in two uneven parts, to exercise the buffering.
            var hasher = SHA256()
            let split = length / 3
            hasher.update(Array(bytes[..<split]))
            hasher.update(Array(bytes[split...]))
            files.append((url, hasher.finalize().hex))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["sha256sum"] + files.map(\.0.path)
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let expected = output.split(separator: "\n").map { String($0.prefix(64)) }
        #expect(expected.count == files.count)
        #expect(files.map(\.1) == expected)
    }

    @Test("the one-shot hash(_:into:) agrees with the streaming hasher at every length")
    func oneShot() {
        var generator = SystemRandomNumberGenerator()
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            var digest = [UInt8](repeating: 0, count: 32)
            bytes.withUnsafeBytes { message in
                digest.withUnsafeMutableBytes { SHA256.hash(message, into: $0.baseAddress!) }
            }
            #expect(digest == SHA256.hash(bytes), "length \(length)")
        }
        var abc = [UInt8](repeating: 0, count: 32)
        Array("abc".utf8).withUnsafeBytes { message in abc.withUnsafeMutableBytes { SHA256.hash(message, into: $0.baseAddress!) } }
        #expect(abc.hex == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }

    @Test("hex round-trips and rejects what is not hex")
    func hex() {
        #expect([UInt8](hex: "00ff10Ab")! == [0x00, 0xFF, 0x10, 0xAB])
        #expect([UInt8](hex: "abc") == nil)
        #expect([UInt8](hex: "zz") == nil)
        #expect([UInt8]([0xDE, 0xAD]).hex == "dead")
    }
}
