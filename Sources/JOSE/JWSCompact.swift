import AuthCrypto

/// A compact JWS split into its three segments, with the header decoded and checked. Nothing here has
/// been authenticated yet.
struct JWSCompact {
    /// Header parameters whose presence lets a token steer key choice or processing; always refused.
    static let forbiddenHeaders = ["jwk", "jku", "x5u", "x5c", "zip", "b64"]

    let header: [String: JSONValue]
    let algorithm: JWSAlgorithm
    let keyID: String?
    let signingInput: [UInt8]
    let payloadSegment: String
    let signatureSegment: String

    /// Splits and decodes `token`, and checks the header: a supported `alg` (never `none`), no `crit`,
    /// none of `forbiddenHeaders`, string-typed `kid`/`typ`.
    init(_ token: String, maximumLength: Int) throws(JWTError) {
        guard token.utf8.count <= maximumLength else { throw .tokenTooLarge(limit: maximumLength) }
        // Split on the byte "." (not on Characters, where a combining mark could glue a dot to its neighbour).
        let segments = token.utf8.split(separator: UInt8(ascii: "."), omittingEmptySubsequences: false)
            .map { String(decoding: $0, as: UTF8.self) }
        guard segments.count == 3 else { throw .wrongSegmentCount(segments.count) }
        guard let headerBytes = Encoding.fromBase64URL(segments[0]) else { throw .invalidBase64URL(.header) }
        let header = try Self.object(headerBytes, part: .header)
        self.header = header

        guard let algorithmValue = header["alg"] else { throw .missingAlgorithm }
        guard let algorithmName = algorithmValue.stringValue else { throw .invalidHeaderField("alg") }
        guard algorithmName.lowercased() != "none" else { throw .algorithmNone }
        guard let algorithm = JWSAlgorithm(rawValue: algorithmName) else { throw .unsupportedAlgorithm(algorithmName) }
        self.algorithm = algorithm

        if header["crit"] != nil { throw .criticalHeader }
        if let forbidden = Self.forbiddenHeaders.first(where: { header[$0] != nil }) { throw .forbiddenHeader(forbidden) }
        if let typ = header["typ"], typ.stringValue == nil { throw .invalidHeaderField("typ") }
        switch header["kid"] {
        case nil: keyID = nil
        case let .string(kid)?: keyID = kid
        default: throw .invalidHeaderField("kid")
        }

        signingInput = Array(segments[0].utf8) + [UInt8(ascii: ".")] + Array(segments[1].utf8)
        payloadSegment = segments[1]
        signatureSegment = segments[2]
    }

    /// Checks the payload encoding and the signature with `key`, whose algorithm must equal the header's.
    func verify(with key: TrustedKey) throws(JWTError) -> [UInt8] {
        guard algorithm == key.algorithm else { throw .algorithmMismatch(expected: key.algorithm, actual: algorithm.rawValue) }
        guard let payload = Encoding.fromBase64URL(payloadSegment) else { throw .invalidBase64URL(.payload) }
        guard let signature = Encoding.fromBase64URL(signatureSegment) else { throw .invalidBase64URL(.signature) }
        let valid: Bool
        do {
            valid = try key.publicKey.verify(signature, for: signingInput, algorithm: key.algorithm.signatureAlgorithm)
        } catch {
            // TrustedKey's initializer checked that the key fits its algorithm, so this cannot happen;
            // refusing is the safe answer if it ever does.
            throw .invalidSignature
        }
        guard valid else { throw .invalidSignature }
        return payload
    }

    /// Parses a segment strictly as a JSON object.
    static func object(_ bytes: [UInt8], part: JWSPart) throws(JWTError) -> [String: JSONValue] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: bytes)
        } catch let .duplicateKey(name, _) {
            throw .duplicateJSONKey(part, name)
        } catch {
            throw .invalidJSON(part)
        }
        guard let object = value.objectValue else { throw .notAJSONObject(part) }
        return object
    }
}
