import LMDB

/// Brings projections whose checkpoint is behind the head up to date (new projections, new versions).
package enum ProjectionCatchUp {
    /// Builds projections that start from nothing from the whole log and sets their checkpoints (the rebuild
    /// engine's bulk build: `EventStore.Options.bulkBuild`).
    package typealias BulkBuild = @Sendable (
        _ environment: Environment, _ tables: LogTables, _ projections: [any Projection], _ databases: [String: Database]
    ) throws -> Void

    static func run(
        environment: Environment, tables: LogTables, projections: [any Projection], databases: [String: Database], bulkBuild: BulkBuild?
    ) throws {
        let (head, behind) = try environment.read { txn -> (LogHead, [(any Projection, UInt64)]) in
            let head = try LogHead.read(txn, tables)
            var behind: [(any Projection, UInt64)] = []
            for projection in projections {
                let checkpoint = try txn.get(tables.meta, key: projection.checkpointKey).flatMap(EventCodec.seq(fromKey:)) ?? 0
                if checkpoint < head.seq { behind.append((projection, checkpoint)) }
            }
            return (head, behind)
        }
        guard !behind.isEmpty, head.seq > 0 else { return }
        // Projections that start from nothing are bulk-built when a builder is given; the others (all without one)
        // are folded forward in place, in one write transaction.
        var partial = behind
        if let bulkBuild {
            let fresh = behind.filter { $0.1 == 0 }.map(\.0)
            if !fresh.isEmpty { try bulkBuild(environment, tables, fresh, databases) }
            partial = behind.filter { $0.1 > 0 }
        }
        guard !partial.isEmpty else { return }
        try environment.write { txn in
            let head = try LogHead.read(txn, tables)
            let state = ProjectionState(.live(txn, databases))
            let from = partial.map(\.1).min()! + 1
            try txn.forEach(tables.log, from: EventCodec.seqKey(from)) { key, value in
                guard let seq = EventCodec.seq(fromKey: key), seq <= head.seq else { return false }
                let event = try EventCodec.decode(seq: seq, stored: value)
                for (projection, checkpoint) in partial where seq > checkpoint { try projection.apply(event, to: state) }
                return true
            }
            let checkpoint = EventCodec.seqKey(head.seq)
            for (projection, _) in partial { try txn.put(tables.meta, key: projection.checkpointKey, value: checkpoint) }
        }
    }
}
