#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import EventLog

/// An order-independent fingerprint of a table's entries: their number and the sum (mod 2^64) of a keyed 64-bit hash
/// of each entry (`key length || key || value`), computed with the standard library's `Hasher` (SipHash-1-3,
/// randomly seeded per process) after a random 64-bit key. No hash function is implemented here.
///
/// Two tables with equal fingerprints hold the same entries unless the sums collide: for a table that differs, the
/// sums differ by the hashes of the differing entries, which cancel with probability about 2^-64 when the keys are
/// drawn at random for each rebuild (one hash per entry is enough; a second only doubled the cost of the index
/// and of the live-table check). This only decides which tables a rebuild compares entry by entry; `authctl verify`
/// compares SHA-256 digests (``Digest``). That lets a rebuild check a live table against its rebuilt state by
/// streaming both once, in any order, without sorting the rebuilt state or writing anything; only a table whose
/// fingerprint differs is compared entry by entry and repaired.
struct TableFingerprint: Equatable, Sendable {
    /// Entries added.
    private(set) var count = 0
    private var sum: UInt64 = 0

    /// The hash key, drawn from the system's secure random source.
    struct Key: Sendable {
        let k0: UInt64
        /// A `Hasher` that has been given `k0`: each entry's hash starts from a copy of it, which costs less than a
        /// fresh `Hasher()` and a `combine` per entry (same state, so the same hashes).
        let seeded: Hasher

        init(k0: UInt64) {
            self.k0 = k0
            var hasher = Hasher()
            hasher.combine(k0)
            seeded = hasher
        }

        static func random() -> Key {
            var generator = SystemRandomNumberGenerator()
            return Key(k0: generator.next())
        }
    }

    /// The hash state after the shared prefix of consecutive keys (``add(key:value:sharingAllBut:prefix:using:)``).
    struct Prefix {
        fileprivate var bytes: [UInt8] = []
        fileprivate var keyCount = -1
        fileprivate var hasher = Hasher()
    }

    /// Adds one entry like ``add(key:value:using:)``, for keys met in key order that share all but their last
    /// `suffixLength` bytes (the index: `stream ‖ 0 ‖ seq`, ten or so entries per stream): the hash state after the
    /// prefix is kept in `prefix` and reused while the next keys share it, so each stream is hashed once. The same
    /// hash per entry: `Hasher` hashes the bytes it is given as one stream, however they are split.
    @inline(__always)
    mutating func add(
        key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, sharingAllBut suffixLength: Int, prefix: inout Prefix,
        using hashKey: Key
    ) {
        guard key.count > suffixLength else { return add(key: key, value: value, using: hashKey) }
        let shared = UnsafeRawBufferPointer(rebasing: key[0..<(key.count - suffixLength)])
        let same = prefix.keyCount == key.count
            && prefix.bytes.withUnsafeBytes { $0.count == shared.count && memcmp($0.baseAddress!, shared.baseAddress!, shared.count) == 0 }
        if !same {
            var hasher = hashKey.seeded
            hasher.combine(key.count)
            hasher.combine(bytes: shared)
            prefix.bytes.removeAll(keepingCapacity: true)
            prefix.bytes.append(contentsOf: shared)
            prefix.keyCount = key.count
            prefix.hasher = hasher
        }
        var hasher = prefix.hasher
        hasher.combine(bytes: UnsafeRawBufferPointer(rebasing: key[(key.count - suffixLength)...]))
        add(hasher, value: value)
    }

    /// Adds one entry.
    @inline(__always)
    mutating func add(key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, using hashKey: Key) {
        var hasher = hashKey.seeded
        hasher.combine(key.count)
        hasher.combine(bytes: key)
        add(hasher, value: value)
    }

    /// Adds the entry whose key length and key `hasher` has been given, with `value`.
    @inline(__always)
    private mutating func add(_ hasher: Hasher, value: UnsafeRawBufferPointer) {
        var hasher = hasher
        // Index entries have no value (a call that adds no bytes: skipping it gives the same hash).
        if value.count > 0 { hasher.combine(bytes: value) }
        count += 1
        sum &+= UInt64(bitPattern: Int64(hasher.finalize()))
    }
}
