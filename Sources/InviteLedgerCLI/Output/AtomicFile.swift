import Foundation

/// A file written under a temporary name in the same directory and renamed over the final name
/// only when complete: a job that crashes never leaves half a report under the final name.
final class AtomicFile {
    let path: String
    let temporaryPath: String
    private let stream: OutputStream

    init(path: String) throws {
        self.path = path
        let url = URL(fileURLWithPath: path)
        temporaryPath = url.deletingLastPathComponent()
            .appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).partial").path
        let descriptor = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw UsageError("option --output: cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        stream = OutputStream(descriptor: descriptor, capacity: 1 << 18)
    }

    func write(_ bytes: UnsafeBufferPointer<UInt8>) throws {
        stream.write(bytes)
    }

    /// Flushes, syncs and renames into place.
    func commit() throws {
        stream.flush()
        fsync(stream.descriptor)
        close(stream.descriptor)
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw UsageError("option --output: cannot rename to \(path): \(reason)")
        }
    }

    func discard() {
        close(stream.descriptor)
        unlink(temporaryPath)
    }
}
