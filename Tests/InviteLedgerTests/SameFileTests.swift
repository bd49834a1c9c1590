import Foundation
import LedgerStore
import Testing

@testable import InviteLedger

/// Two `Ledger`s on one file in one process: opening the second must not take away the locks the
/// first one's connection holds. (A file descriptor of the file opened and closed outside SQLite
/// drops every POSIX lock the process holds on it; another process closing its own connection
/// then takes the file for unused, checkpoints it and deletes the WAL the first one writes into.)
@Suite("one file, two ledgers in one process")
struct SameFileTests {
    @Test("opening a second ledger on the file keeps the first one's locks: another process's close leaves the WAL")
    func secondOpenKeepsLocks() throws {
        let scratch = try ScratchDirectory("same-file")
        defer { scratch.remove() }
        let path = scratch.path("ledger.sqlite")
        let writer = try Ledger(path: path, access: .create, clock: Fixtures.clock, brokers: .anyBroker)
        defer { try? writer.close() }
        _ = try writer.record(json: step("user.created", "e1", ["userId": 1]))
        #expect(FileManager.default.fileExists(atPath: path + "-wal"))

        for access in [Ledger.Access.readOnly, .readWrite] {
            let second = try Ledger(path: path, access: access, clock: Fixtures.clock, brokers: .anyBroker)
            try second.close()
        }
        // Another process opens the file, reads, and closes: the last connection out would
        // checkpoint and delete the WAL, which it must not be while `writer` holds its lock.
        let other = Process()
        other.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        other.arguments = ["sqlite3", path, "SELECT count(*) FROM event;"]
        other.standardOutput = FileHandle.nullDevice
        try other.run()
        other.waitUntilExit()
        #expect(other.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: path + "-wal"), "the other process deleted the WAL of an open ledger")

        _ = try writer.record(json: step("user.created", "e2", ["userId": 2]))
        #expect(try writer.rows("SELECT userId FROM ctidUser ORDER BY userId") == ["1", "2"])
        #expect(try writer.verify().isIntact)
    }
}
