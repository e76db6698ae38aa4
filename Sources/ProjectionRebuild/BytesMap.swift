import CPrefetch
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog

/// A hash map from byte strings to byte strings: the in-memory tables of rebuilds, which hold up to millions of
/// entries and are read and written at random once per event.
///
/// At that size every pointer followed is a cache miss, so the layout minimises them. Each entry is one record in an
/// arena (header, key bytes, value bytes), and a slot of the open-addressing table holds a tag from the key's hash
/// next to the record's offset: a lookup reads one slot and one record (the key and the value in the same cache
/// lines), where `Dictionary<[UInt8], [UInt8]>` reads a bucket, a key array and a value array, and dereferences a
/// key array for every occupied bucket on the probe path. Values are updated in place when they fit, so an update
/// frees nothing; records that move or are deleted leave garbage, compacted when it outweighs the live records.
/// Iterating or sorting walks the arena and hands out the bytes in place.
///
/// Hashing is Swift's seeded `Hasher`: keys include client-chosen bytes (emails, credential ids).
final class BytesMap {
    /// Open addressing, linear probing. A slot is `tag << 40 | (offset / 8 + 1)`, the tag being the hash's low 24
    /// bits; 0 is empty. A key's first slot is given by the hash's top bits (``home(_:)``), so that keys whose
    /// hashes share their top bits share a region of the slot table (see ``PendingWrites``).
    private var slots: UnsafeMutablePointer<UInt64>
    private var slotCount: Int
    /// `64 - log2(slotCount)`.
    private var slotShift: Int
    private var arena: UnsafeMutableRawPointer
    private var arenaCapacity: Int
    private var arenaUsed = 0
    /// The arena bytes the last ``reserve(entries:bytes:)`` expects the map to fill (see ``blocksToPrefault``).
    private var expectedArenaBytes = 0
    private var garbage = 0
    /// Live entries.
    private(set) var count = 0
    /// How far the arena is filled, for a ``Prefaulter`` (published each time the fill crosses a step).
    let arenaFill = Prefaulter.FillMark()
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()
    /// Bytes of the arena in use (live records and garbage).
    var arenaBytesUsed: Int { arenaUsed }

    // Record header: hash (8 bytes), key length (4), value length (4), value capacity (4), live flag (4).
    private static let headerSize = 24
    private static let offsetMask: UInt64 = (1 << 40) - 1

    init() {
        slotCount = 16
        slotShift = 64 - 4
        slots = Self.allocateSlots(slotCount)
        arenaCapacity = 1 << 12
        arena = LargeMemory.allocate(arenaCapacity)
    }

    deinit {
        LargeMemory.deallocate(UnsafeMutableRawPointer(slots), size: slotCount * 8)
        LargeMemory.deallocate(arena, size: arenaCapacity)
    }

    private static func allocateSlots(_ count: Int) -> UnsafeMutablePointer<UInt64> {
        let size = count * 8
        let slots = LargeMemory.allocate(size).bindMemory(to: UInt64.self, capacity: count)
        // Blocks from `mmap` are zeroed already; writing zeros would fault every page in now, on the thread that
        // sizes the table before the fold, instead of when the fold first touches it.
        if size < LargeMemory.threshold { slots.initialize(repeating: 0, count: count) }
        return slots
    }

    /// A fresh `Hasher`, made once: copying it gives the same state as `Hasher()` (the seed is fixed per process)
    /// without the initialiser's call, which cost a third of hashing a short key.
    private static let freshHasher = Hasher()

    /// The hash of a key (seeded per process).
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        var hasher = freshHasher
        hasher.combine(bytes: key)
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    @inline(__always)
    private static func recordSize(keyLength: Int, valueCapacity: Int) -> Int {
        (headerSize + keyLength + valueCapacity + 7) & ~7
    }

    // MARK: Record access

    @inline(__always)
    private func header(_ offset: Int) -> (hash: UInt64, keyLength: Int, valueLength: Int, valueCapacity: Int, live: Bool) {
        let base = arena + offset
        return (
            base.load(as: UInt64.self), Int(base.load(fromByteOffset: 8, as: UInt32.self)),
            Int(base.load(fromByteOffset: 12, as: UInt32.self)), Int(base.load(fromByteOffset: 16, as: UInt32.self)),
            base.load(fromByteOffset: 20, as: UInt32.self) != 0
        )
    }

    @inline(__always)
    private func key(at offset: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: arena + offset + Self.headerSize, count: Int((arena + offset).load(fromByteOffset: 8, as: UInt32.self)))
    }

    @inline(__always)
    private func value(at offset: Int) -> UnsafeRawBufferPointer {
        let keyLength = Int((arena + offset).load(fromByteOffset: 8, as: UInt32.self))
        let valueLength = Int((arena + offset).load(fromByteOffset: 12, as: UInt32.self))
        return UnsafeRawBufferPointer(start: arena + offset + Self.headerSize + keyLength, count: valueLength)
    }

    @inline(__always)
    private static func slotOffset(_ slot: UInt64) -> Int { Int((slot & offsetMask) - 1) * 8 }

    @inline(__always)
    private static func slot(tag hash: UInt64, offset: Int) -> UInt64 { (hash & 0xFF_FFFF) << 40 | UInt64(offset / 8 + 1) }

    /// The first slot to probe for a key with `hash`.
    @inline(__always)
    private func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> UInt64(slotShift)) }

    /// The slot holding `key` and its record's offset, or the empty slot where it would go.
    @inline(__always)
    private func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> (slot: Int, offset: Int?) {
        let tag = hash & 0xFF_FFFF
        let mask = slotCount - 1
        var slot = home(hash)
        while true {
            let found = slots[slot]
            if found == 0 { return (slot, nil) }
            if found >> 40 == tag {
                let offset = Self.slotOffset(found)
                let base = arena + offset
                if base.load(as: UInt64.self) == hash, Int(base.load(fromByteOffset: 8, as: UInt32.self)) == key.count,
                    key.count == 0 || memcmp(base + Self.headerSize, key.baseAddress!, key.count) == 0
                {
                    return (slot, offset)
                }
            }
            slot = (slot + 1) & mask
        }
    }

    /// Appends a live record with room for a value of `value.count + extra` bytes (and whatever the 8-byte rounding
    /// adds), and returns its offset.
    private func appendRecord(hash: UInt64, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, extra: Int) -> Int {
        let size = Self.recordSize(keyLength: key.count, valueCapacity: value.count + extra)
        reserveArena(size)
        let offset = arenaUsed
        let base = arena + offset
        base.storeBytes(of: hash, as: UInt64.self)
        base.storeBytes(of: UInt32(key.count), toByteOffset: 8, as: UInt32.self)
        base.storeBytes(of: UInt32(value.count), toByteOffset: 12, as: UInt32.self)
        base.storeBytes(of: UInt32(size - Self.headerSize - key.count), toByteOffset: 16, as: UInt32.self)
        base.storeBytes(of: UInt32(1), toByteOffset: 20, as: UInt32.self)
        if key.count > 0 { (base + Self.headerSize).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if value.count > 0 { (base + Self.headerSize + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        arenaUsed += size
        if (arenaUsed ^ offset) >= Prefaulter.step { arenaFill.publish(arenaUsed) }
        return offset
    }

    private func reserveArena(_ size: Int) {
        guard arenaUsed + size > arenaCapacity else { return }
        var capacity = arenaCapacity
        while arenaUsed + size > capacity { capacity *= 2 }
        arena = LargeMemory.reallocate(arena, from: arenaCapacity, to: capacity)
        arenaCapacity = capacity
    }

    private func kill(_ offset: Int) {
        let (_, keyLength, _, valueCapacity, _) = header(offset)
        (arena + offset).storeBytes(of: UInt32(0), toByteOffset: 20, as: UInt32.self)
        garbage += Self.recordSize(keyLength: keyLength, valueCapacity: valueCapacity)
    }

    /// Makes room for about `entries` entries taking `bytes` bytes, so that the map does not grow (copy and rehash)
    /// while it fills. Only touched memory is committed: overestimating costs address space, not memory.
    ///
    /// The arena gets twice that room: records are appended, and deleted and moved ones stay until a compaction, so
    /// a fold may write more than the bytes the table ends with (a rebuild's refresh families: 156 MB written for
    /// 111 MB live, once revocations have moved records). Growing would copy the arena into fresh memory, whose
    /// pages the folding thread would then fault in while the rest of the rebuild waits for it.
    func reserve(entries: Int, bytes: Int) {
        var slots = slotCount
        while slots < entries * 2 { slots *= 2 }
        if slots > slotCount { rehash(slotCount: slots) }
        expectedArenaBytes = bytes + entries * (Self.headerSize + 8)
        let arenaBytes = 2 * expectedArenaBytes
        if arenaBytes > arenaCapacity {
            arena = LargeMemory.reallocate(arena, from: arenaCapacity, to: arenaBytes)
            arenaCapacity = arenaBytes
        }
    }

    /// The blocks worth faulting in ahead of a fold (``Prefaulter``): the slot table, which a fold writes all over
    /// from the start, and the arena up to the bytes ``reserve(entries:bytes:)`` expects (its caller adds a margin
    /// of a quarter), which a fold fills from the front (``arenaFill``). Blocks from `malloc` (small) are left out.
    var blocksToPrefault: [Prefaulter.Region] {
        var blocks: [Prefaulter.Region] = []
        if slotCount * 8 >= LargeMemory.threshold {
            blocks.append(Prefaulter.Region(start: UnsafeMutableRawPointer(slots), length: slotCount * 8, fill: nil))
        }
        if arenaCapacity >= LargeMemory.threshold {
            blocks.append(Prefaulter.Region(start: arena, length: min(expectedArenaBytes, arenaCapacity), fill: arenaFill))
        }
        return blocks
    }

    // MARK: Map operations

    /// The value under `key`.
    subscript(key: [UInt8]) -> [UInt8]? {
        key.withUnsafeBytes { key in self.value(key).map { [UInt8](UnsafeRawBufferPointer($0)) } }
    }

    /// Starts loading the slot where a lookup of `key` begins (a hint: nothing is read or changed), so that a
    /// lookup made after some other work finds it in the cache.
    @inline(__always)
    func prefetch(_ key: UnsafeRawBufferPointer) {
        cprefetch_read(UnsafeRawPointer(slots + home(Self.hash(key))))
    }

    /// The value under `key`, in place and writable (its length is fixed); valid until the map next changes.
    @inline(__always)
    func value(_ key: UnsafeRawBufferPointer) -> UnsafeMutableRawBufferPointer? {
        guard let offset = find(key, hash: Self.hash(key)).offset else { return nil }
        return UnsafeMutableRawBufferPointer(mutating: value(at: offset))
    }

    /// Stores `value` under `key`.
    @discardableResult
    func set(_ key: [UInt8], _ value: [UInt8]) -> Bool {
        key.withUnsafeBytes { key in value.withUnsafeBytes { value in set(key, value) } }
    }

    /// Stores `value` under `key`; a new record leaves room for the value to grow by `extra` bytes in place. Returns
    /// whether the key was new.
    @discardableResult
    func set(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int = 0) -> Bool {
        set(key, value, hash: Self.hash(key), reserving: extra)
    }

    /// ``set(_:_:reserving:)`` with the key's ``hash(_:)`` computed beforehand.
    @discardableResult
    func set(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, hash: UInt64, reserving extra: Int) -> Bool {
        let (slot, found) = find(key, hash: hash)
        if let offset = found {
            let (_, keyLength, _, valueCapacity, _) = header(offset)
            if value.count <= valueCapacity {
                let base = arena + offset
                base.storeBytes(of: UInt32(value.count), toByteOffset: 12, as: UInt32.self)
                if value.count > 0 { (base + Self.headerSize + keyLength).copyMemory(from: value.baseAddress!, byteCount: value.count) }
                return false
            }
            kill(offset)
            slots[slot] = Self.slot(tag: hash, offset: appendRecord(hash: hash, key: key, value: value, extra: extra))
            compactIfWasteful()
            return false
        }
        slots[slot] = Self.slot(tag: hash, offset: appendRecord(hash: hash, key: key, value: value, extra: extra))
        count += 1
        if count * 2 > slotCount { rehash(slotCount: slotCount * 2) }
        return true
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    func remove(_ key: [UInt8]) -> Bool {
        key.withUnsafeBytes { key in remove(key) }
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    func remove(_ key: UnsafeRawBufferPointer) -> Bool {
        let (slot, found) = find(key, hash: Self.hash(key))
        guard let offset = found else { return false }
        kill(offset)
        removeSlot(slot)
        count -= 1
        compactIfWasteful()
        return true
    }

    /// Empties `slot` and shifts later slots of its probe run back (deletion without tombstones).
    private func removeSlot(_ slot: Int) {
        let mask = slotCount - 1
        var hole = slot
        var next = (slot + 1) & mask
        while slots[next] != 0 {
            let ideal = home(header(Self.slotOffset(slots[next])).hash)
            // Move `next` into the hole unless its ideal slot lies cyclically in (hole, next].
            if (hole - ideal) & mask < (next - ideal) & mask {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    /// Rebuilds the slot table from the live records.
    private func rehash(slotCount newCount: Int) {
        if newCount == slotCount {
            slots.update(repeating: 0, count: slotCount)
        } else {
            LargeMemory.deallocate(UnsafeMutableRawPointer(slots), size: slotCount * 8)
            slotCount = newCount
            slotShift = 64 - newCount.trailingZeroBitCount
            slots = Self.allocateSlots(newCount)
        }
        let mask = newCount - 1
        forEachRecord { offset in
            let hash = header(offset).hash
            var slot = home(hash)
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Self.slot(tag: hash, offset: offset)
        }
    }

    /// Slides the live records down over the garbage once it outweighs them, in place: the arena's pages are
    /// already faulted in, so reusing them costs no fresh zeroed pages (a fresh arena would, on every compaction).
    private func compactIfWasteful() {
        guard garbage > 1 << 20, garbage * 2 > arenaUsed else { return }
        var used = 0
        var offset = 0
        while offset < arenaUsed {
            let (_, keyLength, _, valueCapacity, live) = header(offset)
            let size = Self.recordSize(keyLength: keyLength, valueCapacity: valueCapacity)
            if live {
                // Records only move down, in arena order, so a move never overwrites a record not yet moved.
                if used != offset { memmove(arena + used, arena + offset, size) }
                used += size
            }
            offset += size
        }
        arenaUsed = used
        garbage = 0
        rehash(slotCount: slotCount)
    }

    /// Calls `body` with the offset of every live record, in arena order.
    @inline(__always)
    private func forEachRecord(_ body: (Int) throws -> Void) rethrows {
        var offset = 0
        while offset < arenaUsed {
            let (_, keyLength, _, valueCapacity, live) = header(offset)
            if live { try body(offset) }
            offset += Self.recordSize(keyLength: keyLength, valueCapacity: valueCapacity)
        }
    }

    // MARK: Reading everything

    /// Calls `body` with every entry (in no particular order), in place.
    func forEach(_ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Void) rethrows {
        try forEachRecord { offset in try body(key(at: offset), value(at: offset)) }
    }

    /// Every key, copied.
    var keys: [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        forEach { key, _ in out.append([UInt8](key)) }
        return out
    }

    /// Every value, copied, in the order of ``keys``.
    var values: [[UInt8]] {
        var out: [[UInt8]] = []
        out.reserveCapacity(count)
        forEach { _, value in out.append([UInt8](value)) }
        return out
    }

    /// The entries sorted by key (LMDB's order), as record handles for ``entry(_:)``. Valid until the next change.
    func sortedRecords() -> [Int] {
        var items: [(prefix: UInt64, offset: Int)] = []
        items.reserveCapacity(count)
        forEachRecord { offset in
            let key = key(at: offset)
            var prefix: UInt64 = 0
            for index in 0..<min(8, key.count) { prefix |= UInt64(key[index]) << UInt64(56 - 8 * index) }
            items.append((prefix, offset))
        }
        items.withUnsafeMutableBufferPointer { items in
            items.sort { x, y in
                if x.prefix != y.prefix { return x.prefix < y.prefix }
                let a = key(at: x.offset), b = key(at: y.offset)
                let common = min(a.count, b.count)
                if common > 8 {
                    let result = memcmp(a.baseAddress! + 8, b.baseAddress! + 8, common - 8)
                    if result != 0 { return result < 0 }
                }
                return a.count < b.count
            }
        }
        return items.map(\.offset)
    }

    /// The key and value of a record handle from ``sortedRecords()``, in place.
    @inline(__always)
    func entry(_ record: Int) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        (key(at: record), value(at: record))
    }
}
