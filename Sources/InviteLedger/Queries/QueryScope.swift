import LedgerStore

/// The broker a query reads, and the lookups that turn references into tree nodes. A query never
/// leaves its broker: every lookup is keyed by `broker.id`.
struct QueryScope {
    let db: Database
    let broker: BrokerRecord

    /// The named broker, or the only one when no name is given.
    init(db: Database, brokerCrmName: String?) throws {
        self.db = db
        if let brokerCrmName {
            guard let broker = try BrokerRecord.fetch(db, brokerCrmName: brokerCrmName) else {
                throw LedgerError(.unknownBroker, field: "--broker", "no broker \(FieldReader.quote(brokerCrmName)) in this ledger")
            }
            self.broker = broker
            return
        }
        let brokers = try BrokerRecord.fetchAll(db)
        guard brokers.count == 1 else {
            if brokers.isEmpty {
                throw LedgerError(.unknownBroker, field: "--broker", "the ledger holds no broker yet")
            }
            throw LedgerError(
                .ambiguousBroker, field: "--broker",
                "the ledger holds \(brokers.count) brokers (\(brokers.map(\.brokerCrmName).joined(separator: ", "))); name one with --broker")
        }
        self.broker = brokers[0]
    }

    func user(_ userId: Int64, field: String = "--user-id") throws -> UserRecord {
        guard let user = try UserRecord.fetch(db, brokerId: broker.id, userId: userId) else {
            throw LedgerError(.unknownUser, field: field, "no user \(userId) in broker \(broker.brokerCrmName)")
        }
        return user
    }

    func account(_ accountId: Int64) throws -> AccountRecord {
        guard let account = try AccountRecord.fetch(db, brokerId: broker.id, ctidTraderAccountId: accountId) else {
            throw LedgerError(
                .unknownAccount, field: "--account-id", "no trading account \(accountId) in broker \(broker.brokerCrmName)")
        }
        return account
    }

    /// The tree node (user row) of a partner.
    func node(of partner: PartnerReference) throws -> UserRecord {
        switch partner {
        case .userId(let id):
            return try user(id)
        case .accountId(let id):
            return try userRow(try account(id).userRowId)
        case .partnerId(let partnerId):
            guard let holder = try HolderRecord.fetch(db, brokerId: broker.id, partnerId: partnerId) else {
                throw LedgerError(
                    .unknownPartnerId, field: "--partner-id",
                    "partnerId \(FieldReader.quote(partnerId)) was never assigned in broker \(broker.brokerCrmName)")
            }
            return try userRow(holder.userRowId)
        case .crmPartnerRef(let ref):
            guard let partner = try PartnerRecord.fetch(db, brokerId: broker.id, crmPartnerRef: ref) else {
                throw LedgerError(
                    .unknownPartner, field: "--crm-partner-ref",
                    "no partner \(FieldReader.quote(ref)) registered in broker \(broker.brokerCrmName)")
            }
            guard let userRowId = partner.userRowId else {
                throw LedgerError(
                    .notFound, field: "--crm-partner-ref", "partner \(FieldReader.quote(ref)) has no cTID user yet")
            }
            return try userRow(userRowId)
        }
    }

    func node(of subject: SubjectReference) throws -> UserRecord {
        switch subject {
        case .userId(let id): try user(id)
        case .accountId(let id): try userRow(try account(id).userRowId)
        }
    }

    func userRow(_ rowId: Int64) throws -> UserRecord {
        guard let user = try UserRecord.fetch(db, id: rowId) else {
            throw LedgerError(.notFound, "user row \(rowId) is missing: run `invite-ledger verify`")
        }
        return user
    }

    /// The edge that placed a user in the tree now, or at `asOf`.
    func edge(of userRowId: Int64, asOf: Int64?) throws -> AttributionRecord? {
        if let asOf {
            return try AttributionRecord.fetchEdge(db, userRowId: userRowId, at: asOf)
        }
        return try AttributionRecord.fetchCurrent(db, userRowId: userRowId)
    }
}
