import CSQLite

/// Enums stored as their raw value, as in GRDB: declare `extension Level: DatabaseValueConvertible {}`
/// and bind or read the enum directly. A stored value that is not a case does not convert, so
/// `Statement.Columns.required` reports it with the column's name.
extension DatabaseValueConvertible where Self: RawRepresentable, RawValue: DatabaseValueConvertible {
    public var databaseValue: DatabaseValue { rawValue.databaseValue }

    public static func fromDatabaseValue(_ value: DatabaseValue) -> Self? {
        RawValue.fromDatabaseValue(value).flatMap(Self.init(rawValue:))
    }

    public static func decode(from statement: OpaquePointer, column: Int32) -> Self? {
        RawValue.decode(from: statement, column: column).flatMap(Self.init(rawValue:))
    }

    public func bind(to statement: OpaquePointer, at index: Int32) -> Int32 {
        rawValue.bind(to: statement, at: index)
    }
}
