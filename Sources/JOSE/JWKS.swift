/// A JSON Web Key Set (RFC 7517 §5) of trusted public keys, for publishing at a well-known URL.
public struct JWKS: Sendable {
    /// The keys, in publication order.
    public var keys: [TrustedKey]

    /// A set of `keys`.
    public init(keys: [TrustedKey]) {
        self.keys = keys
    }

    /// `{"keys":[...]}` with each key's public members, `kid`, `alg` and `use`.
    public var jsonValue: JSONValue {
        .object(["keys": .array(keys.map(\.jwk))])
    }

    /// The compact JSON text of `jsonValue` (members sorted).
    public var json: String {
        // Keys hold only strings, so serialization cannot meet a non-finite number.
        String(decoding: jsonValue.serialized() ?? [], as: UTF8.self)
    }

    /// Parses a JWKS strictly and imports every key with `TrustedKey(jwk:)`; any unusable key fails the
    /// whole set, so a typo cannot silently drop a key.
    public init(json: [UInt8]) throws(JWTError) {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: json)
        } catch {
            throw .invalidKey("JWKS is not strict JSON: \(error)")
        }
        guard let list = value.objectValue?["keys"]?.arrayValue else { throw .invalidKey("JWKS has no keys array") }
        var keys: [TrustedKey] = []
        for jwk in list { keys.append(try TrustedKey(jwk: jwk)) }
        self.keys = keys
    }
}
