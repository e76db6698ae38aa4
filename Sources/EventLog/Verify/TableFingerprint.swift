/// An order-independent fingerprint of a table's entries: their number and two sums (mod 2^64) of two keyed 64-bit
/// hashes of each entry (`key length || key || value`), computed with the standard library's `Hasher` (SipHash-1-3,
/// randomly seeded per process) after a random 64-bit key each. No hash function is implemented here.
///
/// Two tables with equal fingerprints hold the same entries unless the sums collide, which for tables chosen
/// without knowing the keys (drawn at random for each rebuild) is negligible. This only decides which tables a rebuild
/// compares entry by entry; `authctl verify` compares SHA-256 digests (``Digest``). That lets a
/// rebuild check a live table against its rebuilt state by streaming both once, in any order, without sorting
/// the rebuilt state or writing anything; only a table whose fingerprint differs is compared entry by entry and
/// repaired.
struct TableFingerprint: Equatable, Sendable {
    /// Entries added.
    private(set) var count = 0
    private var sum0: UInt64 = 0
    private var sum1: UInt64 = 0

    /// The two hash keys, drawn from the system's secure random source.
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
        @inline(__always)
        func hash(_ seed: UInt64) -> UInt64 {
            var hasher = Hasher()
            hasher.combine(seed)
            hasher.combine(key.count)
            hasher.combine(bytes: key)
            hasher.combine(bytes: value)
            return UInt64(bitPattern: Int64(hasher.finalize()))
        }
        count += 1
        sum0 &+= hash(hashKey.k0)
        sum1 &+= hash(hashKey.k1)
    }

    /// Adds every entry of `other` (fingerprints of disjoint parts of a table).
    mutating func merge(_ other: TableFingerprint) {
        count += other.count
        sum0 &+= other.sum0
        sum1 &+= other.sum1
    }
}
