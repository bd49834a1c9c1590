/// The hash chain of the event log (documented in LedgerFormat.md).
///
///     hash(n) = SHA-256( hash(n-1) || payload(n) || 0x0A || outcome(n) )
///
/// where `hash(0)` is 32 zero bytes and `payload` and `outcome` are the canonical JSON texts as
/// stored, in UTF-8.
public enum EventChain {
    /// The previous hash of the first event.
    public static let genesis = [UInt8](repeating: 0, count: 32)

    public static func hash(previous: [UInt8], payload: String, outcome: String) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(previous)
        hasher.update(utf8: payload)
        hasher.update([0x0A])
        hasher.update(utf8: outcome)
        return hasher.finalize()
    }
}
