/// Reads a record from the current row of a statement through its `Decodable` conformance: the
/// compiler's `init(from:)` asks for the stored properties in their declared order, and each is
/// read from the next column, so the statement selects the record's `columnNames` in order
/// (`TableRecord.select(where:)` does).
///
/// A NULL in a property that is not optional, or a value of another type, is a
/// `RowDecodingError` naming the column: it means the file was changed behind the ledger's back.
struct RowDecoder: Decoder, SingleValueDecodingContainer {
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

    /// The next column, for a property whose type decodes itself from a single value: an enum
    /// of its raw value.
    func singleValueContainer() -> any SingleValueDecodingContainer { self }

    func decodeNil() -> Bool { row.isNull(index.pointee) }
    func decode(_ type: Bool.Type) throws -> Bool { try next(type) }
    func decode(_ type: String.Type) throws -> String { try next(type) }
    func decode(_ type: Double.Type) throws -> Double { try next(type) }
    func decode(_ type: Int.Type) throws -> Int { try next(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try next(type) }
    func decode(_ type: Float.Type) throws -> Float { Self.unsupported(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { Self.unsupported(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { Self.unsupported(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { Self.unsupported(type) }
    func decode(_ type: UInt.Type) throws -> UInt { Self.unsupported(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { Self.unsupported(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { Self.unsupported(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { Self.unsupported(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { Self.unsupported(type) }
    func decode<T: Decodable>(_ type: T.Type) throws -> T { Self.unsupported(type) }

    private static func unsupported<T>(_ type: T.Type) -> Never {
        preconditionFailure("\(T.self) is not a column type: a column holds a number, a string, bytes or an enum of them")
    }

    /// The next column as a property of a type that is not a column type itself: bytes, or an
    /// enum (its `init(from:)` reads its raw value through `singleValueContainer()`). A raw value
    /// that names no case is a `RowDecodingError` naming the column.
    fileprivate func decodeValue<T: Decodable>(_ type: T.Type) throws -> T {
        if T.self == [UInt8].self {
            return try next([UInt8].self) as! T
        }
        let column = index.pointee
        do {
            return try T(from: self)
        } catch is DecodingError {
            throw row.decodingError(column, expected: "\(T.self)")
        }
    }

    /// The next column, required.
    fileprivate func next<Value: DatabaseValueConvertible>(_ type: Value.Type) throws -> Value {
        defer { index.pointee += 1 }
        return try row.required(index.pointee)
    }

    /// The next column; nil for NULL.
    fileprivate func nextIfPresent<Value: DatabaseValueConvertible>(_ type: Value.Type) throws -> Value? {
        defer { index.pointee += 1 }
        return try row.optional(index.pointee, as: Value.self)
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

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try decoder.decodeValue(type) }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            guard !decoder.row.isNull(decoder.index.pointee) else {
                decoder.index.pointee += 1
                return nil
            }
            return try decoder.decodeValue(type)
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
