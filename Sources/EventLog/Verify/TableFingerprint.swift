/// An order-independent fingerprint of a table's entries: their number and two sums (mod 2^64) of a keyed 128-bit
/// SipHash-2-4 of each entry (`key length || key || value`).
///
/// Two tables with equal fingerprints hold the same entries unless the sums collide, which for tables chosen
/// without knowing the key (drawn at random for each rebuild) happens with probability about 2^-128. That lets a
/// rebuild check a live table against its rebuilt state by streaming both once, in any order, without sorting
/// the rebuilt state or writing anything; only a table whose fingerprint differs is compared entry by entry and
/// repaired.
struct TableFingerprint: Equatable, Sendable {
    /// Entries added.
    private(set) var count = 0
    private var sum0: UInt64 = 0
    private var sum1: UInt64 = 0

    /// The SipHash key, drawn from the system's secure random source.
    struct Key: Sendable {
        let k0: UInt64
        let k1: UInt64

        static func random() -> Key {
            var generator = SystemRandomNumberGenerator()
            return Key(k0: generator.next(), k1: generator.next())
        }
    }

    /// Adds one entry.
    @inline(__always)
    mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, using hashKey: Key) {
        var hasher = SipHash128(hashKey)
        var length = UInt32(truncatingIfNeeded: key.count).littleEndian
        withUnsafeBytes(of: &length) { hasher.combine($0) }
        hasher.combine(key)
        hasher.combine(value)
        let (h0, h1) = hasher.finalize()
        count += 1
        sum0 &+= h0
        sum1 &+= h1
    }

    /// Adds every entry of `other` (fingerprints of disjoint parts of a table).
    mutating func merge(_ other: TableFingerprint) {
        count += other.count
        sum0 &+= other.sum0
        sum1 &+= other.sum1
    }
}

/// SipHash-2-4 with a 128-bit output (Aumasson and Bernstein), streaming.
struct SipHash128 {
    private var v0: UInt64
    private var v1: UInt64
    private var v2: UInt64
    private var v3: UInt64
    /// Bytes not yet absorbed (fewer than 8), little-endian, and their number.
    private var tail: UInt64 = 0
    private var tailCount = 0
    private var length = 0

    init(_ key: TableFingerprint.Key) {
        v0 = key.k0 ^ 0x736F_6D65_7073_6575
        v1 = key.k1 ^ 0x646F_7261_6E64_6F6D ^ 0xEE
        v2 = key.k0 ^ 0x6C79_6765_6E65_7261
        v3 = key.k1 ^ 0x7465_6462_7974_6573
    }

    @inline(__always)
    private mutating func round() {
        v0 &+= v1
        v1 = v1.rotateLeft(13)
        v1 ^= v0
        v0 = v0.rotateLeft(32)
        v2 &+= v3
        v3 = v3.rotateLeft(16)
        v3 ^= v2
        v0 &+= v3
        v3 = v3.rotateLeft(21)
        v3 ^= v0
        v2 &+= v1
        v1 = v1.rotateLeft(17)
        v1 ^= v2
        v2 = v2.rotateLeft(32)
    }

    @inline(__always)
    private mutating func absorb(_ block: UInt64) {
        v3 ^= block
        round()
        round()
        v0 ^= block
    }

    @inline(__always)
    mutating func combine(_ bytes: UnsafeRawBufferPointer) {
        length += bytes.count
        var index = 0
        // Fill the pending block first.
        while tailCount > 0 && tailCount < 8 && index < bytes.count {
            tail |= UInt64(bytes[index]) << UInt64(8 * tailCount)
            tailCount += 1
            index += 1
        }
        if tailCount == 8 {
            absorb(tail)
            tail = 0
            tailCount = 0
        }
        while index + 8 <= bytes.count {
            absorb(UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self)))
            index += 8
        }
        while index < bytes.count {
            tail |= UInt64(bytes[index]) << UInt64(8 * tailCount)
            tailCount += 1
            index += 1
        }
    }

    @inline(__always)
    mutating func finalize() -> (UInt64, UInt64) {
        let last = UInt64(truncatingIfNeeded: length) << 56 | tail
        absorb(last)
        v2 ^= 0xEE
        for _ in 0..<4 { round() }
        let first = v0 ^ v1 ^ v2 ^ v3
        v1 ^= 0xDD
        for _ in 0..<4 { round() }
        return (first, v0 ^ v1 ^ v2 ^ v3)
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotateLeft(_ count: UInt64) -> UInt64 { self << count | self >> (64 - count) }
}
