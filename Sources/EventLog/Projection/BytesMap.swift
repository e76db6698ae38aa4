/// A hash map from byte strings to byte strings: the in-memory tables of rebuilds.
///
/// `Dictionary<[UInt8], [UInt8]>` keeps no hashes, so every occupied bucket on a probe path dereferences a key
/// array (a cache miss in a table of a million keys). Here a slot holds the upper 32 bits of the key's hash next to
/// the entry number, so a probe touches a key only when the hashes agree; entries live in dense arrays (cheap to
/// iterate and sort). Hashing is Swift's seeded `Hasher`: keys include client-chosen bytes (emails, credential ids).
struct BytesMap {
    /// Open addressing, linear probing: hash tag (upper 32 bits) | entry number + 1; 0 is empty.
    private var slots: [UInt64] = Array(repeating: 0, count: 16)
    /// The entries, in no particular order.
    private(set) var keys: [[UInt8]] = []
    private(set) var values: [[UInt8]] = []
    private var hashes: [UInt64] = []

    /// Number of entries.
    var count: Int { keys.count }

    private static let tagMask: UInt64 = 0xFFFF_FFFF_0000_0000

    @inline(__always)
    private static func hash(_ key: [UInt8]) -> UInt64 {
        var hasher = Hasher()
        key.withUnsafeBytes { hasher.combine(bytes: $0) }
        return UInt64(UInt(bitPattern: hasher.finalize()))
    }

    /// The slot holding `key` (entry number) or the empty slot where it would go (nil).
    @inline(__always)
    private func find(_ key: [UInt8], hash: UInt64) -> (slot: Int, entry: Int?) {
        let tag = hash & Self.tagMask
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            while true {
                let found = slots[slot]
                if found == 0 { return (slot, nil) }
                if found & Self.tagMask == tag {
                    let entry = Int(found & 0xFFFF_FFFF) - 1
                    if keys[entry] == key { return (slot, entry) }
                }
                slot = (slot + 1) & mask
            }
        }
    }

    /// The value under `key`.
    subscript(key: [UInt8]) -> [UInt8]? {
        guard let entry = find(key, hash: Self.hash(key)).entry else { return nil }
        return values[entry]
    }

    /// Stores `value` under `key`.
    mutating func set(_ key: [UInt8], _ value: [UInt8]) {
        let hash = Self.hash(key)
        let (slot, entry) = find(key, hash: hash)
        if let entry {
            values[entry] = value
            return
        }
        slots[slot] = hash & Self.tagMask | UInt64(keys.count + 1)
        keys.append(key)
        values.append(value)
        hashes.append(hash)
        if keys.count * 2 > slots.count { grow() }
    }

    /// Removes `key`; returns whether it was present.
    @discardableResult
    mutating func remove(_ key: [UInt8]) -> Bool {
        let (slot, found) = find(key, hash: Self.hash(key))
        guard let entry = found else { return false }
        removeSlot(slot)
        // Move the last entry into the hole and repoint its slot.
        let last = keys.count - 1
        if entry != last {
            let movedSlot = slotOf(entry: last)
            keys.swapAt(entry, last)
            values.swapAt(entry, last)
            hashes.swapAt(entry, last)
            slots[movedSlot] = slots[movedSlot] & Self.tagMask | UInt64(entry + 1)
        }
        keys.removeLast()
        values.removeLast()
        hashes.removeLast()
        return true
    }

    /// The slot pointing at `entry`.
    private func slotOf(entry: Int) -> Int {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while Int(slots[slot] & 0xFFFF_FFFF) != entry + 1 { slot = (slot + 1) & mask }
        return slot
    }

    /// Empties `slot` and shifts later entries of its probe run back (deletion without tombstones).
    private mutating func removeSlot(_ slot: Int) {
        let mask = slots.count - 1
        var hole = slot
        var next = (slot + 1) & mask
        while slots[next] != 0 {
            let ideal = Int(truncatingIfNeeded: hashes[Int(slots[next] & 0xFFFF_FFFF) - 1]) & mask
            // Move `next` into the hole unless its ideal slot lies cyclically in (hole, next].
            let distanceToNext = (next - ideal) & mask
            let distanceToHole = (hole - ideal) & mask
            if distanceToHole < distanceToNext {
                slots[hole] = slots[next]
                hole = next
            }
            next = (next + 1) & mask
        }
        slots[hole] = 0
    }

    private mutating func grow() {
        var larger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = larger.count - 1
        for (entry, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while larger[slot] != 0 { slot = (slot + 1) & mask }
            larger[slot] = hash & Self.tagMask | UInt64(entry + 1)
        }
        slots = larger
    }
}
