#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads newline-delimited lines from a file descriptor in large blocks, handing each line to the
/// caller as bytes without copying. `\r\n` endings are accepted (and a last line's `\r`). A line longer than
/// `maximumLineLength` is not kept in memory: the caller gets `.tooLong` for it.
public struct NDJSONReader {
    public enum Line {
        case bytes(UnsafeBufferPointer<UInt8>)
        case tooLong(length: Int)
    }

    public static let maximumLineLength = 16 << 20

    private let descriptor: Int32
    private var buffer: [UInt8]
    private var start = 0
    private var end = 0
    private var isAtEnd = false
    /// 1-based number of the last line handed out.
    public private(set) var lineNumber = 0

    public init(descriptor: Int32, blockSize: Int = 1 << 20) {
        self.descriptor = descriptor
        self.buffer = [UInt8](repeating: 0, count: blockSize)
    }

    /// Opens a file for reading; `-` is standard input.
    public static func open(path: String) throws -> NDJSONReader {
        if path == "-" { return NDJSONReader(descriptor: 0) }
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw LedgerError(.notFound, field: "FILE", "cannot read \(path): \(String(cString: strerror(errno)))")
        }
        return NDJSONReader(descriptor: descriptor)
    }

    public func close() {
        if descriptor > 2 { _ = Glibc.close(descriptor) }
    }

    /// Calls `body` with the next line and its number; returns nil at the end of the input.
    public mutating func nextLine<T>(_ body: (Line, _ lineNumber: Int) throws -> T) throws -> T? {
        var skipped = 0
        while true {
            if let newline = findNewline() {
                lineNumber += 1
                defer { start = newline + 1 }
                if skipped > 0 {
                    return try body(.tooLong(length: skipped + newline - start), lineNumber)
                }
                var lineEnd = newline
                if lineEnd > start && buffer[lineEnd - 1] == 0x0D { lineEnd -= 1 }
                return try buffer.withUnsafeBufferPointer { all in
                    try body(.bytes(UnsafeBufferPointer(rebasing: all[start..<lineEnd])), lineNumber)
                }
            }
            if isAtEnd {
                guard start < end || skipped > 0 else { return nil }
                lineNumber += 1
                defer { start = end }
                if skipped > 0 { return try body(.tooLong(length: skipped + end - start), lineNumber) }
                let lineEnd = buffer[end - 1] == 0x0D ? end - 1 : end
                return try buffer.withUnsafeBufferPointer { all in
                    try body(.bytes(UnsafeBufferPointer(rebasing: all[start..<lineEnd])), lineNumber)
                }
            }
            // Keep the partial line, grow the buffer when the line does not fit, then read more.
            if start > 0 { compact() }
            if end == buffer.count {
                if buffer.count >= Self.maximumLineLength {
                    // Too long: forget what we have and keep counting until the newline.
                    skipped += end
                    end = 0
                } else {
                    buffer += [UInt8](repeating: 0, count: buffer.count)
                }
            }
            try fill()
        }
    }

    /// What `nextBlock` hands out: whole lines, or one line too long to hold.
    public enum Block {
        /// Lines, each ending in `\n` but perhaps the last of the input; `\r\n` is left as it is.
        case lines(UnsafeBufferPointer<UInt8>)
        case tooLong(length: Int)
    }

    /// Calls `body` with the next run of whole lines, about a buffer's worth (the buffer is filled
    /// before it is cut at its last line break), or with one line too long to hold; returns nil
    /// at the end of the input. It does not count lines: `lineNumber` stays where `nextLine`
    /// left it, and the caller counts the lines of each block.
    public mutating func nextBlock<T>(_ body: (Block) throws -> T) throws -> T? {
        while true {
            if !isAtEnd && end < buffer.count {
                try fill()
                continue
            }
            if let newline = findLastNewline() {
                defer { start = newline + 1 }
                return try buffer.withUnsafeBufferPointer { all in
                    try body(.lines(UnsafeBufferPointer(rebasing: all[start...newline])))
                }
            }
            if isAtEnd {
                guard start < end else { return nil }
                defer { start = end }
                return try buffer.withUnsafeBufferPointer { all in
                    try body(.lines(UnsafeBufferPointer(rebasing: all[start..<end])))
                }
            }
            if start > 0 {
                compact()
                continue
            }
            // A whole buffer without a line break: one line, which `nextLine` measures or holds.
            return try nextLine { line, _ in
                switch line {
                case .bytes(let bytes): try body(.lines(bytes))
                case .tooLong(let length): try body(.tooLong(length: length))
                }
            }
        }
    }

    /// Moves the partial line at the buffer's end to its start.
    private mutating func compact() {
        buffer.withUnsafeMutableBufferPointer { all in
            _ = memmove(all.baseAddress!, all.baseAddress! + start, end - start)
        }
        end -= start
        start = 0
    }

    /// Reads once into the free end of the buffer.
    private mutating func fill() throws {
        let count = buffer.withUnsafeMutableBufferPointer { all in
            read(descriptor, all.baseAddress! + end, all.count - end)
        }
        if count < 0 {
            if errno == EINTR { return }
            throw LedgerError(.notFound, field: "FILE", "read failed: \(String(cString: strerror(errno)))")
        }
        if count == 0 { isAtEnd = true }
        end += count
    }

    private func findLastNewline() -> Int? {
        buffer.withUnsafeBufferPointer { all -> Int? in
            var index = end
            while index > start {
                index -= 1
                if all[index] == 0x0A { return index }
            }
            return nil
        }
    }

    private func findNewline() -> Int? {
        buffer.withUnsafeBufferPointer { all -> Int? in
            guard start < end else { return nil }
            guard let found = memchr(all.baseAddress! + start, 0x0A, end - start) else { return nil }
            return all.baseAddress!.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
    }
}
