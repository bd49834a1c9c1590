import CSQLite

/// Binds Swift values to a statement's parameters, one after the other, each through its own
/// type's `bind(to:at:)`: no array of boxed values is made. `TableRecord` writes its columns with
/// it, and a statement inserting several rows binds them in turn.
///
///     try statement.execute { binder in binder.bind(user.id, user.brokerId, user.userId) }
public struct StatementBinder {
    let handle: OpaquePointer
    /// The parameter the next value is bound to (parameters count from 1).
    public private(set) var index: Int32 = 1
    /// The first failure: SQLite's code and the parameter.
    private(set) var failure: (code: Int32, index: Int32)?

    init(handle: OpaquePointer) {
        self.handle = handle
    }

    /// Binds each value to the next parameter, in order.
    public mutating func bind<each Value: DatabaseValueConvertible>(_ values: repeat each Value) {
        repeat bindNext(each values)
    }

    /// Binds one value to the next parameter.
    mutating func bindNext<Value: DatabaseValueConvertible>(_ value: Value) {
        let code = value.bind(to: handle, at: index)
        if code != SQLITE_OK && failure == nil {
            failure = (code, index)
        }
        index += 1
    }

    /// The number of values bound so far.
    public var count: Int { Int(index - 1) }
}

extension Statement {
    /// Resets the statement, binds every parameter with `encode`, and runs it to completion.
    ///
    /// - Throws: `DatabaseError` when a value cannot be bound, when `encode` binds another number
    ///   of values than the statement has parameters, or when the statement fails.
    public func execute(_ encode: (inout StatementBinder) -> Void) throws {
        try bind(encode)
        defer { sqlite3_reset(handle) }
        while try step() {}
    }

    /// Resets the statement and binds every parameter with `encode`.
    func bind(_ encode: (inout StatementBinder) -> Void) throws {
        sqlite3_reset(handle)
        var binder = StatementBinder(handle: handle)
        encode(&binder)
        if let failure = binder.failure {
            throw DatabaseError.last(on: database.handle, code: failure.code, sql: sql)
        }
        let expected = Int(sqlite3_bind_parameter_count(handle))
        guard binder.count == expected else {
            throw DatabaseError(
                extendedResultCode: SQLITE_RANGE,
                message: "wrong number of arguments: \(binder.count) given, \(expected) expected", sql: sql)
        }
    }

    /// The first row, read in place by `body`, with the parameters bound by `encode`; nil when
    /// there is no row.
    public func fetchFirst<T>(
        bindings encode: (inout StatementBinder) -> Void, _ body: (Columns) throws -> T
    ) throws -> T? {
        try bind(encode)
        defer { sqlite3_reset(handle) }
        guard try step() else { return nil }
        return try body(Columns(handle: handle))
    }

    /// Calls `body` for each row, read in place, with the parameters bound by `encode`.
    public func forEachRow(
        bindings encode: (inout StatementBinder) -> Void, _ body: (Columns) throws -> Void
    ) throws {
        try bind(encode)
        defer { sqlite3_reset(handle) }
        let columns = Columns(handle: handle)
        while try step() {
            try body(columns)
        }
    }
}
