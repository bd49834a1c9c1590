import Testing

@testable import InviteLedger

@Suite("Step decoding")
struct StepDecodingTests {
    @Test("every step decodes into its body, with a canonical payload")
    func everyStepDecodes() throws {
        let cases: [(String, Step.Body)] = [
            (#"{"step":"broker.configured","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","guaranteedAttributionDays":90}"#,
             .brokerConfigured(guaranteedAttributionDays: 90)),
            (#"{"step":"partner.registered","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","crmPartnerRef":"C1","ctidTraderAccountId":7}"#,
             .partnerRegistered(crmPartnerRef: "C1", userId: nil, ctidTraderAccountId: 7)),
            (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"partnerId":"p","crmPartnerRef":"C1"}"#,
             .userCreated(userId: 5, signupId: nil, partnerId: "p", crmPartnerRef: "C1")),
            (#"{"step":"account.linked","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"ctidTraderAccountId":7,"traderLogin":99}"#,
             .accountLinked(userId: 5, ctidTraderAccountId: 7, traderLogin: 99)),
            (#"{"step":"referral.set","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","partnerId":"p","ctidTraderAccountId":7}"#,
             .referralSet(partnerId: "p", holder: .account(7), crmPartnerRef: nil)),
            (#"{"step":"referral.deleted","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5}"#,
             .referralDeleted(userId: 5, ctidTraderAccountId: nil)),
            (#"{"step":"link.issued","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","linkId":"L","partnerId":"p","url":"https://x.example/?partnerId=p"}"#,
             .linkIssued(linkId: "L", partnerId: "p", url: "https://x.example/?partnerId=p")),
            (#"{"step":"link.generated","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","linkId":"L","partnerId":"p","url":"http://x.example","target":"copy-strategy:1"}"#,
             .linkGenerated(linkId: "L", partnerId: "p", url: "http://x.example", target: "copy-strategy:1")),
            (#"{"step":"link.clicked","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","partnerId":"p","visitorId":"v"}"#,
             .linkClicked(partnerId: "p", linkId: nil, visitorId: "v")),
            (#"{"step":"signup.submitted","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","signupId":"S"}"#,
             .signupSubmitted(signupId: "S", partnerId: nil, visitorId: nil)),
            (#"{"step":"invite.received","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","invitedUserId":5,"partnerUserId":6,"brokerName":"B","brokerPartnerId":"p"}"#,
             .inviteReceived(invitedUserId: 5, partnerUserId: 6, brokerPartnerId: "p")),
            (#"{"step":"attribution.reassigned","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"partnerId":null,"reason":"r","operator":"o"}"#,
             .attributionReassigned(userId: 5, partnerId: nil, reason: "r", operator: "o", force: false)),
        ]
        #expect(Set(cases.map { try! Step(json: $0.0).kind }).count == Step.Kind.allCases.count)
        for (json, body) in cases {
            let step = try Step(json: json)
            #expect(step.body == body, "\(json)")
            #expect(step.eventId == "e")
            #expect(step.brokerCrmName == "b")
            #expect(step.at == Timestamp(milliseconds: 1_767_225_600_000))
            // The canonical payload is the input with sorted keys and a normalized `at`.
            #expect(step.payload == (try JSONParser.parse(json)).canonical().replacingOccurrences(
                of: "2026-01-01T00:00:00Z", with: "2026-01-01T00:00:00.000Z"))
        }
    }

    @Test("the same content in another form has the same payload")
    func canonicalForm() throws {
        let a = try Step(json: #"{"step":"user.created","eventId":"e1","brokerCrmName":"acme","at":"2026-03-03T14:00:00+02:00","userId":7}"#)
        let b = try Step(json: "{ \"userId\" : 7,\n \"at\":\"2026-03-03T12:00:00.000Z\", \"brokerCrmName\":\"acme\", \"eventId\":\"e\\u0031\", \"step\":\"user.created\" }")
        #expect(a.payload == #"{"at":"2026-03-03T12:00:00.000Z","brokerCrmName":"acme","eventId":"e1","step":"user.created","userId":7}"#)
        #expect(a.payload == b.payload)
    }

    @Test("each kind of bad input is rejected with its code, field and message", arguments: [
        (#"{"step":"user.created""#, LedgerError.Code.invalidJSON, nil as String?,
         "invalid JSON: unexpected end of input, expected ',' or '}' at byte 23"),
        (#""user.created""#, .invalidJSON, nil, "a step must be a JSON object, got \"user.created\""),
        (#"{"eventId":"e"}"#, .missingField, "step", "missing field \"step\""),
        (#"{"step":5}"#, .invalidField, "step", "step must be a string, got 5"),
        (#"{"step":"user.removed"}"#, .unknownStep, "step",
         "unknown step \"user.removed\"; expected one of broker.configured, partner.registered, user.created, account.linked, referral.set, referral.deleted, link.issued, link.generated, link.clicked, signup.submitted, invite.received, attribution.reassigned"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"traderLogin":1}"#,
         .unknownField, "traderLogin", "unknown field \"traderLogin\" for step user.created"),
        (#"{"step":"user.created","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5}"#,
         .missingField, "eventId", "missing field \"eventId\""),
        (#"{"step":"user.created","eventId":"","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5}"#,
         .invalidField, "eventId", "eventId must be 1-128 characters, no control characters, got \"\""),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b/c","at":"2026-01-01T00:00:00Z","userId":5}"#,
         .invalidField, "brokerCrmName", "brokerCrmName must be 1-64 characters of A-Z a-z 0-9 _ . -, got \"b/c\""),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":1767225600,"userId":5}"#,
         .invalidField, "at", "at must be an RFC 3339 date-time with an offset (2026-01-31T12:00:00Z), got 1767225600"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":-5}"#,
         .invalidField, "userId", "userId must be an integer from 1 to 9223372036854775807, got -5"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5.0}"#,
         .invalidField, "userId", "userId must be an integer from 1 to 9223372036854775807, got 5.0"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":1e3}"#,
         .invalidField, "userId", "userId must be an integer from 1 to 9223372036854775807, got 1e3"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":null}"#,
         .invalidField, "userId", "userId must be an integer from 1 to 9223372036854775807, got null"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":{"id":5}}"#,
         .invalidField, "userId", "userId must be an integer from 1 to 9223372036854775807, got an object"),
        (#"{"step":"user.created","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"brokerName":""}"#,
         .invalidField, "brokerName", "brokerName must be 1-128 characters, no control characters, got \"\""),
        (#"{"step":"invite.received","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","invitedUserId":5,"partnerUserId":6}"#,
         .missingField, "brokerName", "missing field \"brokerName\""),
        (#"{"step":"attribution.reassigned","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","userId":5,"reason":"r","operator":"o"}"#,
         .missingField, "partnerId", "missing field \"partnerId\""),
        (#"{"step":"partner.registered","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","crmPartnerRef":"C","userId":1,"ctidTraderAccountId":2}"#,
         .invalidField, "ctidTraderAccountId", "give either userId or ctidTraderAccountId, not both (the account names its user)"),
        (#"{"step":"broker.configured","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","guaranteedAttributionDays":36501}"#,
         .invalidField, "guaranteedAttributionDays", "guaranteedAttributionDays must be an integer from 0 to 36500, got 36501"),
        (#"{"step":"link.generated","eventId":"e","brokerCrmName":"b","at":"2026-01-01T00:00:00Z","linkId":"L","partnerId":"p","url":"https://"}"#,
         .invalidField, "url", "url must be an absolute http:// or https:// URL of at most 2048 characters, got \"https://\""),
    ])
    func rejects(json: String, code: LedgerError.Code, field: String?, message: String) {
        #expect(throws: LedgerError(code, field: field, message)) { try Step(json: json) }
    }

    @Test("partnerIds: any Unicode text of 1-128 scalars without control characters, compared exactly")
    func partnerIds() throws {
        func set(_ partnerId: String) throws -> Step {
            try Step(json: step("referral.set", "e", ["partnerId": partnerId, "userId": 1]))
        }
        for accepted in ["a", "ib-alice@example.com", "\"quoted\", with comma", "100% 'sql'; DROP TABLE event;--",
                         "Алиса", "アリス", "\u{1F600}", String(repeating: "\u{E9}", count: 128)] {
            guard case .referralSet(let partnerId, _, _) = try set(accepted).body else {
                Issue.record("not a referral.set")
                continue
            }
            #expect(partnerId == accepted)
        }
        for refused in ["", String(repeating: "x", count: 129), "tab\there", "line\nbreak", "nul\u{0}", "del\u{7F}",
                        "c1\u{85}", "sep\u{2028}"] {
            #expect(throws: LedgerError.self) { try set(refused) }
        }
    }
}
