import COpenSSL

/// An owned, classified `EVP_PKEY`: the one place key handles are freed.
///
/// `@unchecked Sendable`: the handle is never mutated after `init`, and OpenSSL 3 allows an `EVP_PKEY`
/// to be used from several threads at once for operations that only read it (sign, verify, export).
final class EVPKey: @unchecked Sendable {
    /// RSA moduli below this are refused everywhere (NIST SP 800-131A).
    static let minimumRSABits = 2048
    /// RSA moduli above this are refused too: they only cost verification time.
    static let maximumRSABits = 16384

    let pointer: OpaquePointer
    let type: KeyType
    let curve: ECCurve?
    let bits: Int

    private init(pointer: OpaquePointer, type: KeyType, curve: ECCurve?, bits: Int) {
        self.pointer = pointer
        self.type = type
        self.curve = curve
        self.bits = bits
    }

    /// Takes ownership of `pointer` (freed here on failure too) and checks that it is a supported key:
    /// EC on P-256/P-384/P-521, RSA of 2048...16384 bits, Ed25519 or Ed448.
    static func take(_ pointer: OpaquePointer) throws(CryptoError) -> EVPKey {
        let bits = Int(EVP_PKEY_get_bits(pointer))
        let type: KeyType
        var curve: ECCurve? = nil
        switch EVP_PKEY_get_base_id(pointer) {
        case EVP_PKEY_EC:
            type = .ec
            var name = [CChar](repeating: 0, count: 64)
            var length = 0
            if EVP_PKEY_get_utf8_string_param(pointer, OSSL_PKEY_PARAM_GROUP_NAME, &name, name.count, &length) == 1 {
                curve = ECCurve(openSSLGroupName: String(decoding: name.prefix(length).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            guard curve != nil else {
                EVP_PKEY_free(pointer)
                throw CryptoError(.invalidKey, "EC key is not on P-256, P-384 or P-521")
            }
        case EVP_PKEY_RSA:
            type = .rsa
            guard bits >= minimumRSABits, bits <= maximumRSABits else {
                EVP_PKEY_free(pointer)
                throw CryptoError(.invalidKey, "RSA key of \(bits) bits is outside \(minimumRSABits)...\(maximumRSABits)")
            }
        case EVP_PKEY_ED25519:
            type = .ed25519
        case EVP_PKEY_ED448:
            type = .ed448
        default:
            EVP_PKEY_free(pointer)
            throw CryptoError(.invalidKey, "unsupported key type (only EC P-256/384/521, RSA, Ed25519 and Ed448)")
        }
        return EVPKey(pointer: pointer, type: type, curve: curve, bits: bits)
    }

    deinit { EVP_PKEY_free(pointer) }

    /// Whether the key fits `algorithm`: its key type, and for ECDSA its curve.
    func fits(_ algorithm: SignatureAlgorithm) -> Bool {
        algorithm.keyType == type && (algorithm.curve == nil || algorithm.curve == curve)
    }

    /// A BIGNUM parameter of the key as minimal big-endian bytes, or `nil` if the key has no such parameter.
    func bigNumberParameter(_ name: String) -> [UInt8]? {
        var number: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(pointer, name, &number) == 1, let number else {
            CryptoError.discardOpenSSLErrors()
            return nil
        }
        defer { BN_free(number) }
        return BigNumber.bytes(of: number, paddedTo: nil)
    }

    /// The raw encoded public key of an Edwards-curve key, or `nil` if unavailable or not `byteCount` bytes.
    func rawPublicKey(byteCount: Int) -> [UInt8]? {
        var raw = [UInt8](repeating: 0, count: byteCount)
        var length = raw.count
        let status = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(pointer, $0.baseAddress, &length) }
        guard status == 1, length == byteCount else {
            CryptoError.discardOpenSSLErrors()
            return nil
        }
        return raw
    }

    /// Runs OpenSSL's public-key validation (for EC: the point is on the curve and in the right subgroup).
    func passesPublicCheck() -> Bool {
        guard let context = EVP_PKEY_CTX_new_from_pkey(nil, pointer, nil) else { return false }
        defer { EVP_PKEY_CTX_free(context) }
        let ok = EVP_PKEY_public_check(context) == 1
        if !ok { CryptoError.discardOpenSSLErrors() }
        return ok
    }
}

/// Conversions between big-endian bytes and OpenSSL `BIGNUM`s.
enum BigNumber {
    /// A new BIGNUM from big-endian bytes; the caller frees it (or hands it to a call that takes ownership).
    static func make(_ bytes: [UInt8]) throws(CryptoError) -> OpaquePointer {
        let number = bytes.withNonNullUInt8s { pointer, count in BN_bin2bn(pointer, Int32(count), nil) }
        guard let number else { throw CryptoError("BN_bin2bn") }
        return number
    }

    /// Big-endian bytes of `number`: minimal (at least one byte) when `length` is `nil`, else left-padded to
    /// `length`; `nil` if the value does not fit in `length` bytes.
    static func bytes(of number: OpaquePointer, paddedTo length: Int?) -> [UInt8]? {
        let minimal = max(1, (Int(BN_num_bits(number)) + 7) / 8)
        let size = length ?? minimal
        guard minimal <= size || BN_is_zero(number) == 1 else { return nil }
        var out = [UInt8](repeating: 0, count: size)
        let written = out.withUnsafeMutableBufferPointer { BN_bn2binpad(number, $0.baseAddress, Int32(size)) }
        return written == Int32(size) ? out : nil
    }
}

/// Memory BIOs for PEM text.
enum MemoryBIO {
    /// Calls `body` with a read-only BIO over `text`'s UTF-8 bytes.
    static func reading<R>(_ text: String, _ body: (OpaquePointer) -> R?) -> R? {
        let bytes = Array(text.utf8)
        return bytes.withNonNullBytes { pointer, count in
            guard let bio = BIO_new_mem_buf(pointer, Int32(count)) else { return nil }
            defer { BIO_free(bio) }
            return body(bio)
        }
    }

    /// Calls `write` with a fresh memory BIO (secure-heap backed when `secure`) and returns what it wrote,
    /// or `nil` if `write` reports failure.
    static func writing(secure: Bool = false, _ write: (OpaquePointer) -> Bool) -> String? {
        guard let bio = BIO_new(secure ? BIO_s_secmem() : BIO_s_mem()) else { return nil }
        defer { BIO_free(bio) }
        guard write(bio) else { return nil }
        var data: UnsafeMutablePointer<CChar>? = nil
        let length = c_authcrypto_bio_mem_data(bio, &data)
        guard length >= 0, let data else { return nil }
        return String(decoding: UnsafeRawBufferPointer(start: data, count: length), as: UTF8.self)
    }
}

extension EVPKey {
    /// The DER SubjectPublicKeyInfo of the key's public half.
    func publicSPKI() -> [UInt8] {
        let length = i2d_PUBKEY(pointer, nil)
        precondition(length > 0, "i2d_PUBKEY failed: \(CryptoError("i2d_PUBKEY"))")
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_PUBKEY(pointer, &cursor)
        }
        precondition(written == length, "i2d_PUBKEY wrote \(written) of \(length) bytes")
        return out
    }
}
