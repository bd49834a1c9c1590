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
        // The message laid out in one buffer and hashed in one call: a build hashes every event,
        // and the hasher's own buffer and the suffix's arrays were allocations of each.
        var payload = payload
        var outcome = outcome
        var recordedAtText = format == .current ? String(recordedAt) : ""
        return payload.withUTF8 { payload in
            outcome.withUTF8 { outcome in
                recordedAtText.withUTF8 { recordedAtText in
                    let capacity = previous.count + payload.count + outcome.count + recordedAtText.count + 2
                    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: capacity) { message in
                        var length = 0
                        func append(_ bytes: UnsafeBufferPointer<UInt8>) {
                            guard let source = bytes.baseAddress else { return }
                            (message.baseAddress! + length).initialize(from: source, count: bytes.count)
                            length += bytes.count
                        }
                        previous.withUnsafeBufferPointer(append)
                        append(payload)
                        message[length] = 0x0A
                        length += 1
                        append(outcome)
                        if format == .current {
                            message[length] = 0x0A
                            length += 1
                            append(recordedAtText)
                        }
                        return [UInt8](unsafeUninitializedCapacity: 32) { digest, count in
                            let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: message[..<length]))
                            SHA256.hash(bytes, into: digest.baseAddress!)
                            count = 32
                        }
                    }
                }
            }
        }
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
