import EventLog

/// Writes to an in-memory table that a rebuild holds back and applies in batches, grouped by the top byte of the
/// key's hash (write-behind).
///
/// A table of millions of entries that a projection only writes while the log is folded (the refresh tokens: every
/// write a blind `put`) costs a cache miss or two per write when writes are applied as they come, each landing at
/// a random place in the slot table and the arena. Held back here (appended, in order, to one of 256 buffers) and
/// applied one group at a time, the writes of a group touch one 256th of the slot table (``BytesMap`` places a key
/// by its hash's top bits) and the group's records, which fit in cache. Writes to one key fall in one group and
/// keep their order, so the table ends as if each write had been applied when it was made.
///
/// The buffers are one block, allocated once and reused after each apply (no fresh pages per batch). A rebuild holds
/// writes back only for tables large enough for the misses to matter (``RebuildState/reserve(txn:databases:)``).
final class PendingWrites {
    /// Bytes per group; the writes are applied when one group is full.
    private static let groupCapacity = 128 << 10
    private static let groups = 256
    /// Record header: hash (8), key length (4), value length (4), room (4).
    private static let headerSize = 20

    /// A record's size, rounded up to 8 bytes (so that every header is aligned).
    @inline(__always)
    private static func recordSize(keyLength: Int, valueLength: Int) -> Int { (headerSize + keyLength + valueLength + 7) & ~7 }

    /// Group `g` holds records `hash ‖ key length ‖ value length ‖ room ‖ key ‖ value` from `g * groupCapacity`
    /// (allocated by ``start()``).
    private var block: UnsafeMutableRawPointer?
    private var used: UnsafeMutablePointer<Int>?
    private var held = 0
    /// Keeps this object's written fields off the cache lines of objects other threads write.
    private let padding = CacheLinePadding()

    /// No buffers yet: a table that never holds writes back costs nothing here.
    init() {}

    /// A table dropped with writes still held (a fold that failed) drops them with it.
    deinit { free() }

    /// Allocates the buffers (once).
    func start() {
        guard block == nil else { return }
        // 4 KiB pages: each group touches only the pages it fills.
        block = LargeMemory.allocate(Self.groups * Self.groupCapacity, hugePages: false)
        let used = UnsafeMutablePointer<Int>.allocate(capacity: Self.groups)
        used.initialize(repeating: 0, count: Self.groups)
        self.used = used
    }

    /// Frees the buffers; nothing may be held.
    func stop() {
        precondition(held == 0, "held-back writes dropped")
        free()
    }

    private func free() {
        if let block { LargeMemory.deallocate(block, size: Self.groups * Self.groupCapacity) }
        used?.deallocate()
        block = nil
        used = nil
    }

    /// Holds back `map.set(key, value, reserving: extra)` (applying the writes held so far first when its group
    /// is full; a record too large for a group is applied at once, after them).
    @inline(__always)
    func set(_ key: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer, reserving extra: Int, in map: BytesMap) {
        let block = block!, used = used!  // set only between start() and stop()
        let hash = BytesMap.hash(key)
        let size = Self.recordSize(keyLength: key.count, valueLength: value.count)
        guard size <= Self.groupCapacity else {
            apply(to: map)
            map.set(key, value, hash: hash, reserving: extra)
            return
        }
        let group = Int(truncatingIfNeeded: hash >> 56)
        if used[group] + size > Self.groupCapacity { apply(to: map) }
        let record = block + group * Self.groupCapacity + used[group]
        record.storeBytes(of: hash, as: UInt64.self)
        record.storeBytes(of: UInt32(key.count), toByteOffset: 8, as: UInt32.self)
        record.storeBytes(of: UInt32(value.count), toByteOffset: 12, as: UInt32.self)
        record.storeBytes(of: UInt32(extra), toByteOffset: 16, as: UInt32.self)
        if key.count > 0 { (record + Self.headerSize).copyMemory(from: key.baseAddress!, byteCount: key.count) }
        if value.count > 0 { (record + Self.headerSize + key.count).copyMemory(from: value.baseAddress!, byteCount: value.count) }
        used[group] += size
        held += 1
    }

    /// Applies every held write to `map`, group by group, in the order each group got them.
    func apply(to map: BytesMap) {
        guard held > 0, let block, let used else { return }
        for group in 0..<Self.groups {
            let start = block + group * Self.groupCapacity
            var position = 0
            while position < used[group] {
                let record = start + position
                let hash = record.load(as: UInt64.self)
                let keyLength = Int(record.load(fromByteOffset: 8, as: UInt32.self))
                let valueLength = Int(record.load(fromByteOffset: 12, as: UInt32.self))
                let extra = Int(record.load(fromByteOffset: 16, as: UInt32.self))
                map.set(
                    UnsafeRawBufferPointer(start: record + Self.headerSize, count: keyLength),
                    UnsafeRawBufferPointer(start: record + Self.headerSize + keyLength, count: valueLength), hash: hash, reserving: extra)
                position += Self.recordSize(keyLength: keyLength, valueLength: valueLength)
            }
            used[group] = 0
        }
        held = 0
    }
}
