import COpenSSL

/// SHA-256 (OpenSSL EVP), one-shot and incremental.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer

    /// The digest size in bytes.
    public static let byteCount = 32

    /// Starts an incremental hash (with the implementation fetched once, like ``hash(_:)``: the log's chain hash
    /// starts one per appended event).
    public init() {
        context = EVP_MD_CTX_new()
        EVP_DigestInit_ex(context, Self.fetched ?? EVP_sha256(), nil)
    }

    deinit { EVP_MD_CTX_free(context) }

    /// Feeds bytes into the hash.
    public mutating func update(_ bytes: [UInt8]) {
        update(bytes[...])
    }

    /// Feeds a slice of bytes into the hash, in place.
    public mutating func update(_ bytes: ArraySlice<UInt8>) {
        bytes.withUnsafeBytes { buffer in
            _ = EVP_DigestUpdate(context, buffer.baseAddress, buffer.count)
        }
    }

    /// Finishes and returns the 32-byte digest.
    public consuming func finalize() -> [UInt8] {
        var out = [UInt8](repeating: 0, count: Self.byteCount)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &out, &length)
        return out
    }

    /// The SHA-256 implementation fetched once (OpenSSL 3 otherwise looks it up by name on every one-shot call,
    /// which costs more than hashing a token).
    nonisolated(unsafe) private static let fetched: OpaquePointer? = EVP_MD_fetch(nil, "SHA256", nil)

    /// The SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: byteCount)
        bytes.withUnsafeBytes { buffer in
            out.withUnsafeMutableBufferPointer { outBuffer in
                if let md = fetched {
                    var length: UInt32 = 0
                    _ = EVP_Digest(buffer.baseAddress, buffer.count, outBuffer.baseAddress, &length, md, nil)
                } else {
                    _ = COpenSSL.SHA256(buffer.baseAddress?.assumingMemoryBound(to: UInt8.self), buffer.count, outBuffer.baseAddress)
                }
            }
        }
        return out
    }
}
