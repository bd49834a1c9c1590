import Foundation

extension Ledger {
    /// Where `recordedAt`, the time the ledger records a step, comes from.
    ///
    ///     let ledger = try Ledger(path: path)                                       // the system clock
    ///     let fixed = try Ledger(path: ":memory:", clock: .fixed(Timestamp(rfc3339: "2026-04-01T00:00:00Z")!))
    ///
    /// `recordedAt` is hashed into the chain, so a fixed clock makes the hashes of a run
    /// reproducible: for tests and demos, never for a ledger in service.
    public struct Clock: Sendable {
        private let read: @Sendable () -> Int64

        /// The system's wall clock, in milliseconds.
        public static let system = Clock {
            Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
        }

        /// Always the same time.
        public static func fixed(_ time: Timestamp) -> Clock {
            let milliseconds = time.milliseconds
            return Clock { milliseconds }
        }

        private init(_ read: @escaping @Sendable () -> Int64) {
            self.read = read
        }

        /// Now, in milliseconds since 1970-01-01T00:00:00Z.
        public func now() -> Int64 { read() }
    }
}
