import COpenSSL

/// How an ECDSA signature's (r, s) pair is serialized.
public enum ECDSASignatureEncoding: Sendable {
    /// Fixed-length `r || s`, each left-padded to the curve's coordinate size (JOSE, RFC 7518 §3.4; COSE).
    case raw
    /// ASN.1 DER `SEQUENCE { r INTEGER, s INTEGER }` (X9.62; WebAuthn assertions and attestations).
    case der

    /// Converts a raw `r || s` signature to DER; `nil` unless it is exactly twice `coordinateByteCount` bytes.
    static func derFromRaw(_ raw: [UInt8], coordinateByteCount: Int) -> [UInt8]? {
        guard raw.count == 2 * coordinateByteCount, let signature = ECDSA_SIG_new() else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard let r = try? BigNumber.make(Array(raw[..<coordinateByteCount])) else { return nil }
        guard let s = try? BigNumber.make(Array(raw[coordinateByteCount...])) else {
            BN_free(r)
            return nil
        }
        guard ECDSA_SIG_set0(signature, r, s) == 1 else {
            BN_free(r)
            BN_free(s)
            return nil
        }
        let length = i2d_ECDSA_SIG(signature, nil)
        guard length > 0 else { return nil }
        var der = [UInt8](repeating: 0, count: Int(length))
        let written = der.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_ECDSA_SIG(signature, &cursor)
        }
        return written == length ? der : nil
    }

    /// Converts a DER signature to raw `r || s` with each half `coordinateByteCount` bytes; `nil` if it does
    /// not parse, has trailing bytes, or a value does not fit.
    static func rawFromDER(_ der: [UInt8], coordinateByteCount: Int) -> [UInt8]? {
        var consumed = 0
        let parsed: OpaquePointer? = der.withNonNullUInt8s { start, count in
            var cursor: UnsafePointer<UInt8>? = start
            let result = d2i_ECDSA_SIG(nil, &cursor, count)
            if let cursor { consumed = start.distance(to: cursor) }
            return result
        }
        guard let signature = parsed else { return nil }
        defer { ECDSA_SIG_free(signature) }
        guard consumed == der.count,
              let r = ECDSA_SIG_get0_r(signature), let s = ECDSA_SIG_get0_s(signature),
              let rBytes = BigNumber.bytes(of: r, paddedTo: coordinateByteCount),
              let sBytes = BigNumber.bytes(of: s, paddedTo: coordinateByteCount)
        else { return nil }
        return rBytes + sBytes
    }
}
