import LedgerStore

/// A ledger row with an integer primary key.
protocol KeyedRow {
    var id: Int64 { get }
}

extension BrokerRecord: KeyedRow {}
extension UserRecord: KeyedRow {}
extension AccountRecord: KeyedRow {}
extension PartnerRecord: KeyedRow {}
extension HolderRecord: KeyedRow {}
extension AssignmentRecord: KeyedRow {}
extension LinkRecord: KeyedRow {}
extension ClickRecord: KeyedRow {}
extension SignupRecord: KeyedRow {}
extension AttributionRecord: KeyedRow {}
