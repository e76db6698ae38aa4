/// Pointer access to byte arrays for C calls; internal, so no pointer reaches the public API.
extension Array where Element == UInt8 {
    /// Calls `body` with a non-NULL pointer to the bytes and their count. An empty array gets a pointer to a
    /// one-byte scratch buffer and a count of 0, because some OpenSSL and libargon2 calls treat NULL specially
    /// (HMAC reuses the previous key on a NULL key, for one).
    func withNonNullBytes<R>(_ body: (UnsafeRawPointer, Int) -> R) -> R {
        if isEmpty {
            return [UInt8(0)].withUnsafeBytes { body($0.baseAddress!, 0) }
        }
        return withUnsafeBytes { body($0.baseAddress!, $0.count) }
    }

    /// Like `withNonNullBytes`, typed as `UInt8` for the C APIs that take `const unsigned char *`.
    func withNonNullUInt8s<R>(_ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
        withNonNullBytes { raw, count in body(raw.assumingMemoryBound(to: UInt8.self), count) }
    }
}
