@testable import EventLog
@testable import ProjectionRebuild
import Foundation
import LMDB
import TestSupport
import Synchronization
import Testing

@Suite("Rebuild internals: in-memory tables, index builder, write modes")
struct RebuildTests {
    /// A deterministic generator for the model tests.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    @Test("BytesMap behaves like a Dictionary under random puts, updates and deletes (growth, backward-shift deletion)")
    func bytesMapMatchesDictionary() {
        var generator = Generator(state: 7)
        let map = BytesMap()
        var model: [[UInt8]: [UInt8]] = [:]
        // A small key space, so that updates and deletes hit present keys often.
        let keys: [[UInt8]] = (0..<3_000).map { index in
            Array("k\(index)".utf8) + (index % 7 == 0 ? [] : [UInt8](repeating: UInt8(index % 251), count: index % 40))
        }
        for step in 0..<60_000 {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            switch generator.next() % 3 {
            case 0, 1:
                // Values of many lengths, some stored with room to grow: they grow in place or move.
                let value = [UInt8(step & 0xFF), UInt8(step >> 8 & 0xFF)] + [UInt8](repeating: 7, count: Int(generator.next() % 40))
                let extra = Int(generator.next() % 4) * 8
                let new = value.withUnsafeBytes { bytes in key.withUnsafeBytes { map.set($0, bytes, reserving: extra) } }
                #expect(new == (model[key] == nil))
                model[key] = value
            default:
                #expect(map.remove(key) == (model.removeValue(forKey: key) != nil))
            }
            if step % 5_000 == 0 {
                for probe in keys.prefix(200) { #expect(map[probe] == model[probe]) }
            }
        }
        #expect(map.count == model.count)
        for key in keys { #expect(map[key] == model[key]) }
        #expect(Set(map.keys) == Set(model.keys))
    }

    @Test("BytesMap: a record stored with room to grow takes a longer value in place; one without moves")
    func bytesMapReservesRoom() {
        let map = BytesMap()
        func set(_ key: String, _ count: Int, reserving extra: Int = 0) {
            let value = [UInt8](repeating: UInt8(count), count: count)
            _ = value.withUnsafeBytes { bytes in Array(key.utf8).withUnsafeBytes { map.set($0, bytes, reserving: extra) } }
        }
        set("roomy", 40, reserving: 32)
        set("tight", 40)
        let used = map.arenaBytesUsed
        set("roomy", 66)
        #expect(map.arenaBytesUsed == used)
        #expect(map[Array("roomy".utf8)] == [UInt8](repeating: 66, count: 66))
        set("tight", 66)
        #expect(map.arenaBytesUsed > used)
        #expect(map[Array("tight".utf8)] == [UInt8](repeating: 66, count: 66))
        #expect(map.count == 2)
    }

    #if os(Linux)
    @Test("the prefaulter commits every page of its blocks and changes no byte, while another thread writes them")
    func prefaulterFaultsInWithoutWriting() throws {
        let size = 24 << 20
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        // 4 KiB pages, so that residency is seen page by page.
        let blocks = [LargeMemory.allocate(size, hugePages: false), LargeMemory.allocate(size / 2, hugePages: false)]
        defer {
            LargeMemory.deallocate(blocks[0], size: size)
            LargeMemory.deallocate(blocks[1], size: size / 2)
        }
        func residentPages(_ block: UnsafeMutableRawPointer, _ length: Int) -> Int {
            var vector = [UInt8](repeating: 0, count: (length + pageSize - 1) / pageSize)
            #expect(mincore(block, length, &vector) == 0)
            return vector.filter { $0 & 1 != 0 }.count
        }
        #expect(residentPages(blocks[0], size) < 16)
        // The second block reports its fill (as a table during the fold): it is advised at most `Prefaulter.lead`
        // ahead of it, and to its end once the fill gets there.
        let fill = Prefaulter.FillMark()
        let prefaulter = Prefaulter(regions: [Prefaulter.Region(start: blocks[0], length: size, fill: nil),
                                              Prefaulter.Region(start: blocks[1], length: size / 2, fill: fill)])
        // Meanwhile this thread writes a byte into every 8th KiB, as a fold appending records would.
        for offset in stride(from: 0, to: size, by: 8 << 10) { blocks[0].storeBytes(of: UInt8(offset >> 13 & 0x7F | 1), toByteOffset: offset, as: UInt8.self) }
        fill.publish(size / 2)
        let advised = prefaulter.wait()
        #expect(advised == size + size / 2)
        #expect(residentPages(blocks[0], size) == size / pageSize)
        #expect(residentPages(blocks[1], size / 2) == size / 2 / pageSize)
        var damaged = 0
        for offset in 0..<size {
            let expected: UInt8 = offset % (8 << 10) == 0 ? UInt8(offset >> 13 & 0x7F | 1) : 0
            if blocks[0].load(fromByteOffset: offset, as: UInt8.self) != expected { damaged += 1 }
        }
        #expect(damaged == 0)
        #expect(UnsafeRawBufferPointer(start: blocks[1], count: size / 2).allSatisfy { $0 == 0 })
        // A block whose fill stays at 0 is advised no further than `Prefaulter.lead` ahead of it (the thread waits
        // for the fill instead), until stopped.
        let waiting = LargeMemory.allocate(size, hugePages: false)
        defer { LargeMemory.deallocate(waiting, size: size) }
        let held = Prefaulter(regions: [Prefaulter.Region(start: waiting, length: size, fill: Prefaulter.FillMark())])
        usleep(100_000)
        #expect(held.stop() <= Prefaulter.lead)
        #expect(residentPages(waiting, size) <= Prefaulter.lead / pageSize)
        // Stopped before it starts, it advises nothing more; stopping twice is harmless.
        let stopped = Prefaulter(regions: [])
        #expect(stopped.stop() == 0)
        #expect(stopped.stop() == 0)
    }
    #endif

    @Test("a fingerprint that reuses the hash of a shared key prefix equals the entry-by-entry one, and still tells entries apart")
    func prefixFingerprint() {
        var generator = Generator(state: 5)
        // Index-like keys in key order: streams of several lengths, runs of seqs, a few values and keys shorter
        // than the suffix.
        var entries: [([UInt8], [UInt8])] = []
        for stream in 0..<300 {
            let name = Array("s:\(String(repeating: "x", count: stream % 40))\(stream)".utf8) + [0]
            for _ in 0..<Int(generator.next() % 12) {
                let value: [UInt8] = generator.next() % 10 == 0 ? [1, 2, 3] : []
                entries.append((name + withUnsafeBytes(of: (generator.next() % 1_000_000).bigEndian) { Array($0) }, value))
            }
        }
        entries += [([1, 2, 3], []), ([], [])]
        entries.sort { $0.0.lexicographicallyPrecedes($1.0) }
        let key = TableFingerprint.Key.random()
        func fingerprints(_ entries: [([UInt8], [UInt8])]) -> (TableFingerprint, TableFingerprint) {
            var plain = TableFingerprint(), shared = TableFingerprint()
            var prefix = TableFingerprint.Prefix()
            for (entryKey, value) in entries {
                entryKey.withUnsafeBytes { k in
                    value.withUnsafeBytes { v in
                        plain.add(key: k, value: v, using: key)
                        shared.add(key: k, value: v, sharingAllBut: 8, prefix: &prefix, using: key)
                    }
                }
            }
            return (plain, shared)
        }
        let (plain, shared) = fingerprints(entries)
        #expect(plain.count == entries.count)
        #expect(shared == plain)
        // One seq changed (the same stream, so the prefix is reused): a different fingerprint.
        var changed = entries
        let victim = changed.firstIndex { $0.0.count > 20 }!
        changed[victim].0[changed[victim].0.count - 1] ^= 1
        #expect(fingerprints(changed).1 != plain)
    }

    @Test("held-back writes end as if applied in order: overwrites, full groups, a record too large for a group, then reads")
    func heldBackWrites() throws {
        var generator = Generator(state: 11)
        let tables = MemoryTables(names: ["t"])
        let table = tables.store("t")
        table.holdWrites()
        let projectionTable = ProjectionState(detached: tables).table(named: "t")
        var model: [[UInt8]: [UInt8]] = [:]
        // A small key space (many overwrites of one key before an apply) and values of many lengths: 40,000 writes
        // of about 1.5 KB (60 MB) fill each of the 256 groups of 128 KiB about twice.
        let keys: [[UInt8]] = (0..<2_000).map { Array("key-\($0)".utf8) }
        for step in 0..<40_000 {
            let key = keys[Int(generator.next() % UInt64(keys.count))]
            var value = withUnsafeBytes(of: UInt32(step)) { Array($0) }
            value += [UInt8](repeating: UInt8(step % 251), count: Int(generator.next() % 3_000))
            if step == 20_000 { value = [UInt8](repeating: 9, count: 200_000) }
            try projectionTable.put(key, value)
            model[key] = value
        }
        #expect(table.map.count == model.count)
        for key in keys { #expect(table.map[key] == model[key]) }
        // A read stops holding writes: later writes go straight to the map.
        _ = try projectionTable.get(keys[0])
        for step in 0..<500 {
            let key = keys[step]
            try projectionTable.put(key, [UInt8(step & 0xFF)])
            model[key] = [UInt8(step & 0xFF)]
            #expect(try projectionTable.get(key) == model[key])
        }
        for key in keys { #expect(table.map[key] == model[key]) }
    }

    @Test("a rebuild whose tables hold their writes back equals the live state, and still repairs a tampered row")
    func rebuildHoldingWrites() throws {
        let dir = try TemporaryDirectory("hold-writes")
        defer { dir.remove() }
        let store = try makeStore(dir, projections: [LastNoteProjection(), CounterProjection()])
        defer { store.close() }
        for index in 0..<3_000 {
            try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 211)", note: String(repeating: "n", count: index % 37))) }
        }
        let live = try Digest.live(store: store)
        let table = try #require(store.databases[LastNoteProjection().databaseName("by_user")])
        func rebuild() throws -> Rebuilder.Report {
            try Rebuilder.rebuild(
                environment: store.environment, tables: store.tables, projections: store.projections, databases: store.databases,
                progress: nil, holdWritesFrom: 0)
        }
        #expect(try rebuild().differingTables.isEmpty)
        try store.environment.write { txn in try txn.put(table, key: Array("u7".utf8), value: [0]) }
        let report = try rebuild()
        #expect(report.differingTables == [table.name])
        #expect(report.patchedEntries == 1)
        #expect(try Digest.live(store: store) == live)
    }

    @Test("BytesMap past the mapped-memory threshold: growth, compaction after deletes, sorted order")
    func bytesMapLarge() {
        let map = BytesMap()
        func key(_ index: Int) -> [UInt8] { withUnsafeBytes(of: (UInt64(index) &* 0x9E37_79B9).bigEndian) { Array($0) } + [UInt8](repeating: 7, count: 24) }
        for index in 0..<150_000 { map.set(key(index), [UInt8(index & 0xFF), UInt8(index >> 8 & 0xFF)]) }
        // Larger values move their records; deletes leave garbage; both are compacted away.
        for index in stride(from: 0, to: 150_000, by: 2) { map.remove(key(index)) }
        for index in stride(from: 1, to: 150_000, by: 4) { map.set(key(index), [UInt8](repeating: 1, count: 40)) }
        #expect(map.count == 75_000)
        for index in [0, 1, 2, 3, 5, 149_997, 149_999] {
            let expected: [UInt8]? = index % 2 == 0 ? nil : index % 4 == 1 ? [UInt8](repeating: 1, count: 40) : [UInt8(index & 0xFF), UInt8(index >> 8 & 0xFF)]
            #expect(map[key(index)] == expected)
        }
        var previous: [UInt8]?
        var seen = 0
        for record in map.sortedRecords() {
            let entry = [UInt8](map.entry(record).key)
            if let previous { #expect(ByteOrder.less(previous, entry)) }
            previous = entry
            seen += 1
        }
        #expect(seen == 75_000)
    }

    @Test("sorted order is LMDB's (bytewise, shorter first) and stable for equal keys")
    func sortedOrder() {
        var generator = Generator(state: 11)
        var keys: [[UInt8]] = [[], [0], [0, 0], [1], [0xFF], [1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 8, 0], [1, 2, 3, 4, 5, 6, 7]]
        for _ in 0..<2_000 {
            let count = Int(generator.next() % 20)
            keys.append((0..<count).map { _ in UInt8(generator.next() % 4) })
        }
        let order = ByteOrder.sortedOrder(keys)
        let expected = keys.indices.sorted { a, b in
            ByteOrder.less(keys[a], keys[b]) || (keys[a] == keys[b] && a < b)
        }
        #expect(order == expected)
    }

    @Test("the index builder yields exactly the keys of a sorted, de-duplicated key list (also with zero bytes in names)")
    func indexBuilderOrder() throws {
        for withZero in [false, true] {
            var generator = Generator(state: withZero ? 3 : 5)
            let builder = StreamIndexBuilder()
            var expected = Set<[UInt8]>()
            var names: [[UInt8]] = (0..<500).map { Array("user:u\($0)".utf8) }
            names.append(Array("user:u1".utf8) + [0x41])  // a name that extends another
            if withZero { names.append(Array("user:u1".utf8) + [0, 5]) }
            for seq in UInt64(1)...20_000 {
                var streams = [names[Int(generator.next() % UInt64(names.count))], names[Int(generator.next() % UInt64(names.count))]]
                if seq % 97 == 0 { streams.append(streams[0]) }  // the same stream twice in one event
                for stream in streams {
                    stream.withUnsafeBytes { builder.add(stream: $0, seq: seq) }
                    expected.insert(stream + [0] + EventCodec.seqKey(seq))
                }
            }
            var keys: [[UInt8]] = []
            try builder.forEachSortedKey { keys.append(Array($0)) }
            #expect(keys == expected.sorted(by: ByteOrder.less))
        }
    }

    @Test("payload readers find fields past the inline capacity")
    func manyPayloadFields() throws {
        var writer = PayloadWriter()
        for index in 0..<40 { writer.add("field_\(index)", Int64(index * 3)) }
        let reader = try PayloadReader(writer.bytes)
        for index in 0..<40 { #expect(try reader.int("field_\(index)") == Int64(index * 3)) }
        #expect(reader.keys.count == 40)
        #expect(!reader.has("field_40"))
    }

    @Test("the in-place field cursor finds fields in stored order, out of order and past the inline capacity, and refuses what the reader refuses")
    func payloadFieldCursor() throws {
        var writer = PayloadWriter()
        writer.add("family_id", "f-1")
        writer.add("parent_hash", bytes: [1, 2, 3])
        writer.add("grace", true)
        for index in 0..<20 { writer.add("field_\(index)", Int64(index * 3)) }
        let request = RequestInfo(requestID: "r-1", clientIP: "203.0.113.9", userAgent: "agent/1")
        let pending = PendingEvent(type: "test.cursor", version: 1, actor: .system, request: request, streams: [], payload: writer.bytes)
        let stored = [UInt8](repeating: 0, count: 32) + EventCodec.encode(pending, timestamp: Timestamp(microseconds: 1))
        let event = try RecordedEvent(seq: 1, stored: stored)
        let reader = try event.fields()
        let (results, errors) = try event.withFieldsInPlace { fields -> ([String], [EventDecodingError?]) in
            var results: [String] = []
            // In stored order, then backwards (each search wraps around), then one field twice in a row.
            results.append(String(decoding: try fields.text("family_id"), as: UTF8.self))
            results.append("\(Array(try fields.byteString("parent_hash")))")
            results.append("\(try fields.bool("grace"))")
            // The cursor takes literal keys (`StaticString`).
            let keys: [StaticString] = ["field_0", "field_1", "field_2", "field_3", "field_4", "field_5", "field_6", "field_7", "field_8", "field_9", "field_10", "field_11", "field_12", "field_13", "field_14", "field_15", "field_16", "field_17", "field_18", "field_19"]
            for index in (0..<20).reversed() { results.append("\(try fields.int(keys[index]))") }
            results.append("\(try fields.int("field_7")) \(try fields.int("field_7"))")
            var errors: [EventDecodingError?] = []
            func failure(_ read: (inout PayloadFieldCursor) throws(EventDecodingError) -> Void) -> EventDecodingError? {
                do throws(EventDecodingError) { try read(&fields) } catch { return error }
                return nil
            }
            errors.append(failure { (fields) throws(EventDecodingError) in _ = try fields.int("absent") })
            errors.append(failure { (fields) throws(EventDecodingError) in _ = try fields.int("family_id") })
            errors.append(failure { (fields) throws(EventDecodingError) in _ = try fields.text("grace") })
            // Still usable after the errors; the request's client fields come from the envelope.
            results.append("\(Array(try fields.byteString("parent_hash")))")
            let client = fields.requestClient
            results.append(client.clientIP.map { String(decoding: $0, as: UTF8.self) } ?? "-")
            results.append(client.userAgent.map { String(decoding: $0, as: UTF8.self) } ?? "-")
            return (results, errors)
        }
        let expected = ["f-1", "[1, 2, 3]", "true"] + (0..<20).reversed().map { "\($0 * 3)" } + ["21 21", "[1, 2, 3]", "203.0.113.9", "agent/1"]
        #expect(results == expected)
        #expect(try String(decoding: reader.textBytes("family_id"), as: UTF8.self) == results[0])
        #expect(errors == [.missingField("absent"), .wrongType("family_id"), .wrongType("grace")])
        // A map announcing one entry more than it holds: a field it lacks runs into the end of the bytes.
        let payloadStart = stored.count - writer.bytes.count
        var missing = stored
        missing[payloadStart] += 1
        var names = EventTypeNames()
        let broken = try RecordedEvent(seq: 1, buffer: missing, range: 0..<missing.count, names: &names)
        #expect(throws: EventDecodingError.self) { try broken.withFieldsInPlace { try $0.int("absent") } }
    }

    @Test("rebuild repairs tampered rows by writing only the differences, or rewrites everything; both equal the live state")
    func writeModes() throws {
        let dir = try TemporaryDirectory("modes")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for index in 0..<3_000 {
            try store.executeSync { context in
                _ = try context.emit(testEvent(user: "u\(index % 300)", note: "n\(index)"))
            }
        }
        let live = try Digest.live(store: store)
        let counter = try #require(store.databases[CounterProjection().databaseName("by_stream")])
        // Tamper: change one row, delete one, add a stray one.
        try store.environment.write { txn in
            try txn.put(counter, key: Array("user:u1".utf8), value: [9, 9])
            try txn.delete(counter, key: Array("user:u2".utf8))
            try txn.put(counter, key: Array("user:zz".utf8), value: [1])
        }
        #expect(try Digest.live(store: store) != live)
        let patched = try Rebuilder.rebuild(store: store)
        #expect(try Digest.live(store: store) == live)
        #expect(patched.patchedEntries == 3)
        #expect(!patched.rewrittenTables.contains(counter.name))
        let unchanged = try Rebuilder.rebuild(store: store)
        #expect(unchanged.patchedEntries == 0)
        let rewritten = try Rebuilder.rebuild(store: store, mode: .rewrite)
        #expect(rewritten.rewrittenTables.count == rewritten.entries.count)
        #expect(try Digest.live(store: store) == live)
        // A table that differs a lot is bulk-loaded rather than patched.
        try store.environment.write { txn in try txn.drop(counter) }
        try store.environment.write { txn in try txn.put(counter, key: [0], value: [0]) }
        let reloaded = try Rebuilder.rebuild(store: store)
        #expect(reloaded.rewrittenTables.contains(counter.name))
        #expect(try Digest.live(store: store) == live)
        let report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.ok)
    }

    @Test("a projection failing in the middle of a parallel fold stops the rebuild with its error, leaving the live state")
    func failingProjectionStopsRebuild() throws {
        struct Refusal: Error, Equatable { let seq: UInt64 }
        /// Counts like the counter, but refuses the event at `failAt` once `armed` (the live appends pass).
        final class Switch: @unchecked Sendable { var armed = false }
        struct FailingProjection: Projection {
            let name = "failing"
            let version = 1
            let tables = ["seen"]
            let failAt: UInt64
            let control: Switch
            func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
                if control.armed && event.seq == failAt { throw Refusal(seq: event.seq) }
                try state.table(self, "seen").put(EventCodec.seqKey(event.seq), [UInt8]())
            }
        }
        let dir = try TemporaryDirectory("failing-fold")
        defer { dir.remove() }
        let control = Switch()
        // Past several batches of the fold, so the failure comes while the reader and other consumers are running.
        let store = try makeStore(dir, projections: [CounterProjection(), FailingProjection(failAt: 9_000, control: control)])
        defer { store.close() }
        for chunk in 0..<12 {
            try store.executeSync { context in
                for index in 0..<1_000 { _ = try context.emit(testEvent(user: "u\((chunk * 1_000 + index) % 211)")) }
            }
        }
        let live = try Digest.live(store: store)
        control.armed = true
        #expect(throws: Refusal(seq: 9_000)) { try Rebuilder.rebuild(store: store) }
        #expect(throws: Refusal(seq: 9_000)) { try Rebuilder.rebuild(store: store, mode: .rewrite) }
        // With every table holding its writes back: the writes still held when the fold fails are dropped with the
        // state, and the error is reported.
        #expect(throws: Refusal(seq: 9_000)) {
            try Rebuilder.rebuild(
                environment: store.environment, tables: store.tables, projections: store.projections, databases: store.databases,
                progress: nil, holdWritesFrom: 0)
        }
        #expect(try Digest.live(store: store) == live)
        control.armed = false
        #expect(try Rebuilder.rebuild(store: store).patchedEntries == 0)
    }

    @Test("rebuild progress rises in order and ends at the total, though projections fold on threads of their own")
    func progressIsOrdered() throws {
        let dir = try TemporaryDirectory("progress")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for chunk in 0..<30 {
            try store.executeSync { context in
                for index in 0..<1_000 { _ = try context.emit(testEvent(user: "u\((chunk * 1_000 + index) % 97)")) }
            }
        }
        let seen = Mutex<[(UInt64, UInt64)]>([])
        _ = try Rebuilder.rebuild(store: store, progress: { done, total in seen.withLock { $0.append((done, total)) } })
        let updates = seen.withLock { $0 }
        #expect(updates.count >= 7)  // 30,000 events in batches of 4,096
        #expect(updates.allSatisfy { $0.1 == 30_000 })
        #expect(zip(updates, updates.dropFirst()).allSatisfy { $0.0 < $1.0 })
        #expect(updates.last?.0 == 30_000)
    }

    @Test("a version bump leaves the old tables; they are found, and dropped only when asked, with their checkpoint")
    func staleTablesAfterAVersionBump() throws {
        let dir = try TemporaryDirectory("stale")
        defer { dir.remove() }
        do {
            let store = try makeStore(dir, projections: [CounterProjection(name: "counter", version: 1)])
            for index in 0..<300 { try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 7)")) } }
            store.close()
        }
        let store = try makeStore(dir, projections: [CounterProjection(name: "counter", version: 2)])
        defer { store.close() }
        let projections = store.projections
        #expect(projections.contains { $0 is StreamIndex })
        let stale = try StaleTables.find(environment: store.environment, projections: projections)
        #expect(stale.databases.map(\.name) == ["p.counter.v1.by_stream"])
        #expect(stale.databases.first?.entries == 7)
        #expect(stale.checkpoints == ["checkpoint/p.counter.v1"])
        let live = try Digest.live(store: store)
        // Listing changes nothing; dropping removes exactly those, and the current state stays as it was.
        #expect(try StaleTables.find(environment: store.environment, projections: projections) == stale)
        try stale.drop(environment: store.environment)
        #expect(try StaleTables.find(environment: store.environment, projections: projections).isEmpty)
        #expect(!(try store.environment.databaseNames()).contains("p.counter.v1.by_stream"))
        #expect(try store.environment.databaseNames().contains("p.counter.v2.by_stream"))
        #expect(try Digest.live(store: store) == live)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
        for index in 0..<10 { try store.executeSync { context in _ = try context.emit(testEvent(user: "v\(index)")) } }
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }

    @Test("a rebuild folds events appended after its snapshot before it swaps")
    func catchUpInsideTheWrite() throws {
        let dir = try TemporaryDirectory("catchup-write")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for index in 0..<500 { try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 50)")) } }
        let (state, snapshot) = try Rebuilder.buildInMemory(
            environment: store.environment, tables: store.tables, projections: store.projections, progress: nil)
        #expect(snapshot.seq == 500)
        for index in 0..<100 { try store.executeSync { context in _ = try context.emit(testEvent(user: "late\(index % 7)")) } }
        try store.environment.write { txn in
            try state.fold(txn: txn, log: store.tables.log, last: try LogHead.read(txn, store.tables).seq, parallel: false, progress: nil)
        }
        #expect(state.through == 600)
        var keys: [[UInt8]] = []
        try state.forEachSortedEntry(StreamIndex().databaseName("by_stream")) { key, _ in keys.append(Array(key)) }
        #expect(keys.count == 600)
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.events == 600)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }

    @Test("a derived table is deferred while the log is folded, filled from its source after, kept by apply in the catch-up, and repaired")
    func derivedTable() throws {
        let dir = try TemporaryDirectory("derived")
        defer { dir.remove() }
        let projection = LastTypeProjection()
        let store = try makeStore(dir, projections: [projection])
        defer { store.close() }
        let types = ["a.created", "a.changed", "a.removed"]
        for index in 0..<3_000 {
            try store.executeSync { context in _ = try context.emit(testEvent(types[index % 7 % 3], user: "u\(index % 101)")) }
        }
        #expect(projection.counts.deferred.load(ordering: .relaxed) == 0)
        let live = try Digest.live(store: store)
        let byType = try #require(store.databases[projection.databaseName("by_type")])
        #expect(try store.environment.read { txn in try txn.count(byType) } == 101)

        // An intact store: the derived table equals the one `apply` kept, nothing is written.
        var report = try Rebuilder.rebuild(store: store)
        #expect(projection.counts.deferred.load(ordering: .relaxed) == 3_000)
        #expect(report.differingTables.isEmpty)
        #expect(report.entries[byType.name] == 101)
        #expect(try Digest.live(store: store) == live)

        // Events after the snapshot: folded with the table kept, their changes checked in the write.
        let (state, _) = try Rebuilder.buildInMemory(
            environment: store.environment, tables: store.tables, projections: store.projections, buildIndex: false, progress: nil)
        let keptBefore = projection.counts.kept.load(ordering: .relaxed)
        for index in 0..<40 { try store.executeSync { context in _ = try context.emit(testEvent("b.late", user: "u\(index)")) } }
        let afterLate = try Digest.live(store: store)
        try store.environment.write { txn in
            state.trackChanges()
            try state.fold(txn: txn, log: store.tables.log, last: try LogHead.read(txn, store.tables).seq, parallel: false, progress: nil)
            #expect(try Rebuilder.checkChanges(txn: txn, db: byType, name: byType.name, state: state)?.written == 0)
        }
        // 40 by the live writer, 40 by the catch-up.
        #expect(projection.counts.kept.load(ordering: .relaxed) == keptBefore + 80)
        #expect(try Digest.live(store: store) == afterLate)

        // A damaged derived table: the rebuild finds it by fingerprint and writes the derived entries back.
        try store.environment.write { txn in
            _ = try txn.delete(byType, key: LastTypeProjection.typeKey(type: "b.late".utf8, stream: "user:u7".utf8))
            try txn.put(byType, key: LastTypeProjection.typeKey(type: "z.bogus".utf8, stream: "user:u7".utf8), value: [])
        }
        report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables == [byType.name])
        #expect(report.patchedEntries == 2)
        #expect(try Digest.live(store: store) == afterLate)
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
    }

    @Test(
        "batched events (copied into a reused buffer, or in place) equal the events decoded alone, also those kept past later batches",
        arguments: [false, true])
    func batchBuffersAreSharedSafely(inPlace: Bool) throws {
        let dir = try TemporaryDirectory("batch-buffers")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        // More than two batches of 4,096, with payloads of varied sizes.
        let total = 9_000
        try store.executeSync { context in
            for index in 0..<total {
                _ = try context.emit(testEvent(user: "u\(index % 97)", note: String(repeating: "n", count: index % 300)))
            }
        }
        try store.environment.read { txn in
            let reader = try BatchReader(txn: txn, log: store.tables.log, first: 1, last: UInt64(total), batchSize: 4096, bufferPool: 2, inPlace: inPlace)
            defer { reader.close() }
            var names = EventTypeNames()
            // Every event is kept while later batches are read into the pooled buffers: a kept event must keep its
            // bytes (the pool then allocates afresh instead of overwriting them).
            var kept: [RecordedEvent] = []
            while true {
                let before = kept.count
                try reader.next(names: &names) { event, _ in kept.append(event) }
                if kept.count == before { break }
            }
            #expect(kept.count == total)
            for event in kept {
                let alone = try EventCodec.decode(seq: event.seq, stored: try #require(try txn.get(store.tables.log, key: EventCodec.seqKey(event.seq))))
                #expect(event == alone)
                #expect(event.stored == alone.stored && event.hash == alone.hash && Array(event.eventBytes) == Array(alone.eventBytes))
                #expect(event.type == alone.type && event.payload == alone.payload && event.streams == alone.streams)
                #expect(event.request == alone.request && event.actor == alone.actor)
                #expect(try event.fields().string("note") == alone.fields().string("note"))
                // The in-place readers read the kept batch storage through its own allocation.
                var inPlace: [String] = []
                event.forEachStreamInPlace { inPlace.append(String(decoding: $0, as: UTF8.self)) }
                #expect(inPlace == alone.streams.map(\.description))
                let note = try event.withFieldsInPlace { fields in
                    _ = try fields.text("user_id")
                    return String(decoding: try fields.text("note"), as: UTF8.self)
                }
                #expect(try note == alone.fields().string("note"))
            }
        }
    }

    @Test("a batch's storage is reused once its events are gone, and kept (not overwritten) while one of them lives")
    func batchStorageReuse() throws {
        let dir = try TemporaryDirectory("batch-storage")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        let total = 64
        try store.executeSync { context in
            for index in 0..<total { _ = try context.emit(testEvent(user: "u\(index)", note: String(repeating: "x", count: index))) }
        }
        try store.environment.read { txn in
            let reader = try BatchReader(txn: txn, log: store.tables.log, first: 1, last: UInt64(total), batchSize: 8, bufferPool: 1)
            defer { reader.close() }
            var names = EventTypeNames()
            var held: RecordedEvent?
            var storages: Set<ObjectIdentifier> = []
            for batch in 0..<(total / 8) {
                var events: [RecordedEvent] = []
                try reader.next(names: &names) { event, _ in events.append(event) }
                #expect(events.count == 8)
                #expect(Set(events.map(\.storageIdentity)).count == 1)
                storages.insert(events[0].storageIdentity)
                if batch == 2 { held = events[3] }
            }
            // Batches 0–2 share one storage (each reused once the previous batch's events were gone); batch 2's then
            // stays with `held`, so batch 3 gets a fresh one, which batches 4–7 reuse.
            #expect(storages.count == 2)
            let kept = try #require(held)
            let alone = try EventCodec.decode(seq: kept.seq, stored: try #require(try txn.get(store.tables.log, key: EventCodec.seqKey(kept.seq))))
            #expect(kept == alone && kept.seq == 20)
        }
    }

    @Test("every actor kind is accepted, in a batch too, and an unknown kind or a stream without a colon is refused")
    func envelopeChecks() throws {
        for kind in Actor.Kind.allCases {
            let pending = PendingEvent(
                type: "test.kind", version: 1, actor: Actor(kind: kind, id: "a-1"), request: .none, streams: [StreamRef("user:u1")!],
                payload: testEvent().payload)
            let stored = [UInt8](repeating: 0, count: 32) + EventCodec.encode(pending, timestamp: Timestamp(microseconds: 1))
            #expect(try RecordedEvent(seq: 1, stored: stored).actor == Actor(kind: kind, id: "a-1"))
            var names = EventTypeNames()
            #expect(try RecordedEvent(seq: 1, buffer: stored, range: 0..<stored.count, names: &names).actor.kind == kind)
            // The same bytes with the kind or the stream's colon changed.
            for (from, to) in [(Array(kind.rawValue.utf8), Array(kind.rawValue.uppercased().utf8)), (Array("user:u1".utf8), Array("user_u1".utf8))] {
                let start = try #require((0...(stored.count - from.count)).first { Array(stored[$0..<($0 + from.count)]) == from })
                var broken = stored
                broken.replaceSubrange(start..<(start + from.count), with: to)
                #expect(throws: EventDecodingError.self) { try RecordedEvent(seq: 1, stored: broken) }
                #expect(throws: EventDecodingError.self) { try RecordedEvent(seq: 1, buffer: broken, range: 0..<broken.count, names: &names) }
            }
        }
    }

    @Test("a payload that is not one well-formed map is refused by whoever reads it, though batches do not walk it")
    func malformedPayloadIsRefusedByItsReader() throws {
        let good = EventCodec.encode(testEvent(), timestamp: Timestamp(microseconds: 1))
        // The payload map announces one more entry than it holds; then, a well-formed map with a byte after it.
        let payloadStart = good.count - testEvent().payload.count
        var missing = good
        missing[payloadStart] += 1
        let trailing = good + [0x00]
        for broken in [missing, trailing] {
            let stored = [UInt8](repeating: 0, count: 32) + broken
            #expect(throws: EventDecodingError.self) { try RecordedEvent(seq: 1, stored: stored) }
            var names = EventTypeNames()
            let padded = [0xAA] + stored + [0xBB]
            let batched = try RecordedEvent(seq: 1, buffer: padded, range: 1..<(padded.count - 1), names: &names)
            #expect(batched.type == "test.happened")
            #expect(throws: EventDecodingError.self) { try batched.fields() }
        }
    }

    @Test("fingerprints ignore order and see any changed, added or removed entry")
    func fingerprints() {
        let key = TableFingerprint.Key.random()
        func print(_ entries: [([UInt8], [UInt8])]) -> TableFingerprint {
            var fingerprint = TableFingerprint()
            for (k, v) in entries {
                k.withUnsafeBytes { k in v.withUnsafeBytes { v in fingerprint.add(key: k, value: v, using: key) } }
            }
            return fingerprint
        }
        let entries: [([UInt8], [UInt8])] = (0..<100).map { ([UInt8]("k\($0)".utf8), [UInt8($0)]) }
        #expect(print(entries) == print(entries.reversed()))
        var changed = entries
        changed[3].1 = [99]
        #expect(print(changed) != print(entries))
        #expect(print(Array(entries.dropLast())) != print(entries))
        // The key length is hashed: moving a byte from the key to the value changes the fingerprint.
        #expect(print([([1, 2], [3])]) != print([([1], [2, 3])]))
    }

    @Test("an index entry removed from the live table is found by its fingerprint and restored")
    func indexRepair() throws {
        let dir = try TemporaryDirectory("index-repair")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for index in 0..<2_000 { try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 97)")) } }
        let live = try Digest.live(store: store)
        let index = try #require(store.databases[StreamIndex().databaseName("by_stream")])
        try store.environment.write { txn in _ = try txn.delete(index, key: StreamIndex.key(StreamRef(.user, "u5"), seq: 6)) }
        let report = try Rebuilder.rebuild(store: store)
        #expect(report.differingTables == [index.name])
        #expect(report.patchedEntries == 1)
        #expect(try Digest.live(store: store) == live)
    }

    @Test("after a matching snapshot, the keys changed by the catch-up are checked and repaired in the write")
    func catchUpChecks() throws {
        let dir = try TemporaryDirectory("catchup-check")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for index in 0..<1_000 { try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 50)")) } }
        let state = RebuildState(projections: store.projections, buildIndex: false)
        let names = Rebuilder.tableNames(store.projections)
        let matched = try store.environment.readPair { a, b in
            // As a rebuild does: the live tables are fingerprinted on their own thread while the log is folded.
            let scan = Rebuilder.LiveFingerprints(
                names: names, databases: store.databases, txn: b, key: state.fingerprintKey, indexTable: state.indexTable)
            defer { scan.wait() }
            try state.fold(txn: a, log: store.tables.log, last: try LogHead.read(a, store.tables).seq, parallel: true, progress: nil)
            return try Rebuilder.verify(state: state, names: names, live: try scan.result())
        }
        #expect(matched == Set(names))
        for index in 0..<30 { try store.executeSync { context in _ = try context.emit(testEvent(user: "late\(index % 4)")) } }
        let counter = try #require(store.databases[CounterProjection().databaseName("by_stream")])
        let indexDB = try #require(store.databases[StreamIndex().databaseName("by_stream")])
        let live = try Digest.live(store: store)
        try store.environment.write { txn in
            state.trackChanges()
            try state.fold(txn: txn, log: store.tables.log, last: try LogHead.read(txn, store.tables).seq, parallel: false, progress: nil)
            // As the writer left them: nothing to write.
            #expect(try Rebuilder.checkChanges(txn: txn, db: counter, name: counter.name, state: state)?.written == 0)
            #expect(try Rebuilder.checkChanges(txn: txn, db: indexDB, name: indexDB.name, state: state)?.written == 0)
            // A key the catch-up changed, damaged: rewritten. An index entry it added, lost: restored.
            try txn.put(counter, key: Array("user:late1".utf8), value: [0, 0])
            _ = try txn.delete(indexDB, key: StreamIndex.key(StreamRef(.user, "late2"), seq: 1_003))
            #expect(try Rebuilder.checkChanges(txn: txn, db: counter, name: counter.name, state: state)?.written == 1)
            #expect(try Rebuilder.checkChanges(txn: txn, db: indexDB, name: indexDB.name, state: state)?.written == 1)
            // An extra row the catch-up did not touch shows in the count: the table must be compared in full.
            try txn.put(counter, key: Array("user:zz".utf8), value: [1])
            #expect(try Rebuilder.checkChanges(txn: txn, db: counter, name: counter.name, state: state) == nil)
            try txn.delete(counter, key: Array("user:zz".utf8))
        }
        #expect(try Digest.live(store: store) == live)
    }

    @Test("verify names the first index entry that differs: missing, extra")
    func verifyIndexDivergence() throws {
        let dir = try TemporaryDirectory("verify-index")
        defer { dir.remove() }
        let store = try makeStore(dir)
        defer { store.close() }
        for index in 0..<300 { try store.executeSync { context in _ = try context.emit(testEvent(user: "u\(index % 13)")) } }
        #expect(try LogVerifier.verify(environment: store.environment, projections: store.projections).ok)
        let indexDB = try #require(store.databases[StreamIndex().databaseName("by_stream")])
        let missing = StreamIndex.key(StreamRef(.user, "u3"), seq: 4)
        try store.environment.write { txn in _ = try txn.delete(indexDB, key: missing) }
        var report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.divergence?.table == indexDB.name)
        #expect(report.divergence?.key == missing)
        #expect(report.divergence?.reason == "absent live, present when rebuilt")
        let extra = StreamIndex.key(StreamRef(.user, "u3"), seq: 5)
        try store.environment.write { txn in
            try txn.put(indexDB, key: missing, value: [])
            try txn.put(indexDB, key: extra, value: [])
        }
        report = try LogVerifier.verify(environment: store.environment, projections: store.projections)
        #expect(report.divergence?.key == extra)
        #expect(report.divergence?.reason == "present live, absent when rebuilt")
    }
}
