import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs a program to completion and measures it: wall time and peak resident memory (from
/// `wait4`'s rusage, in KiB).
enum ChildProcess {
    struct Measurement {
        var status: Int32
        var seconds: Double
        var peakRSSKiB: Int
    }

    /// - Parameter onLine: when given, the child's stdout comes through a pipe and each line is
    ///   handed over as it arrives, with the seconds since the start (`stdout` is then ignored).
    static func run(
        _ executable: String, _ arguments: [String], stdin: String? = nil, stdout: String? = nil,
        onLine: ((String, Double) -> Void)? = nil
    ) throws -> Measurement {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, stdin ?? "/dev/null", O_RDONLY, 0)
        var pipeEnds: [Int32] = [-1, -1]
        if onLine != nil {
            guard pipe(&pipeEnds) == 0 else { throw BenchmarkError("pipe failed: \(String(cString: strerror(errno)))") }
            posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 1)
            posix_spawn_file_actions_addclose(&actions, pipeEnds[0])
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, stdout ?? "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        }
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let start = DispatchTime.now().uptimeNanoseconds
        let code = posix_spawnp(&pid, executable, &actions, nil, argv, environ)
        guard code == 0 else {
            throw BenchmarkError("cannot start \(executable): \(String(cString: strerror(code)))")
        }
        if let onLine {
            close(pipeEnds[1])
            var pending: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = read(pipeEnds[0], &buffer, buffer.count)
                if count < 0 && errno == EINTR { continue }
                guard count > 0 else { break }
                let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
                pending += buffer[0..<count]
                while let newline = pending.firstIndex(of: 0x0A) {
                    onLine(String(decoding: pending[..<newline], as: UTF8.self), seconds)
                    pending.removeSubrange(...newline)
                }
            }
            close(pipeEnds[0])
        }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchmarkError("wait4 failed: \(String(cString: strerror(errno)))") }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
        return Measurement(status: exitStatus, seconds: seconds, peakRSSKiB: Int(usage.ru_maxrss))
    }
}

struct BenchmarkError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
