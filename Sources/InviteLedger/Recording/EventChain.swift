/// The hash chain of the event log (documented in LedgerFormat.md).
///
///     hash(n) = SHA-256( prevHash(n) || payload(n) || 0x0A || outcome(n) || 0x0A || recordedAt(n) )
///
/// where `prevHash(1)` is 32 zero bytes, `prevHash(n)` is `hash(n-1)`, `payload` and `outcome` are
/// the canonical JSON texts as stored, in UTF-8, and `recordedAt` is the stored milliseconds in
/// decimal ASCII. Every other column of the event row is checked against these bytes by `verify`.
///
/// Ledgers written before `recordedAt` was hashed start with events in the legacy format, which
/// stops after the outcome; once an event uses the current format, every later one does.
public enum EventChain {
    /// The previous hash of the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    /// Which bytes an event's hash covers.
    public enum Format: Sendable, Equatable {
        /// prevHash, payload, outcome and recordedAt: what every event is recorded with now.
        case current
        /// prevHash, payload and outcome only: events recorded by versions before recordedAt was hashed.
        case legacy
    }

    public static func hash(
        previous: [UInt8], payload: String, outcome: String, recordedAt: Int64, format: Format = .current
    ) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(previous)
        hasher.update(utf8: payload)
        hasher.update([0x0A])
        hasher.update(utf8: outcome)
        if format == .current {
            hasher.update(recordedAtSuffix(recordedAt))
        }
        return hasher.finalize()
    }

    /// The format in which a stored hash covers its event's content, or nil when it covers neither.
    public static func format(
        of hash: [UInt8], previous: [UInt8], payload: String, outcome: String, recordedAt: Int64
    ) -> Format? {
        for format in [Format.current, .legacy]
        where self.hash(previous: previous, payload: payload, outcome: outcome, recordedAt: recordedAt, format: format)
            == hash
        {
            return format
        }
        return nil
    }

    /// The bytes the current format adds after the outcome: a newline and the decimal milliseconds.
    public static func recordedAtSuffix(_ recordedAt: Int64) -> [UInt8] {
        [0x0A] + Array(String(recordedAt).utf8)
    }
}
