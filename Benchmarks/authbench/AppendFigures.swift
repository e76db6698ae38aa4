import AuthCore
import EventLog
import Foundation

/// In-process durable appends through ``EventStore/executeSync(_:)``: the writer (and, for a replica of a shared
/// log, its head lock) without HTTP. Each append is one realistic event (sealed as authd seals them).
enum AppendFigures {
    /// One caller waiting for each append: appends per second, and the p50/p99 latency of one append (ms).
    static func single(_ store: EventStore, vault: PersonalDataVault, events: [PendingEvent]) throws -> (rate: Double, p50: Double, p99: Double) {
        var latencies: [Double] = []
        latencies.reserveCapacity(events.count)
        let start = monotonicSeconds()
        for event in events {
            let begin = monotonicSeconds()
            _ = try store.executeSync { context in try emitSealed(event, vault: vault, in: &context) }
            latencies.append(monotonicSeconds() - begin)
        }
        let rate = Double(events.count) / (monotonicSeconds() - start)
        latencies.sort()
        func at(_ q: Double) -> Double { latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] * 1000 }
        return (rate, at(0.5), at(0.99))
    }

    /// `appenders` callers (one OS thread each), caller `i` appending through `stores[i % stores.count]`, the events
    /// dealt out among them: appends per second, the wall time, and the appends that failed.
    static func concurrent(
        _ stores: [(store: EventStore, vault: PersonalDataVault)], appenders: Int, events: [PendingEvent]
    ) -> (rate: Double, seconds: Double, failures: [String: Int]) {
        let perAppender = events.count / appenders
        let failures = Failures()
        let group = DispatchGroup()
        let start = monotonicSeconds()
        for worker in 0..<appenders {
            let (store, vault) = stores[worker % stores.count]
            let mine = Array(events[(worker * perAppender)..<((worker + 1) * perAppender)])
            group.enter()
            Thread {
                for event in mine {
                    do {
                        _ = try store.executeSync { context in try emitSealed(event, vault: vault, in: &context) }
                    } catch {
                        failures.add(error)
                    }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let seconds = monotonicSeconds() - start
        let failed = failures.counts.values.reduce(0, +)
        return (Double(perAppender * appenders - failed) / seconds, seconds, failures.counts)
    }

    /// `count` realistic events of fresh users (`seed` apart from other phases, so no user registers twice in one log).
    static func sample(_ count: Int, seed: UInt64) -> [PendingEvent] {
        var workload = SyntheticWorkload(seed: seed)
        var events: [PendingEvent] = []
        while events.count < count { events.append(contentsOf: workload.next(at: Timestamp(seconds: 1_767_225_600))) }
        return Array(events.prefix(count))
    }
}

/// Errors by description, counted. `@unchecked Sendable`: its one field is guarded by `lock`.
final class Failures: @unchecked Sendable {
    private let lock = NSLock()
    private var table: [String: Int] = [:]
    func add(_ error: any Error) { lock.withLock { table["\(error)", default: 0] += 1 } }
    var counts: [String: Int] { lock.withLock { table } }
}
