import Foundation
import InviteLedger

/// Writes the NDJSON steps of a synthetic referral forest, the same for the same seed.
///
/// 1,000 root partners; each referred user arrives through a click on a partner's link, a signup
/// and a user creation. Its partner is a root picked by a Zipf law (a few roots get most direct
/// referrals) or, more often, a partner picked in proportion to its direct referrals so far
/// (preferential attachment) or any partner alike (`attachment: .uniform`), never deeper than
/// `maximumDepth`. About a third of the users become
/// partners (a tenth of them at account level), some link an account, and some signups carry a
/// partnerId nobody holds (rejected with UNKNOWN_PARTNER_ID).
struct ForestGenerator {
    var roots = 1_000
    var users = 1_000_000
    var maximumDepth = 12
    var seed: UInt64 = 42
    var broker = "bench"
    /// How a referred user's partner is chosen.
    var attachment = Attachment.preferential

    enum Attachment: String {
        /// A Zipf-chosen root or, more often, a partner in proportion to its direct referrals so
        /// far: a few huge partners.
        case preferential
        /// Any partner, each as likely: many mid-size partners.
        case uniform
    }

    /// The facts the benchmark needs about what was generated.
    struct Summary {
        var steps = 0
        var attributions = 0
        /// Partners' userIds and their number of descendants, biggest first.
        var biggestPartners: [(userId: Int64, descendants: Int)] = []
        var deepestUserId: Int64 = 0
        var deepestDepth = 0
        var midPartner: (userId: Int64, descendants: Int) = (0, 0)
    }

    /// SplitMix64: small, fast, and the same on every platform.
    struct Random {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }
        mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
    }

    func generate(to handle: FileHandle) throws -> Summary {
        var random = Random(state: seed)
        var summary = Summary()
        var out: [UInt8] = []
        out.reserveCapacity(1 << 20)
        // Steps 1 to 6 s apart from 2021: 40 million steps (10 million users) end in 2025, before
        // today, so no step is refused as dated in the future.
        var clock: Int64 = Timestamp(rfc3339: "2021-01-01T00:00:00Z")!.milliseconds
        var event = 0
        let total = roots + users
        // Per user (index = userId - 1): parent index (-1 root or unattributed), depth, partnerId kind.
        var parent = [Int32](repeating: -1, count: total)
        var depth = [UInt8](repeating: 0, count: total)
        var isPartner = [Bool](repeating: false, count: total)
        var pool: [Int32] = []
        pool.reserveCapacity(users * 2)
        var partners: [Int32] = []

        func flush() throws {
            if out.count > (1 << 20) - 4096 {
                try handle.write(contentsOf: out)
                out.removeAll(keepingCapacity: true)
            }
        }
        func emit(_ step: String, _ fields: String) throws {
            event += 1
            clock += 1000 + Int64(random.below(5_000))
            let at = Timestamp(milliseconds: clock).rfc3339
            out.append(contentsOf: #"{"step":"\#(step)","eventId":"e\#(event)","brokerCrmName":"\#(broker)","at":"\#(at)",\#(fields)}"#.utf8)
            out.append(0x0A)
            summary.steps += 1
            try flush()
        }
        func partnerId(_ index: Int) -> String { "p\(index + 1)" }
        func becomePartner(_ index: Int) throws {
            let userId = index + 1
            if random.below(10) == 0 {
                let account = 10_000_000 + userId
                try emit("account.linked", #""userId":\#(userId),"ctidTraderAccountId":\#(account)"#)
                try emit("referral.set", #""partnerId":"\#(partnerId(index))","ctidTraderAccountId":\#(account)"#)
            } else {
                try emit("referral.set", #""partnerId":"\#(partnerId(index))","userId":\#(userId)"#)
            }
            try emit("link.issued", #""linkId":"L\#(userId)","partnerId":"\#(partnerId(index))","url":"https://broker.example/signup?partnerId=\#(partnerId(index))""#)
            isPartner[index] = true
            pool.append(Int32(index))
            partners.append(Int32(index))
        }

        // Zipf weights over the roots: root r gets 1/r.
        var zipf: [Double] = []
        var sum = 0.0
        for rank in 1...roots {
            sum += 1.0 / Double(rank)
            zipf.append(sum)
        }
        // The broker is introduced on purpose, as a ledger requires.
        out.append(contentsOf: #"{"step":"broker.configured","eventId":"e0","brokerCrmName":"\#(broker)","at":"\#(Timestamp(milliseconds: clock).rfc3339)","guaranteedAttributionDays":0}"#.utf8)
        out.append(0x0A)
        summary.steps += 1
        for index in 0..<roots {
            try emit("user.created", #""userId":\#(index + 1)"#)
            try becomePartner(index)
        }
        for index in roots..<total {
            let userId = index + 1
            var chosen = -1
            if random.unit() < 0.02 {
                // A signup through a partnerId nobody holds.
                let ghost = "ghost-\(random.below(1000))"
                try emit("link.clicked", #""partnerId":"\#(ghost)","visitorId":"v\#(userId)""#)
                try emit("signup.submitted", #""signupId":"S\#(userId)","partnerId":"\#(ghost)","visitorId":"v\#(userId)""#)
                try emit("user.created", #""userId":\#(userId),"signupId":"S\#(userId)""#)
                summary.attributions += 1
                continue
            }
            while chosen < 0 || Int(depth[chosen]) >= maximumDepth {
                if random.unit() < 0.3 {
                    let target = random.unit() * sum
                    var low = 0
                    var high = roots - 1
                    while low < high {
                        let middle = (low + high) / 2
                        if zipf[middle] < target { low = middle + 1 } else { high = middle }
                    }
                    chosen = low
                } else if attachment == .uniform {
                    chosen = Int(partners[random.below(partners.count)])
                } else {
                    chosen = Int(pool[random.below(pool.count)])
                }
            }
            parent[index] = Int32(chosen)
            depth[index] = depth[chosen] + 1
            pool.append(Int32(chosen))
            let pid = partnerId(chosen)
            try emit("link.clicked", #""partnerId":"\#(pid)","linkId":"L\#(chosen + 1)","visitorId":"v\#(userId)""#)
            try emit("signup.submitted", #""signupId":"S\#(userId)","partnerId":"\#(pid)","visitorId":"v\#(userId)""#)
            try emit("user.created", #""userId":\#(userId),"signupId":"S\#(userId)""#)
            summary.attributions += 1
            if random.below(10) < 3 {
                try emit("account.linked", #""userId":\#(userId),"ctidTraderAccountId":\#(20_000_000 + userId),"traderLogin":\#(userId)"#)
            }
            if random.below(3) == 0 {
                try becomePartner(index)
            }
        }
        try handle.write(contentsOf: out)

        // Descendant counts, for picking the partners to query.
        var descendants = [Int32](repeating: 0, count: total)
        for index in stride(from: total - 1, through: 0, by: -1) where parent[index] >= 0 {
            descendants[Int(parent[index])] += descendants[index] + 1
        }
        let bySize = (0..<total).filter { isPartner[$0] }.sorted { descendants[$0] > descendants[$1] }
        summary.biggestPartners = bySize.prefix(10).map { (Int64($0 + 1), Int(descendants[$0])) }
        if let mid = bySize.first(where: { descendants[$0] <= 1_000 }) {
            summary.midPartner = (Int64(mid + 1), Int(descendants[mid]))
        }
        let deepest = (0..<total).max { depth[$0] < depth[$1] } ?? 0
        summary.deepestUserId = Int64(deepest + 1)
        summary.deepestDepth = Int(depth[deepest])
        return summary
    }
}
