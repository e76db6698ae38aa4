#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LMDB's default key order (memcmp, then shorter first), computed with memcmp.
package enum ByteOrder {
    @inline(__always)
    package static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, common) }
            }
            if result != 0 { return result < 0 }
        }
        return a.count < b.count
    }

    /// LMDB's order of two byte strings in place: negative, zero or positive.
    @inline(__always)
    package static func compare(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = memcmp(a.baseAddress!, b.baseAddress!, common)
            if result != 0 { return Int(result) }
        }
        return a.count - b.count
    }

    /// The permutation that sorts `keys` in LMDB's order; equal keys keep their relative order.
    ///
    /// Sorts (8-byte big-endian prefix, index) pairs and breaks prefix ties with `memcmp` over one contiguous copy
    /// of the keys, so comparisons neither retain arrays nor chase pointers.
    package static func sortedOrder(_ keys: [[UInt8]]) -> [Int] {
        var arena: [UInt8] = []
        arena.reserveCapacity(keys.reduce(0) { $0 + $1.count })
        var starts: [Int] = []
        starts.reserveCapacity(keys.count + 1)
        var items: [SortItem] = []
        items.reserveCapacity(keys.count)
        for (index, key) in keys.enumerated() {
            starts.append(arena.count)
            arena.append(contentsOf: key)
            items.append(SortItem(prefix: prefix(key), index: index))
        }
        starts.append(arena.count)
        arena.withUnsafeBytes { arena in
            starts.withUnsafeBufferPointer { starts in
                items.withUnsafeMutableBufferPointer { items in
                    items.sort { x, y in
                        if x.prefix != y.prefix { return x.prefix < y.prefix }
                        let xs = starts[x.index], xl = starts[x.index + 1] - xs
                        let ys = starts[y.index], yl = starts[y.index + 1] - ys
                        let common = min(xl, yl)
                        if common > 8 {
                            let result = memcmp(arena.baseAddress! + xs + 8, arena.baseAddress! + ys + 8, common - 8)
                            if result != 0 { return result < 0 }
                        }
                        if xl != yl { return xl < yl }
                        return x.index < y.index
                    }
                }
            }
        }
        return items.map(\.index)
    }

    /// The first 8 bytes of `key` as a big-endian integer (zero-padded): comparing prefixes orders keys that differ
    /// in their first 8 bytes.
    @inline(__always)
    package static func prefix(_ key: [UInt8]) -> UInt64 {
        var value: UInt64 = 0
        let count = min(8, key.count)
        for index in 0..<count { value |= UInt64(key[index]) << UInt64(56 - 8 * index) }
        return value
    }

    private struct SortItem {
        var prefix: UInt64
        var index: Int
    }
}
