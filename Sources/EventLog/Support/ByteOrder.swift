#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// LMDB's default key order (memcmp, then shorter first), computed with memcmp.
enum ByteOrder {
    @inline(__always)
    static func less(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        let common = min(a.count, b.count)
        if common > 0 {
            let result = a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in memcmp(pa.baseAddress!, pb.baseAddress!, common) }
            }
            if result != 0 { return result < 0 }
        }
        return a.count < b.count
    }
}

/// A byte-string dictionary key hashed in one call (an `[UInt8]` key would feed the hasher byte by byte).
struct BytesKey: Hashable {
    let bytes: [UInt8]

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func hash(into hasher: inout Hasher) {
        bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func == (lhs: BytesKey, rhs: BytesKey) -> Bool { lhs.bytes == rhs.bytes }
}
