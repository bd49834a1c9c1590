/// Adds to activity rows the upline their trader had at the row's time, from an `UplineIndex`:
/// finds the trader (by userId or trading account), walks the edges in force then, and writes
/// the added cells. Partner ids are escaped for CSV and JSON once, not per row.
final class ActivityAttributor: Sendable {
    let index: UplineIndex
    let options: ActivityOptions
    let brokerCrmName: String
    /// Text i of the index, escaped for CSV, is `csvTexts[csvStarts[i]..<csvStarts[i + 1]]`.
    private let csvTexts: [UInt8]
    private let csvStarts: [Int]
    private let jsonTexts: [[UInt8]]
    /// `,"level1UserId":`, `,"level1PartnerId":`, ... for NDJSON.
    private let jsonKeys: [[UInt8]]

    init(index: UplineIndex, options: ActivityOptions, brokerCrmName: String) {
        self.index = index
        self.options = options
        self.brokerCrmName = brokerCrmName
        var csvTexts: [UInt8] = []
        var csvStarts = [0]
        for text in index.texts {
            CSVWriter.appendRecord([text], to: &csvTexts)
            csvTexts.removeLast(2)
            csvStarts.append(csvTexts.count)
        }
        self.csvTexts = csvTexts
        self.csvStarts = csvStarts
        jsonTexts = index.texts.map { text in
            var bytes: [UInt8] = []
            JSONValue.writeString(text, to: &bytes)
            return bytes
        }
        jsonKeys = ActivityOptions.addedColumns(levels: options.levels).dropFirst().map { name in
            var bytes: [UInt8] = [0x2C]
            JSONValue.writeString(name, to: &bytes)
            bytes.append(0x3A)
            return bytes
        }
    }

    /// How a row names its trader.
    enum Trader {
        case user(Int64)
        case account(Int64)
    }

    /// The trader a row names (the userId when it gives both): its id read, not yet looked up.
    func trader(userId: UnsafeBufferPointer<UInt8>?, account: UnsafeBufferPointer<UInt8>?) throws -> Trader {
        if let userId, !userId.isEmpty { return .user(try Self.identifier(userId, field: options.userColumn)) }
        if let account, !account.isEmpty { return .account(try Self.identifier(account, field: options.accountColumn)) }
        throw LedgerError(
            .missingField, field: options.userColumn,
            "the row names no trader: \(options.userColumn) and \(options.accountColumn) are both missing or empty")
    }

    /// The trader's user row in the index.
    func row(of trader: Trader) throws -> Int {
        switch trader {
        case .user(let id):
            guard let row = index.rowsByUserId[id] else {
                throw LedgerError(.unknownUser, field: options.userColumn, "no user \(id) in broker \(brokerCrmName)")
            }
            return Int(row)
        case .account(let id):
            guard let row = index.accounts[id] else {
                throw LedgerError(
                    .unknownAccount, field: options.accountColumn, "no trading account \(id) in broker \(brokerCrmName)")
            }
            return Int(row)
        }
    }

    /// A row's time, in milliseconds.
    func time(_ bytes: UnsafeBufferPointer<UInt8>?) throws -> Int64 {
        guard let bytes, !bytes.isEmpty else {
            throw LedgerError(.missingField, field: options.timeColumn, "the row has no \(options.timeColumn)")
        }
        guard let milliseconds = Timestamp.milliseconds(rfc3339: bytes) else {
            throw LedgerError(
                .invalidField, field: options.timeColumn,
                "\(options.timeColumn) must be an RFC 3339 time such as 2026-04-05T10:00:00Z, got \(Self.quoted(bytes))")
        }
        return milliseconds
    }

    /// A positive decimal id of at most 18 digits.
    static func identifier(_ bytes: UnsafeBufferPointer<UInt8>, field: String) throws -> Int64 {
        var value: Int64 = 0
        guard bytes.count <= 18 else {
            throw LedgerError(.invalidField, field: field, "\(field) must be a positive integer, got \(quoted(bytes))")
        }
        for byte in bytes {
            guard byte >= 48 && byte <= 57 else {
                throw LedgerError(.invalidField, field: field, "\(field) must be a positive integer, got \(quoted(bytes))")
            }
            value = value * 10 + Int64(byte - 48)
        }
        guard value > 0 else {
            throw LedgerError(.invalidField, field: field, "\(field) must be a positive integer, got \(quoted(bytes))")
        }
        return value
    }

    static func quoted(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        FieldReader.quote(String(decoding: bytes.prefix(80), as: UTF8.self))
    }

    /// `,true,1001,ib-alice,,` ...: the added CSV cells of a walk.
    func appendCSV(_ path: ArraySlice<Int>, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: path.isEmpty ? Self.csvFalse : Self.csvTrue)
        csvTexts.withUnsafeBufferPointer { texts in
            for level in 0..<options.levels {
                bytes.append(0x2C)
                guard level < path.count else {
                    bytes.append(0x2C)
                    continue
                }
                let edge = index.edges[path[path.startIndex + level]]
                ReportEncoder.appendInteger(edge.parentUserId, to: &bytes)
                bytes.append(0x2C)
                if edge.partnerId >= 0 {
                    let id = Int(edge.partnerId)
                    bytes.append(contentsOf: UnsafeBufferPointer(rebasing: texts[csvStarts[id]..<csvStarts[id + 1]]))
                }
            }
        }
    }

    /// `"attributed":true,"level1UserId":1001,...`: the added NDJSON members of a walk.
    func appendJSON(_ path: ArraySlice<Int>, to bytes: inout [UInt8]) {
        bytes.append(contentsOf: path.isEmpty ? Self.jsonFalse : Self.jsonTrue)
        for level in 0..<options.levels {
            bytes.append(contentsOf: jsonKeys[level * 2])
            guard level < path.count else {
                bytes.append(contentsOf: Self.null)
                bytes.append(contentsOf: jsonKeys[level * 2 + 1])
                bytes.append(contentsOf: Self.null)
                continue
            }
            let edge = index.edges[path[path.startIndex + level]]
            ReportEncoder.appendInteger(edge.parentUserId, to: &bytes)
            bytes.append(contentsOf: jsonKeys[level * 2 + 1])
            bytes.append(contentsOf: edge.partnerId >= 0 ? jsonTexts[Int(edge.partnerId)] : Self.null)
        }
    }

    private static let csvTrue = Array(",true".utf8)
    private static let csvFalse = Array(",false".utf8)
    private static let jsonTrue = Array(#""attributed":true"#.utf8)
    private static let jsonFalse = Array(#""attributed":false"#.utf8)
    private static let null = Array("null".utf8)
}
