import Foundation

/// Where `--output` goes. A regular file is written under a temporary name in the same directory
/// and renamed over the final name only when complete: a job that crashes never leaves half a
/// report under the final name. Anything else that exists (a device such as `/dev/null`, a named
/// pipe) is written in place, never renamed over: replacing `/dev/null` with a file would break
/// the machine. `-` is standard output.
final class AtomicFile {
    let path: String
    /// The temporary file, for a regular file; nil when writing in place.
    let temporaryPath: String?
    private let stream: OutputStream
    private let ownsDescriptor: Bool

    init(path: String, standardOutput: OutputStream) throws {
        self.path = path
        if path == "-" {
            temporaryPath = nil
            stream = standardOutput
            ownsDescriptor = false
            return
        }
        var status = stat()
        if stat(path, &status) == 0 && (status.st_mode & S_IFMT) != S_IFREG {
            let descriptor = open(path, O_WRONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw UsageError("option --output: cannot write \(path): \(String(cString: strerror(errno)))")
            }
            temporaryPath = nil
            stream = OutputStream(descriptor: descriptor, capacity: 1 << 18, name: path)
            ownsDescriptor = true
            return
        }
        let url = URL(fileURLWithPath: path)
        let temporary = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial").path
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw UsageError("option --output: cannot create \(temporary): \(String(cString: strerror(errno)))")
        }
        temporaryPath = temporary
        stream = OutputStream(descriptor: descriptor, capacity: 1 << 18, name: path)
        ownsDescriptor = true
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        stream.write(bytes)
    }

    /// Flushes; a regular file is then synced and renamed into place.
    func commit() throws {
        stream.flush()
        guard let temporaryPath else {
            if ownsDescriptor { close(stream.descriptor) }
            return
        }
        fsync(stream.descriptor)
        close(stream.descriptor)
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw UsageError("option --output: cannot rename to \(path): \(reason)")
        }
    }

    func discard() {
        if ownsDescriptor { close(stream.descriptor) }
        if let temporaryPath { unlink(temporaryPath) }
    }
}
