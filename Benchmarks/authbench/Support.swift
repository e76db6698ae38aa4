import AuthCore
import EventLog
import Foundation

/// Monotonic seconds.
func monotonicSeconds() -> Double {
    var spec = timespec()
    clock_gettime(CLOCK_MONOTONIC, &spec)
    return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
}

/// A fresh temporary directory.
func temporaryDirectory(_ label: String) throws -> String {
    let path = NSTemporaryDirectory() + "authbench-\(label)-\(UInt64.random(in: 0...UInt64.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// Prints a `key: value` figure.
func report(_ key: String, _ value: Double, decimals: Int = 0) {
    print("\(key): \(String(format: "%.\(decimals)f", value))")
    fflush(nil)
}

/// Fills `store` with `count` synthetic events in commands of `chunk` events; returns the seconds it took.
@discardableResult
func fillSynthetic(_ store: EventStore, count: Int, chunk: Int = 2000, seed: UInt64 = 42, progress: Bool = false) throws -> Double {
    let vault = PersonalDataVault.installed(on: store)
    var workload = SyntheticWorkload(seed: seed)
    var rng = SplitMix64(seed: seed ^ 0x5eed)
    let manual = store.clock as? ManualClock
    let start = monotonicSeconds()
    var written = 0
    while written < count {
        var batch: [PendingEvent] = []
        while batch.count < min(chunk, count - written) {
            batch.append(contentsOf: workload.next(at: store.clock.now()))
        }
        // Spread synthetic time: about 2 s between actions on average.
        manual?.advance(microseconds: Int64(rng.next() % 4_000_000) * Int64(chunk) / 1000)
        let events = batch
        try store.executeSync { context in
            for event in events { try emitSealed(event, vault: vault, in: &context) }
        }
        written += events.count
        if progress && written % 100_000 < events.count {
            FileHandle.standardError.write("generated \(written) events\n".data(using: .utf8)!)
        }
    }
    return monotonicSeconds() - start
}

/// Installs the personal-data vault on `store` (key files under `directory`), so that its appends seal the users'
/// client IPs and user agents as authd's do.
@discardableResult
func installVault(_ store: EventStore, directory: String) throws -> PersonalDataVault {
    try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: directory))
}

/// Emits `event`; for a `user.registered`, first creates the user's data key, as `RegisterUser` does, so that the
/// user's events are sealed.
func emitSealed(_ event: PendingEvent, vault: PersonalDataVault?, in context: inout CommandContext) throws {
    if let vault, event.type == UserRegistered.type, let user = event.streams.first(where: { $0.kind == .user }) {
        _ = try vault.createKey(userID: user.id, in: context)
    }
    try context.emit(event)
}

extension EventStore.Options {
    /// Options for generating benchmark data: with `noSync`, commits are not fsync'd (the append path is the same;
    /// only durability differs). Sync once at the end. (`MDB_WRITEMAP` would save the `write` calls too, but LMDB
    /// does not nest transactions in that mode, and every command runs in a nested one.)
    static func benchmarkData(noSync: Bool) -> EventStore.Options {
        var options = EventStore.Options()
        options.environment.noSync = noSync
        return options
    }
}
