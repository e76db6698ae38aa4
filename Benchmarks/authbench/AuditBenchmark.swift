import ArgumentParser
import AuthCore
import EventLog
import Foundation
import LMDB
import ProjectionRebuild

/// `authbench audit`: audit queries on a large synthetic log (generated once into --data, reused if present).
struct AuditBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "audit", abstract: "Audit query latencies on a large log.")

    @Option(help: "Events in the log.") var events = 10_000_000
    @Option(help: "Data directory (kept, so the log is generated only once).") var data = "./bench-data/audit"
    @Flag(help: "Generate without fsync per commit (synced once at the end). For benchmark data only.") var noSync = false
    @Flag(help: "Measure only the default rebuild (skip the --rewrite one).") var skipRewrite = false

    func run() throws {
        print("machine_cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        let exists = FileManager.default.fileExists(atPath: data + "/data.mdb")
        var head = LogHead.empty
        if FileManager.default.fileExists(atPath: data + "/data.mdb") {
            var readOnly = Environment.Options()
            readOnly.readOnly = true
            head = try LogHead.read(environment: Environment(path: data, options: readOnly))
        }
        if !exists || head.seq < UInt64(events) {
            // Generation may run without fsync (--no-sync); the measurements below use a normally opened store.
            let writer = try EventStore(path: data, projections: DomainProjections.all, clock: ManualClock(), options: .benchmarkData(noSync: noSync))
            try installVault(writer, directory: data)
            let seconds = try fillSynthetic(writer, count: events - Int(head.seq), seed: head.seq &+ 42, progress: true)
            if noSync { try writer.environment.sync() }
            report("generate_eps", Double(UInt64(events) - head.seq) / seconds)
            writer.close()
        }
        let store = try EventStore(path: data, projections: DomainProjections.all, clock: ManualClock(), options: .rebuildingNewProjections)
        head = try store.head()
        report("log_events", Double(head.seq))
        report("log_file_bytes", Double(store.environment.usedBytes))

        // Pick a stolen family and its user from the end of the log (worst case for a scan, best for the index).
        let target = try store.read { context -> (family: String, user: String)? in
            var seq = head.seq
            while seq > 0 {
                if let event = try context.event(seq), event.type == RefreshReuseDetected.type {
                    let e = try RefreshReuseDetected(event)
                    return (e.familyID, e.userID)
                }
                seq -= 1
            }
            return nil
        }
        guard let target else { throw ValidationError("no reuse in the generated log") }

        var start = monotonicSeconds()
        let investigation = try store.read { try FamilyInvestigation.run(familyID: target.family, in: $0) }
        report("investigate_family_ms", (monotonicSeconds() - start) * 1000, decimals: 2)
        print("investigate_verdict: \(investigation?.verdict ?? "-")")

        start = monotonicSeconds()
        let userEvents = try store.read { context -> Int in
            let scratch = ScratchProjections(DomainProjections.all)
            let seqs = try context.seqs(in: StreamRef(.user, target.user))
            for seq in seqs { if let event = try context.event(seq) { try scratch.apply(event) } }
            return seqs.count
        }
        report("state_user_ms", (monotonicSeconds() - start) * 1000, decimals: 2)
        report("state_user_events", Double(userEvents))

        start = monotonicSeconds()
        let firstLine = try store.read { context -> String in
            guard let seq = try context.seqs(in: StreamRef(.user, target.user)).first, let event = try context.event(seq) else { return "" }
            return EventJSON.render(event)
        }
        report("replay_user_first_line_ms", (monotonicSeconds() - start) * 1000, decimals: 2)
        _ = firstLine

        // Rebuild twice: as `authctl rebuild` does by default (write only the differences: none on an intact store),
        // and rewriting every table (what a first build or a badly damaged store costs).
        let modes: [(String, Rebuilder.WriteMode)] = [("rebuild", .differences)] + (skipRewrite ? [] : [("rebuild_rewrite", .rewrite)])
        for (prefix, mode) in modes {
            start = monotonicSeconds()
            let rebuilt = try Rebuilder.rebuild(store: store, mode: mode)
            let rebuildSeconds = monotonicSeconds() - start
            report("\(prefix)_eps", Double(rebuilt.events) / rebuildSeconds)
            report("\(prefix)_seconds", rebuildSeconds, decimals: 2)
            report("\(prefix)_cpu_seconds", rebuilt.cpuSeconds, decimals: 2)
            report("\(prefix)_prefault_mb", Double(rebuilt.prefaultedBytes) / Double(1 << 20))
            report("\(prefix)_prefault_at_fold_priority", rebuilt.prefaultAtFoldPriority ? 1 : 0)
            report("\(prefix)_fold_seconds", rebuilt.foldSeconds, decimals: 2)
            report("\(prefix)_verify_seconds", rebuilt.verifySeconds, decimals: 2)
            report("\(prefix)_sort_seconds", rebuilt.sortSeconds, decimals: 2)
            report("\(prefix)_write_seconds", rebuilt.writeSeconds, decimals: 2)
            for (step, seconds) in rebuilt.writeStepSeconds.sorted(by: { $0.key < $1.key }) {
                report("\(prefix)_write_\(step)_seconds", seconds, decimals: 2)
            }
            for (task, seconds) in rebuilt.taskSeconds.sorted(by: { $0.key < $1.key }) {
                report("\(prefix)_task_\(task)_cpu_seconds", seconds, decimals: 2)
            }
            report("\(prefix)_tables_differing", Double(rebuilt.differingTables.count))
            report("\(prefix)_tables_rewritten", Double(rebuilt.rewrittenTables.count))
            report("\(prefix)_entries_patched", Double(rebuilt.patchedEntries))
        }
        store.close()
    }
}
