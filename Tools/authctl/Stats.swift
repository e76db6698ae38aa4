import ArgumentParser
import AuditKit
import EventLog
import Foundation
import LMDB

/// `authctl stats`: counts by type, size, head, time range.
struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Counts by event type, log size, head, oldest/newest time.")

    @OptionGroup var options: DataOptions

    func run() throws {
        let environment = try options.openReadOnly()
        let log = try environment.openDatabase("log", flags: [])
        var counts: [String: Int] = [:]
        var oldest: Timestamp?
        var newest: Timestamp?
        var total = 0
        try environment.read { txn in
            try txn.forEach(log) { key, value in
                let event = try RecordedEvent(seq: EventCodec.seq(fromKey: key) ?? 0, stored: value)
                counts[event.type, default: 0] += 1
                if oldest == nil { oldest = event.timestamp }
                newest = event.timestamp
                total += 1
                return true
            }
        }
        writeLine("head: \(try readHead(environment))")
        writeLine("events: \(total)")
        writeLine("file_bytes: \(environment.usedBytes)")
        writeLine("oldest: \(oldest?.rfc3339 ?? "-")")
        writeLine("newest: \(newest?.rfc3339 ?? "-")")
        for (type, count) in counts.sorted(by: { $0.key < $1.key }) { writeLine("type.\(AuditText.shown(type)): \(count)") }
    }
}
