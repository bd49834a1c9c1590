/// Reads a record from the current row of a statement through its `Decodable` conformance: the
/// compiler's `init(from:)` asks for the stored properties in their declared order, and each is
/// read from the next column, so the statement selects the record's `columnNames` in order
/// (`TableRecord.select(where:)` does).
///
/// A NULL in a property that is not optional, or a value of another type, is a
/// `RowDecodingError` naming the column: it means the file was changed behind the ledger's back.
struct RowDecoder: Decoder {
    private let row: Statement.Columns
    /// The next column to read, for the length of `decode` (a pointer: the decoder is a struct of
    /// two words, passed as `any Decoder` without an allocation).
    private let index: UnsafeMutablePointer<Int>
    var codingPath: [any CodingKey] { [] }
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    private init(row: Statement.Columns, index: UnsafeMutablePointer<Int>) {
        self.row = row
        self.index = index
    }

    /// The record the row holds.
    static func decode<Record: Decodable>(_ type: Record.Type, from row: Statement.Columns) throws -> Record {
        var index = 0
        return try withUnsafeMutablePointer(to: &index) { try Record(from: RowDecoder(row: row, index: $0)) }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
        KeyedDecodingContainer(Columns(decoder: self))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        preconditionFailure("a record's columns are its stored properties: no column holds a list")
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        preconditionFailure("a record's columns are its stored properties: a record is not a single value")
    }

    /// The next column, required.
    fileprivate func next<Value: DatabaseValueConvertible>(_ type: Value.Type) throws -> Value {
        defer { index.pointee += 1 }
        return try row.required(index.pointee)
    }

    /// The next column; nil for NULL.
    fileprivate func nextIfPresent<Value: DatabaseValueConvertible>(_ type: Value.Type) throws -> Value? {
        defer { index.pointee += 1 }
        return row.isNull(index.pointee) ? nil : try row.required(index.pointee, as: Value.self)
    }

    /// The columns of a record, each read from the next column of the row.
    private struct Columns<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let decoder: RowDecoder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) throws -> Bool { decoder.row.isNull(decoder.index.pointee) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try decoder.next(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try decoder.next(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try decoder.next(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try decoder.next(type) }
        func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try decoder.next(type) }
        func decodeIfPresent(_ type: Bool.Type, forKey key: Key) throws -> Bool? { try decoder.nextIfPresent(type) }
        func decodeIfPresent(_ type: String.Type, forKey key: Key) throws -> String? { try decoder.nextIfPresent(type) }
        func decodeIfPresent(_ type: Double.Type, forKey key: Key) throws -> Double? { try decoder.nextIfPresent(type) }
        func decodeIfPresent(_ type: Int.Type, forKey key: Key) throws -> Int? { try decoder.nextIfPresent(type) }
        func decodeIfPresent(_ type: Int64.Type, forKey key: Key) throws -> Int64? { try decoder.nextIfPresent(type) }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            try decoder.next(Self.convertible(type, key)) as! T
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            try decoder.nextIfPresent(Self.convertible(type, key)).map { $0 as! T }
        }

        /// An enum of its raw value, bytes: any other type of property is a programming error.
        private static func convertible<T>(_ type: T.Type, _ key: Key) -> any DatabaseValueConvertible.Type {
            guard let convertible = type as? any DatabaseValueConvertible.Type else {
                preconditionFailure("column \(key.stringValue): \(T.self) is not DatabaseValueConvertible")
            }
            return convertible
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) throws -> KeyedDecodingContainer<NestedKey> {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        func superDecoder() throws -> any Decoder { decoder }
        func superDecoder(forKey key: Key) throws -> any Decoder { decoder }
    }
}
