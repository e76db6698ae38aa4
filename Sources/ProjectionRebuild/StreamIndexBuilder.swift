#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog

/// The ``StreamIndex`` of a log, built in memory by a rebuild.
///
/// The index has about 2.5 entries per event (`kind:id || 0x00 || seq`). Instead of one key per entry, this keeps
/// each distinct stream name once (an arena and an open-addressing table) and the (stream, seq) pairs in log order.
/// Writing out sorts only the distinct names and groups the pairs by stream with a counting sort: the seqs of a
/// stream are already in log order, so the entries come out in key order without comparing them.
/// `@unchecked Sendable`: owned by the index thread of one rebuild; other threads touch it only after that thread has been joined.
final class StreamIndexBuilder: @unchecked Sendable {
    /// Stream names, back to back.
    private var names: [UInt8] = []
    /// Start of each stream's name in `names`; one more element than there are streams.
    private var nameStarts: [Int] = [0]
    /// Open addressing, linear probing. A slot holds the upper 32 bits of the name's hash and the stream number + 1
    /// (0: empty), so that a probe reads the name only when the hashes agree.
    private var slots: [UInt64] = Array(repeating: 0, count: 1 << 12)
    private var streams = 0
    /// The entries in log order: stream number and seq.
    private var pairStreams: [Int32] = []
    private var pairSeqs: [UInt64] = []
    /// Whether a stream name contains a zero byte (then `name || 0` can be a prefix of another name, and the entries
    /// are sorted as whole keys instead).
    private var hasZeroByte = false

    /// Distinct streams so far.
    var streamCount: Int { streams }
    /// Entries added so far (before removing exact duplicates).
    var entryCount: Int { pairSeqs.count }

    /// Makes room for about `entries` entries.
    func reserve(entries: Int) {
        pairStreams.reserveCapacity(entries)
        pairSeqs.reserveCapacity(entries)
    }

    /// Adds every stream of `event`.
    @inline(__always)
    func add(_ event: RecordedEvent) {
        let seq = event.seq
        event.forEachStreamInPlace { add(stream: $0, seq: seq) }
    }

    /// Adds the entry `stream || 0 || seq`. Seqs must be added in ascending order.
    func add(stream: UnsafeRawBufferPointer, seq: UInt64) {
        // Seeded SipHash (Swift's `Hasher`): stream names include client-chosen bytes (credential ids).
        let hash = BytesMap.hash(stream)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        let number: Int = slots.withUnsafeBufferPointer { slots in
            names.withUnsafeBufferPointer { names in
                nameStarts.withUnsafeBufferPointer { starts in
                    while true {
                        let found = slots[slot]
                        if found == 0 { return -1 }
                        if found & 0xFFFF_FFFF_0000_0000 == tag {
                            let index = Int(found & 0xFFFF_FFFF) - 1
                            let start = starts[index]
                            let length = starts[index + 1] - start
                            if length == stream.count
                                && (length == 0 || memcmp(names.baseAddress! + start, stream.baseAddress!, length) == 0)
                            {
                                return index
                            }
                        }
                        slot = (slot + 1) & mask
                    }
                }
            }
        }
        if number >= 0 {
            pairStreams.append(Int32(number))
        } else {
            let index = streams
            streams += 1
            names.append(contentsOf: stream)
            nameStarts.append(names.count)
            if !hasZeroByte && stream.contains(0) { hasZeroByte = true }
            slots[slot] = tag | UInt64(index + 1)
            pairStreams.append(Int32(index))
            if streams * 2 > slots.count { grow() }
        }
        pairSeqs.append(seq)
    }

    private func grow() {
        var larger = [UInt64](repeating: 0, count: slots.count * 2)
        let mask = larger.count - 1
        for index in 0..<streams {
            let hash = names.withUnsafeBytes { BytesMap.hash(UnsafeRawBufferPointer(rebasing: $0[nameStarts[index]..<nameStarts[index + 1]])) }
            var slot = Int(truncatingIfNeeded: hash) & mask
            while larger[slot] != 0 { slot = (slot + 1) & mask }
            larger[slot] = hash & 0xFFFF_FFFF_0000_0000 | UInt64(index + 1)
        }
        slots = larger
    }

    /// The entries grouped by stream in key order, as of `entries` added pairs.
    private var prepared: (entries: Int, order: [Int], starts: [Int], seqs: [UInt64])?

    /// Sorts the stream names and groups the entries by stream (done again only if entries were added since).
    func prepare() {
        guard !hasZeroByte, prepared?.entries != pairSeqs.count else { return }
        let order = sortedStreams()
        var rank = [Int32](repeating: 0, count: streams)
        for (position, stream) in order.enumerated() { rank[stream] = Int32(position) }
        // Counting sort of the pairs by rank; stable, so each stream's seqs stay in log order.
        var starts = [Int](repeating: 0, count: streams + 1)
        for stream in pairStreams { starts[Int(rank[Int(stream)]) + 1] += 1 }
        for index in 0..<streams { starts[index + 1] += starts[index] }
        var fill = starts
        var seqs = [UInt64](repeating: 0, count: pairSeqs.count)
        for (stream, seq) in zip(pairStreams, pairSeqs) {
            let position = Int(rank[Int(stream)])
            seqs[fill[position]] = seq
            fill[position] += 1
        }
        prepared = (pairSeqs.count, order, starts, seqs)
    }

    /// Calls `body` with every index key, in key order, exact duplicates (an event naming a stream twice) once.
    /// The buffer is valid only during the call.
    func forEachSortedKey(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        if hasZeroByte {
            try forEachSortedKeyByComparison(body)
            return
        }
        prepare()
        let (_, order, starts, seqs) = prepared!
        var key = [UInt8](repeating: 0, count: 256)
        for (position, stream) in order.enumerated() {
            let nameStart = nameStarts[stream]
            let length = nameStarts[stream + 1] - nameStart
            if key.count < length + 9 { key = [UInt8](repeating: 0, count: length + 9) }
            try key.withUnsafeMutableBytes { key in
                names.withUnsafeBytes { names in
                    key.baseAddress!.copyMemory(from: names.baseAddress! + nameStart, byteCount: length)
                }
                key[length] = 0
                var previous: UInt64?
                for index in starts[position]..<starts[position + 1] {
                    let seq = seqs[index]
                    if seq == previous { continue }
                    previous = seq
                    key.storeBytes(of: seq.bigEndian, toByteOffset: length + 1, as: UInt64.self)
                    try body(UnsafeRawBufferPointer(rebasing: key[0..<(length + 9)]))
                }
            }
        }
    }

    /// Stream numbers sorted by name (bytewise, shorter first).
    private func sortedStreams() -> [Int] {
        var order = Array(0..<streams)
        names.withUnsafeBytes { names in
            nameStarts.withUnsafeBufferPointer { starts in
                order.withUnsafeMutableBufferPointer { order in
                    order.sort { a, b in
                        let aStart = starts[a], aLength = starts[a + 1] - aStart
                        let bStart = starts[b], bLength = starts[b + 1] - bStart
                        let common = min(aLength, bLength)
                        if common > 0 {
                            let result = memcmp(names.baseAddress! + aStart, names.baseAddress! + bStart, common)
                            if result != 0 { return result < 0 }
                        }
                        return aLength < bLength
                    }
                }
            }
        }
        return order
    }

    /// The general path: whole keys, sorted by comparison.
    private func forEachSortedKeyByComparison(_ body: (UnsafeRawBufferPointer) throws -> Void) throws {
        var keys: [[UInt8]] = []
        keys.reserveCapacity(pairSeqs.count)
        for (stream, seq) in zip(pairStreams, pairSeqs) {
            let start = nameStarts[Int(stream)]
            var key = Array(names[start..<nameStarts[Int(stream) + 1]])
            key.append(0)
            key.append(contentsOf: EventCodec.seqKey(seq))
            keys.append(key)
        }
        let order = ByteOrder.sortedOrder(keys)
        for (position, index) in order.enumerated() {
            if position > 0, keys[order[position - 1]] == keys[index] { continue }
            try keys[index].withUnsafeBytes { try body($0) }
        }
    }
}
