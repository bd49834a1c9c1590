/// A record type's column names, read from its `Decodable` conformance: the names of its stored
/// properties in their declared order, the order in which `RowDecoder` reads them and `RowEncoder`
/// binds them. The record is decoded once from a decoder that notes each key and answers a
/// placeholder (zero, empty, an enum's first case), so no instance is needed.
enum ColumnNames {
    static func of<Record: Decodable>(_ type: Record.Type) -> [String] {
        let decoder = KeyRecorder()
        do {
            _ = try Record(from: decoder)
        } catch {
            preconditionFailure("\(Record.self): its columns cannot be listed: \(error)")
        }
        return decoder.names
    }

    /// Notes the key of each property decoded, in order.
    private final class KeyRecorder: Decoder, SingleValueDecodingContainer {
        var names: [String] = []
        var codingPath: [any CodingKey] { [] }
        var userInfo: [CodingUserInfoKey: Any] { [:] }

        func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedDecodingContainer<Key> {
            KeyedDecodingContainer(Keys(recorder: self))
        }

        func unkeyedContainer() throws -> any UnkeyedDecodingContainer { Empty() }
        func singleValueContainer() -> any SingleValueDecodingContainer { self }

        // A property's placeholder value, for the types of the standard library.
        func decodeNil() -> Bool { false }
        func decode(_ type: Bool.Type) -> Bool { false }
        func decode(_ type: String.Type) -> String { "" }
        func decode(_ type: Double.Type) -> Double { 0 }
        func decode(_ type: Float.Type) -> Float { 0 }
        func decode(_ type: Int.Type) -> Int { 0 }
        func decode(_ type: Int8.Type) -> Int8 { 0 }
        func decode(_ type: Int16.Type) -> Int16 { 0 }
        func decode(_ type: Int32.Type) -> Int32 { 0 }
        func decode(_ type: Int64.Type) -> Int64 { 0 }
        func decode(_ type: UInt.Type) -> UInt { 0 }
        func decode(_ type: UInt8.Type) -> UInt8 { 0 }
        func decode(_ type: UInt16.Type) -> UInt16 { 0 }
        func decode(_ type: UInt32.Type) -> UInt32 { 0 }
        func decode(_ type: UInt64.Type) -> UInt64 { 0 }

        /// An enum's first case (it is `CaseIterable`: its raw value may not be empty), else the
        /// value decoded from placeholders.
        func decode<T: Decodable>(_ type: T.Type) throws -> T {
            if let enumeration = type as? any CaseIterable.Type { return Self.firstCase(enumeration) as! T }
            return try T(from: self)
        }

        private static func firstCase<Enumeration: CaseIterable>(_ type: Enumeration.Type) -> Any {
            guard let first = type.allCases.first else { preconditionFailure("\(type) has no case") }
            return first
        }
    }

    /// The properties of a record: each key noted, each value a placeholder.
    private struct Keys<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let recorder: KeyRecorder
        var codingPath: [any CodingKey] { [] }
        var allKeys: [Key] { [] }

        func contains(_ key: Key) -> Bool { true }
        func decodeNil(forKey key: Key) -> Bool { false }

        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
            recorder.names.append(key.stringValue)
            return try recorder.decode(type)
        }

        func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
            recorder.names.append(key.stringValue)
            return nil
        }

        func nestedContainer<NestedKey: CodingKey>(
            keyedBy type: NestedKey.Type, forKey key: Key
        ) -> KeyedDecodingContainer<NestedKey> {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedDecodingContainer {
            preconditionFailure("column \(key.stringValue): a column holds one value")
        }

        func superDecoder() -> any Decoder { recorder }
        func superDecoder(forKey key: Key) -> any Decoder { recorder }
    }

    /// An empty list: the placeholder of an array (the bytes of a hash).
    private struct Empty: UnkeyedDecodingContainer {
        var codingPath: [any CodingKey] { [] }
        var count: Int? { 0 }
        var isAtEnd: Bool { true }
        var currentIndex: Int { 0 }

        mutating func decodeNil() -> Bool { false }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
            throw DecodingError.valueNotFound(type, .init(codingPath: [], debugDescription: "a placeholder list is empty"))
        }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) -> KeyedDecodingContainer<NestedKey> {
            preconditionFailure("a placeholder list is empty")
        }

        mutating func nestedUnkeyedContainer() -> any UnkeyedDecodingContainer { self }
        mutating func superDecoder() -> any Decoder { preconditionFailure("a placeholder list is empty") }
    }
}
