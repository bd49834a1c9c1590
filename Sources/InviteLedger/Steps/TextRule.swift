/// What a text field may hold (Steps.md). Lengths count Unicode scalars.
struct TextRule: Sendable {
    var maximumLength: Int
    var description: String
    var isAllowed: @Sendable (Unicode.Scalar) -> Bool
    var extraCheck: (@Sendable (String) -> Bool)? = nil

    /// `A-Z a-z 0-9 _ . -`, 1-64.
    static let brokerCrmName = TextRule(
        maximumLength: 64, description: "1-64 characters of A-Z a-z 0-9 _ . -",
        isAllowed: { scalar in
            switch scalar.value {
            case 0x30...0x39, 0x41...0x5A, 0x61...0x7A, 0x5F, 0x2E, 0x2D: true
            default: false
            }
        })

    /// Any Unicode text without control characters.
    static func printable(_ maximumLength: Int) -> TextRule {
        TextRule(
            maximumLength: maximumLength, description: "1-\(maximumLength) characters, no control characters",
            isAllowed: isPrintable)
    }

    static let partnerId = printable(128)

    /// An absolute http(s) URL without spaces or control characters.
    static let url = TextRule(
        maximumLength: 2048, description: "an absolute http:// or https:// URL of at most 2048 characters",
        isAllowed: { isPrintable($0) && $0 != " " },
        extraCheck: { text in
            let lowered = text.lowercased()
            for scheme in ["https://", "http://"] where lowered.hasPrefix(scheme) {
                return lowered.count > scheme.count && !lowered.dropFirst(scheme.count).hasPrefix("/")
            }
            return false
        })

    static let isPrintable: @Sendable (Unicode.Scalar) -> Bool = { scalar in
        if scalar.value < 0x80 {
            return scalar.value >= 0x20 && scalar.value != 0x7F
        }
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator, .surrogate: return false
        default: return true
        }
    }

    func accepts(_ text: String) -> Bool {
        var count = 0
        for scalar in text.unicodeScalars {
            count += 1
            guard count <= maximumLength, isAllowed(scalar) else { return false }
        }
        guard count >= 1 else { return false }
        return extraCheck?(text) ?? true
    }
}
