/// Importing a third party's published key set (an OpenID provider's `jwks_uri`), where keys for other uses and
/// algorithms may sit beside the signing keys.
extension JWKS {
    /// Parses a JWKS strictly and keeps the keys usable for verifying signatures with one of `allowedAlgorithms`:
    /// a key with `use` other than `sig`, without `kid`, or whose `alg` is not allowed is skipped. A key without
    /// `alg` is pinned to the first allowed algorithm its `kty` (and `crv`) fits. Keys that claim an allowed
    /// algorithm but are malformed fail the whole set.
    public init(providerJSON json: [UInt8], allowedAlgorithms: [JWSAlgorithm]) throws(JWTError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch {
            throw .invalidKey("JWKS is not strict JSON: \(error)")
        }
        guard let list = value.objectValue?["keys"]?.arrayValue else { throw .invalidKey("JWKS has no keys array") }
        var keys: [TrustedKey] = []
        var seen: Set<String> = []
        for jwk in list {
            guard var members = jwk.objectValue else { throw .invalidKey("JWK is not a JSON object") }
            if let use = members["use"], use != "sig" { continue }
            guard let keyID = members["kid"]?.stringValue, !keyID.isEmpty, !seen.contains(keyID) else { continue }
            let algorithm: JWSAlgorithm
            if let named = members["alg"] {
                guard let name = named.stringValue, let known = JWSAlgorithm(rawValue: name), allowedAlgorithms.contains(known) else { continue }
                algorithm = known
            } else {
                let kty = members["kty"]?.stringValue, crv = members["crv"]?.stringValue
                guard let fitting = allowedAlgorithms.first(where: { Self.fits($0, kty: kty, crv: crv) }) else { continue }
                algorithm = fitting
                members["alg"] = .string(fitting.rawValue)
            }
            guard Self.fits(algorithm, kty: members["kty"]?.stringValue, crv: members["crv"]?.stringValue) else { continue }
            keys.append(try TrustedKey(jwk: .object(members)))
            seen.insert(keyID)
        }
        self.keys = keys
    }

    /// Whether a key of type `kty` (curve `crv`) can carry `algorithm`.
    static func fits(_ algorithm: JWSAlgorithm, kty: String?, crv: String?) -> Bool {
        switch algorithm {
        case .rs256: kty == "RSA"
        case .es256: kty == "EC" && crv == "P-256"
        case .eddsa: kty == "OKP" && crv == "Ed25519"
        }
    }
}
