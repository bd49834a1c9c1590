import Foundation

/// Steps for the tests that need volume: partners with user-level partnerIds, then users each
/// signing up through a click on a partner's link, some becoming partners themselves, so that the
/// tree has several levels.
enum SyntheticSteps {
    static func lines(partners: Int, users: Int, broker: String = "acme", eventPrefix: String = "") -> [String] {
        var lines: [String] = []
        var event = 0
        func add(_ step: String, _ minute: Int, _ fields: String) {
            event += 1
            let at = String(format: "2026-02-%02dT%02d:%02d:00Z", 1 + minute / 1440 % 28, minute / 60 % 24, minute % 60)
            lines.append(#"{"step":"\#(step)","eventId":"\#(eventPrefix)e\#(event)","brokerCrmName":"\#(broker)","at":"\#(at)",\#(fields)}"#)
        }
        var holders: [Int] = []
        for partner in 1...partners {
            add("user.created", 0, #""userId":\#(partner)"#)
            add("referral.set", 0, #""partnerId":"ib-\#(partner)","userId":\#(partner)"#)
            add("link.issued", 0, #""linkId":"L\#(partner)","partnerId":"ib-\#(partner)","url":"https://broker.example/?partnerId=ib-\#(partner)""#)
            holders.append(partner)
        }
        for index in 1...users {
            let userId = 10_000 + index
            let holder = holders[(index * 7919) % holders.count]
            let minute = index
            add("link.clicked", minute, #""partnerId":"ib-\#(holder)","linkId":"L\#(holder)","visitorId":"v\#(userId)""#)
            add("signup.submitted", minute, #""signupId":"S\#(userId)","partnerId":"ib-\#(holder)","visitorId":"v\#(userId)""#)
            add("user.created", minute, #""userId":\#(userId),"signupId":"S\#(userId)""#)
            if index % 5 == 0 {
                add("referral.set", minute, #""partnerId":"ib-\#(userId)","userId":\#(userId)"#)
                add("link.issued", minute, #""linkId":"L\#(userId)","partnerId":"ib-\#(userId)","url":"https://broker.example/?partnerId=ib-\#(userId)""#)
                holders.append(userId)
            }
        }
        return lines
    }

    static func write(_ lines: [String], to path: String) throws {
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
    }
}
