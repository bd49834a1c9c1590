/// A decimal number held exactly: `significand` / 10^`scale`. Money adds up in it without ever
/// passing through binary floating point: `0.1 + 0.2` is `0.3`. Up to 18 digits after the point
/// and 38 in all; a value or a sum beyond that is an error, never rounded.
struct ExactDecimal: Equatable {
    private(set) var significand: Int128 = 0
    /// Digits after the decimal point, 0 to `maximumScale`.
    private(set) var scale = 0

    static let maximumScale = 18
    static let zero = ExactDecimal()

    /// Parses `[+-]digits[.digits]`; nil for anything else (exponents, spaces, an empty text) or
    /// more digits than it holds.
    init?(_ bytes: UnsafeBufferPointer<UInt8>) {
        var index = 0
        var negative = false
        if index < bytes.count, bytes[index] == 0x2D || bytes[index] == 0x2B {
            negative = bytes[index] == 0x2D
            index += 1
        }
        var digits = 0
        var value: Int128 = 0
        var scale: Int?
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            if byte == 0x2E {
                guard scale == nil else { return nil }
                scale = 0
                continue
            }
            guard byte >= 48 && byte <= 57 else { return nil }
            digits += 1
            guard digits <= 38 else { return nil }
            value = value * 10 + Int128(byte - 48)
            if let current = scale { scale = current + 1 }
        }
        guard digits > 0, (scale ?? 0) <= Self.maximumScale, scale != 0 else { return nil }
        significand = negative ? -value : value
        self.scale = scale ?? 0
    }

    private init(significand: Int128, scale: Int) {
        self.significand = significand
        self.scale = scale
    }

    private init() {}

    /// The same value with `scale` digits after the point; nil when it would not fit.
    private func rescaled(to scale: Int) -> Int128? {
        var value = significand
        for _ in self.scale..<scale {
            let (next, overflow) = value.multipliedReportingOverflow(by: 10)
            guard !overflow else { return nil }
            value = next
        }
        return value
    }

    /// The exact sum; nil when it does not fit in 38 digits.
    func adding(_ other: ExactDecimal) -> ExactDecimal? {
        let scale = max(self.scale, other.scale)
        guard let left = rescaled(to: scale), let right = other.rescaled(to: scale) else { return nil }
        let (sum, overflow) = left.addingReportingOverflow(right)
        guard !overflow else { return nil }
        return ExactDecimal(significand: sum, scale: scale)
    }

    /// The value with at least `scale` digits after the point: `12.50` for 12.5 at scale 2.
    func text(scale minimum: Int = 0) -> String {
        let scale = max(self.scale, minimum)
        guard let value = rescaled(to: scale) else { return text(scale: self.scale) }
        var digits = String(value.magnitude)
        if scale > 0 {
            if digits.count <= scale { digits = String(repeating: "0", count: scale - digits.count + 1) + digits }
            digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
        }
        return value < 0 ? "-" + digits : digits
    }
}
