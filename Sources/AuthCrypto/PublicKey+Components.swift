import COpenSSL

extension PublicKey {
    /// The raw numbers of a public key, as COSE keys (RFC 9053) and JWKs (RFC 7518) carry them.
    public enum Components: Sendable, Equatable {
        /// An EC point: big-endian coordinates, each exactly `curve.coordinateByteCount` bytes.
        case ec(curve: ECCurve, x: [UInt8], y: [UInt8])
        /// An RSA key: big-endian modulus and public exponent.
        case rsa(modulus: [UInt8], exponent: [UInt8])
        /// An Ed25519 key: the 32-byte encoded point (RFC 8032).
        case ed25519([UInt8])
        /// An Ed448 key: the 57-byte encoded point (RFC 8032 §5.2.5).
        case ed448([UInt8])
    }

    /// Builds a key from raw components. EC coordinates must have exactly the curve's length and name a
    /// point on the curve; RSA needs at least 2048 bits; Ed25519 needs 32 bytes, Ed448 57. Throws `.invalidKey`.
    public convenience init(components: Components) throws(CryptoError) {
        let pointer: OpaquePointer
        switch components {
        case let .ec(curve, x, y):
            guard x.count == curve.coordinateByteCount, y.count == curve.coordinateByteCount else {
                throw CryptoError(.invalidKey, "\(curve.rawValue) coordinates must be \(curve.coordinateByteCount) bytes each")
            }
            pointer = try Self.importECPoint(curve: curve, point: [0x04] + x + y)
        case let .rsa(modulus, exponent):
            guard !modulus.isEmpty, !exponent.isEmpty, exponent.count <= 8 else {
                throw CryptoError(.invalidKey, "RSA modulus or exponent is empty, or the exponent is too long")
            }
            pointer = try Self.importRSA(modulus: modulus, exponent: exponent)
        case let .ed25519(raw):
            pointer = try Self.importRawEdwards(raw, type: EVP_PKEY_ED25519, byteCount: Self.ed25519ByteCount, name: "Ed25519")
        case let .ed448(raw):
            pointer = try Self.importRawEdwards(raw, type: EVP_PKEY_ED448, byteCount: Self.ed448ByteCount, name: "Ed448")
        }
        try self.init(checking: EVPKey.take(pointer))
    }

    /// The key's raw components (EC coordinates left-padded to the curve size; RSA numbers minimal).
    public var components: Components {
        switch key.type {
        case .ec:
            let curve = key.curve!
            guard let x = coordinate(OSSL_PKEY_PARAM_EC_PUB_X, curve), let y = coordinate(OSSL_PKEY_PARAM_EC_PUB_Y, curve) else {
                preconditionFailure("EC coordinates unavailable on a validated key: \(CryptoError("EVP_PKEY_get_bn_param"))")
            }
            return .ec(curve: curve, x: x, y: y)
        case .rsa:
            guard let n = key.bigNumberParameter(OSSL_PKEY_PARAM_RSA_N), let e = key.bigNumberParameter(OSSL_PKEY_PARAM_RSA_E) else {
                preconditionFailure("RSA numbers unavailable on a validated key: \(CryptoError("EVP_PKEY_get_bn_param"))")
            }
            return .rsa(modulus: n, exponent: e)
        case .ed25519:
            return .ed25519(rawEdwardsKey(byteCount: Self.ed25519ByteCount))
        case .ed448:
            return .ed448(rawEdwardsKey(byteCount: Self.ed448ByteCount))
        }
    }

    /// The public JWK members (RFC 7517/7518/8037) as base64url strings: `kty`, `crv`, `x`, `y` for EC;
    /// `kty`, `n`, `e` for RSA; `kty` "OKP", `crv` "Ed25519" or "Ed448" (RFC 8037), `x` for EdDSA keys. Callers add
    /// `kid`, `alg`, `use`.
    public var jwk: [String: String] {
        switch components {
        case let .ec(curve, x, y):
            ["kty": "EC", "crv": curve.rawValue, "x": Encoding.base64URL(x), "y": Encoding.base64URL(y)]
        case let .rsa(modulus, exponent):
            ["kty": "RSA", "n": Encoding.base64URL(modulus), "e": Encoding.base64URL(exponent)]
        case let .ed25519(raw):
            ["kty": "OKP", "crv": "Ed25519", "x": Encoding.base64URL(raw)]
        case let .ed448(raw):
            ["kty": "OKP", "crv": "Ed448", "x": Encoding.base64URL(raw)]
        }
    }

    /// The encoded public key sizes of RFC 8032.
    private static let ed25519ByteCount = 32
    private static let ed448ByteCount = 57

    /// `EVP_PKEY_new_raw_public_key` for an Edwards-curve key of exactly `byteCount` bytes.
    private static func importRawEdwards(_ raw: [UInt8], type: Int32, byteCount: Int, name: String) throws(CryptoError) -> OpaquePointer {
        guard raw.count == byteCount else { throw CryptoError(.invalidKey, "\(name) public key must be \(byteCount) bytes") }
        let made = raw.withNonNullUInt8s { bytes, count in EVP_PKEY_new_raw_public_key(type, nil, bytes, count) }
        guard let made else { throw CryptoError(.invalidKey, "\(name) public key import") }
        return made
    }

    /// The raw encoded public key of an Edwards-curve key (`byteCount` bytes).
    private func rawEdwardsKey(byteCount: Int) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: byteCount)
        var length = raw.count
        let status = raw.withUnsafeMutableBufferPointer { EVP_PKEY_get_raw_public_key(key.pointer, $0.baseAddress, &length) }
        precondition(status == 1 && length == byteCount, "raw EdDSA key unavailable: \(CryptoError("EVP_PKEY_get_raw_public_key"))")
        return raw
    }

    private func coordinate(_ name: String, _ curve: ECCurve) -> [UInt8]? {
        var number: OpaquePointer? = nil
        guard EVP_PKEY_get_bn_param(key.pointer, name, &number) == 1, let number else { return nil }
        defer { BN_free(number) }
        return BigNumber.bytes(of: number, paddedTo: curve.coordinateByteCount)
    }

    /// `EVP_PKEY_fromdata` for an uncompressed EC point (OpenSSL checks that it lies on the curve).
    private static func importECPoint(curve: ECCurve, point: [UInt8]) throws(CryptoError) -> OpaquePointer {
        let pointer: OpaquePointer? = curve.openSSLGroupName.withCString { group in
            point.withNonNullUInt8s { pointBytes, pointCount in
                fromData(keyType: "EC") { builder in
                    c_authcrypto_push_ec_public_key(builder, group, pointBytes, pointCount) == 1
                }
            }
        }
        guard let pointer else { throw CryptoError(.invalidKey, "EC point is not a valid \(curve.rawValue) public key") }
        return pointer
    }

    /// `EVP_PKEY_fromdata` for an RSA modulus and exponent.
    private static func importRSA(modulus: [UInt8], exponent: [UInt8]) throws(CryptoError) -> OpaquePointer {
        let n = try BigNumber.make(modulus)
        defer { BN_free(n) }
        let e = try BigNumber.make(exponent)
        defer { BN_free(e) }
        let pointer = fromData(keyType: "RSA") { builder in c_authcrypto_push_rsa_public_key(builder, n, e) == 1 }
        guard let pointer else { throw CryptoError(.invalidKey, "RSA public key import") }
        return pointer
    }

    /// Builds an `EVP_PKEY` of `keyType` from the parameters `push` adds; everything the parameters point at
    /// must stay alive until this returns, and their names must be static C strings (see the shim).
    private static func fromData(keyType: String, _ push: (OpaquePointer) -> Bool) -> OpaquePointer? {
        guard let builder = OSSL_PARAM_BLD_new() else { return nil }
        defer { OSSL_PARAM_BLD_free(builder) }
        guard push(builder), let parameters = OSSL_PARAM_BLD_to_param(builder) else { return nil }
        defer { OSSL_PARAM_free(parameters) }
        guard let context = EVP_PKEY_CTX_new_from_name(nil, keyType, nil) else { return nil }
        defer { EVP_PKEY_CTX_free(context) }
        var pointer: OpaquePointer? = nil
        guard EVP_PKEY_fromdata_init(context) == 1,
              EVP_PKEY_fromdata(context, &pointer, c_authcrypto_selection_public_key(), parameters) == 1
        else { return nil }
        return pointer
    }
}
