/// One schema change: an identifier (the file stem, `0001_create_broker`) and its SQL script.
public struct Migration: Sendable, Equatable {
    public var identifier: String
    public var sql: String

    public init(identifier: String, sql: String) {
        self.identifier = identifier
        self.sql = sql
    }
}
