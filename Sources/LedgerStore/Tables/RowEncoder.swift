/// Binds a record's columns to a statement's parameters from its `Encodable` conformance: the
/// compiler's `encode(to:)` visits the stored properties in their declared order, and each value
/// goes to the next parameter (`StatementBinder`), so the order of the properties is the order of
/// the columns (`ColumnNames` reads it the same way).
///
/// A property is an `Int64`, `Int`, `Bool`, `Double`, `String` or another
/// `DatabaseValueConvertible` type (an enum of its raw value, bytes), optional or not: nil binds NULL.
struct RowEncoder: Encoder, SingleValueEncodingContainer {
    /// The caller's binder, for the length of `encode` (a pointer: no exclusivity check per value).
    /// The encoder is a struct of one pointer: passed as `any Encoder` without an allocation.
    private let binder: UnsafeMutablePointer<StatementBinder>
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private init(binder: UnsafeMutablePointer<StatementBinder>) {
        self.binder = binder
    }

    /// Binds every column of `record`, in order, to the next parameters of `binder`.
    static func encode<Record: Encodable>(_ record: Record, to binder: inout StatementBinder) {
        withUnsafeMutablePointer(to: &binder) { binder in
            do {
                try record.encode(to: RowEncoder(binder: binder))
            } catch {
                preconditionFailure("a record's encode(to:) does not throw: \(error)")
            }
        }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        KeyedEncodingContainer(Columns(binder: binder, encoder: self))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        preconditionFailure("a record's columns are its stored properties: no column holds a list")
    }

    /// The container of a column's value that encodes itself (an enum, as its raw value).
    func singleValueContainer() -> any SingleValueEncodingContainer { self }

    mutating func encodeNil() { binder.pointee.bindNext(DatabaseValue.null) }
    mutating func encode(_ value: Bool) { binder.pointee.bindNext(value) }
    mutating func encode(_ value: String) { binder.pointee.bindNext(value) }
    mutating func encode(_ value: Double) { binder.pointee.bindNext(value) }
    mutating func encode(_ value: Int) { binder.pointee.bindNext(value) }
    mutating func encode(_ value: Int64) { binder.pointee.bindNext(value) }

    mutating func encode<T: Encodable>(_ value: T) {
        preconditionFailure("\(T.self) is not a column type: a column holds a number, a string, bytes or an enum of them")
    }

    /// The columns of a record, each bound to the next parameter.
    private struct Columns<Key: CodingKey>: KeyedEncodingContainerProtocol {
        let binder: UnsafeMutablePointer<StatementBinder>
        let encoder: RowEncoder
        var codingPath: [any CodingKey] { [] }

        mutating func encodeNil(forKey key: Key) { binder.pointee.bindNext(DatabaseValue.null) }
        mutating func encode(_ value: Bool, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encode(_ value: String, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encode(_ value: Double, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encode(_ value: Int, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encode(_ value: Int64, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encodeIfPresent(_ value: Bool?, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encodeIfPresent(_ value: String?, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encodeIfPresent(_ value: Double?, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encodeIfPresent(_ value: Int?, forKey key: Key) { binder.pointee.bindNext(value) }
        mutating func encodeIfPresent(_ value: Int64?, forKey key: Key) { binder.pointee.bindNext(value) }

        /// Bytes, bound as a blob, or an enum, which encodes its raw value as a single value (a
        /// cast to a concrete type and the enum's own `encode(to:)`: no look-up of a conformance).
        mutating func encode<T: Encodable>(_ value: T, forKey key: Key) {
            if let bytes = value as? [UInt8] {
                binder.pointee.bindNext(bytes)
            } else {
                do {
                    try value.encode(to: encoder)
                } catch {
                    preconditionFailure("column \(key.stringValue): \(error)")
                }
            }
        }

        mutating func encodeIfPresent<T: Encodable>(_ value: T?, forKey key: Key) {
            if let value { encode(value, forKey: key) } else { encodeNil(forKey: key) }
        }

        mutating func nestedContainer<NestedKey: CodingKey>(
            keyedBy keyType: NestedKey.Type, forKey key: Key
        ) -> KeyedEncodingContainer<NestedKey> {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        mutating func superEncoder() -> any Encoder { encoder }
        mutating func superEncoder(forKey key: Key) -> any Encoder { encoder }
    }
}
