import Foundation
import Testing

@testable import LedgerStore

/// Runs the system `sqlite3` shell on a database: a second process.
func sqlite3(_ path: String, _ sql: String) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["sqlite3", "-cmd", ".timeout 5000", path, sql]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite("WAL between processes")
struct ConcurrencyTests {
    @Test("another process reads the last committed state while this one writes")
    func readerDuringWrite() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (x INTEGER) STRICT")
            try db.execute(sql: "INSERT INTO t VALUES (1)")
        }
        try queue.write { db in
            try db.execute(sql: "INSERT INTO t VALUES (2)")
            // The write transaction is open: the other process neither waits nor sees row 2.
            let during = try sqlite3(path, "SELECT COUNT(*) FROM t;")
            #expect(during.status == 0)
            #expect(during.output == "1\n")
        }
        let after = try sqlite3(path, "SELECT COUNT(*) FROM t;")
        #expect(after.output == "2\n")
        try queue.close()
    }

    @Test("a read transaction keeps its snapshot while another process commits")
    func snapshotDuringOtherWriter() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let path = directory.path("db.sqlite")
        let queue = try DatabaseQueue(path: path)
        try queue.write { db in
            try db.execute(sql: "CREATE TABLE t (x INTEGER) STRICT; INSERT INTO t VALUES (1);")
        }
        let counts: [Int64] = try queue.read { db in
            let before = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM t") ?? -1
            let insert = try sqlite3(path, "INSERT INTO t VALUES (2);")
            #expect(insert.status == 0, "the other process writes while this one reads: \(insert.output)")
            let inside = try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM t") ?? -1
            return [before, inside]
        }
        #expect(counts == [1, 1])
        #expect(try queue.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(*) FROM t") } == 2)
        try queue.close()
    }

    @Test("a queue is shared by threads, one caller at a time")
    func queueAcrossThreads() async throws {
        let queue = try DatabaseQueue(path: ":memory:")
        try queue.write { db in try db.execute(sql: "CREATE TABLE t (x INTEGER) STRICT") }
        await withTaskGroup(of: Void.self) { group in
            for value in 0..<8 {
                group.addTask {
                    for offset in 0..<50 {
                        try? queue.write { db in
                            try db.execute(sql: "INSERT INTO t VALUES (?)", arguments: [value * 100 + offset])
                        }
                    }
                }
            }
        }
        #expect(try queue.read { db in try Int64.fetchOne(db, sql: "SELECT COUNT(DISTINCT x) FROM t") } == 400)
    }
}
