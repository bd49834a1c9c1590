import InviteLedger

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// A buffered writer to a file descriptor: reports write millions of rows, so bytes are gathered
/// into 64 KiB blocks before each `write(2)`.
final class OutputStream {
    let descriptor: Int32
    /// What the descriptor is, for an error message: "standard output", a file's path.
    let name: String
    private var buffer: [UInt8] = []
    private let capacity: Int
    /// True when the descriptor is a terminal (progress lines and colours are for people only).
    let isTerminal: Bool

    init(descriptor: Int32, capacity: Int = 1 << 16, name: String? = nil) {
        self.descriptor = descriptor
        self.name = name ?? (descriptor == 1 ? "standard output" : descriptor == 2 ? "standard error" : "descriptor \(descriptor)")
        self.capacity = capacity
        self.isTerminal = isatty(descriptor) == 1
        buffer.reserveCapacity(capacity)
    }

    func write(_ text: String) {
        var text = text
        text.withUTF8 { write($0) }
    }

    func write(_ bytes: [UInt8]) {
        bytes.withUnsafeBufferPointer { write($0) }
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) {
        if buffer.count + bytes.count > capacity {
            flush()
        }
        if bytes.count >= capacity {
            writeAll(bytes)
        } else {
            buffer.append(contentsOf: bytes)
        }
    }

    /// Appends directly into the buffer: for formatters that build a row in place.
    func withBuffer(_ body: (inout [UInt8]) -> Void) {
        body(&buffer)
        if buffer.count >= capacity {
            flush()
        }
    }

    func writeLine(_ text: String) {
        write(text)
        write("\n")
    }

    func flush() {
        guard !buffer.isEmpty else { return }
        buffer.withUnsafeBufferPointer { writeAll($0) }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ bytes: UnsafeBufferPointer<UInt8>) {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                // A closed pipe (`| head`) ends the output quietly, as other Unix tools do; any
                // other failure (a full disk, /dev/full) is said on stderr, exit status 74.
                guard errno != EPIPE else { exit(0) }
                let reason = String(cString: strerror(errno))
                let message = JSONValue.object([("error", .object([
                    ("code", .string("OUTPUT_FAILED")), ("message", .string("cannot write to \(name): \(reason)")),
                ]))]).serialized() + "\n"
                _ = message.withCString { Glibc.write(2, $0, strlen($0)) }
                exit(74)
            }
            offset += written
        }
    }
}
