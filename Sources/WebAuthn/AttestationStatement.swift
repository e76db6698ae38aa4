import AuthCrypto
import CBOR

/// An attestation statement (`fmt` and `attStmt` of an attestation object) and its verification.
///
/// `none` must have an empty statement. `packed` is verified per WebAuthn §8.2 (see
/// ``verify(authenticatorData:clientDataHash:trust:)``), its certificate chain against the relying party's
/// trust anchors when it configured any. `tpm`, `android-key`, `android-safetynet`, `fido-u2f`
/// and `apple` are accepted as `none`: only their CBOR shape (a map) is checked, and the result says
/// `verified: false`. Any other format is refused.
public struct AttestationStatement: Sendable {
    /// The format.
    public let format: AttestationFormat
    /// The `attStmt` map.
    public let statement: CBORValue

    /// Creates a statement from the `fmt` string and `attStmt` value. Throws
    /// ``WebAuthnError/unsupportedAttestationFormat(_:)`` for an unregistered format and
    /// ``WebAuthnError/invalidAttestationStatement(_:)`` when `attStmt` is not a map.
    public init(format: String, statement: CBORValue) throws(WebAuthnError) {
        guard let known = AttestationFormat(rawValue: format) else { throw .unsupportedAttestationFormat(format) }
        guard statement.entries != nil else { throw .invalidAttestationStatement("attStmt is not a CBOR map") }
        self.format = known
        self.statement = statement
    }

    /// Verifies the statement over `authenticatorData` (which must carry attested credential data) and the
    /// SHA-256 of the client data; a `packed` certificate chain is validated against `trust`'s anchors for
    /// `packed` when it has any, at `trust`'s fixed time or else at `verificationTime` (seconds since 1970, from the
    /// caller's injected clock; `nil` falls back to the system clock).
    public func verify(authenticatorData: AuthenticatorData, clientDataHash: [UInt8],
                       trust: AttestationTrustPolicy = .noAnchors, at verificationTime: Int64? = nil) throws(WebAuthnError) -> AttestationResult {
        guard let credential = authenticatorData.attestedCredentialData else { throw .missingAttestedCredentialData }
        switch format {
        case .none:
            guard statement.entries?.isEmpty == true else {
                throw .invalidAttestationStatement("'none' attestation must have an empty attStmt")
            }
            return AttestationResult(format: .none, verified: true, kind: .none, trust: .notApplicable, certificateChain: [])
        case .packed:
            return try verifyPacked(authenticatorData: authenticatorData, credential: credential, clientDataHash: clientDataHash,
                                    trust: trust, at: trust.validationTime.secondsSince1970 ?? verificationTime)
        case .tpm, .androidKey, .androidSafetyNet, .fidoU2F, .apple:
            return AttestationResult(format: format, verified: false, kind: .unverified, trust: .unverified, certificateChain: [])
        }
    }

    /// Packed attestation (WebAuthn §8.2): `alg` (integer), `sig` (bytes) and optional `x5c` (non-empty array of
    /// DER certificates); no other members. Without `x5c` (self attestation) `alg` must equal the credential
    /// key's algorithm and `sig` must verify with the credential key. With `x5c`, `sig` must verify with the
    /// leaf certificate's key, and the leaf must meet §8.2.1: version 3; subject C, O, CN present and
    /// OU "Authenticator Attestation"; basic constraints not a CA; an id-fido-gen-ce-aaguid extension, if
    /// present, not critical and equal to the AAGUID. Then, when `trust` has anchors for `packed`, the chain (leaf,
    /// then the rest of `x5c` as untrusted intermediates) must validate to one of them at the policy's time
    /// (trust `.trusted`, else ``WebAuthnError/attestationChainUntrusted(_:)``); without anchors it is not
    /// validated (trust `.unverified`). An `alg` of RS1 (SHA-1) is refused as unsupported.
    private func verifyPacked(authenticatorData: AuthenticatorData, credential: AttestedCredentialData,
                              clientDataHash: [UInt8], trust: AttestationTrustPolicy, at time: Int64?) throws(WebAuthnError) -> AttestationResult {
        for entry in statement.entries ?? [] {
            guard let name = entry.key.text, ["alg", "sig", "x5c"].contains(name) else {
                throw .invalidAttestationStatement("packed attStmt has an unexpected member")
            }
        }
        guard let algValue = statement["alg"]?.int else { throw .invalidAttestationStatement("packed attStmt has no integer 'alg'") }
        guard let signature = statement["sig"]?.bytes else { throw .invalidAttestationStatement("packed attStmt has no byte-string 'sig'") }
        let algorithm = try COSEAlgorithm.from(algValue)
        guard algorithm != .rs1 else { throw .unsupportedAlgorithm(algValue) }
        let signedData = authenticatorData.rawValue + clientDataHash

        guard let x5c = statement["x5c"] else {
            guard algorithm == credential.publicKey.algorithm else {
                throw .invalidAttestationStatement("self attestation 'alg' \(algValue) differs from the credential key's")
            }
            guard algorithm.verify(signature, of: signedData, with: credential.publicKey.publicKey) else {
                throw .attestationSignatureInvalid
            }
            return AttestationResult(format: .packed, verified: true, kind: .self, trust: .notApplicable, certificateChain: [])
        }

        guard let items = x5c.items, !items.isEmpty else { throw .invalidAttestationStatement("'x5c' is not a non-empty array") }
        var chain: [[UInt8]] = []
        var certificates: [X509Certificate] = []
        for item in items {
            guard let der = item.bytes else { throw .invalidAttestationStatement("'x5c' has a non-byte-string element") }
            do {
                certificates.append(try X509Certificate(der: der))
            } catch {
                throw .invalidAttestationStatement("'x5c' certificate does not parse: \(error.operation)")
            }
            chain.append(der)
        }
        let leaf = certificates[0]
        let leafKey: PublicKey
        do {
            leafKey = try leaf.publicKey()
        } catch {
            throw .invalidAttestationStatement("attestation certificate key: \(error.operation)")
        }
        guard leafKey.supports(algorithm.signatureAlgorithm) else {
            throw .invalidAttestationStatement("attestation certificate key does not fit 'alg' \(algValue)")
        }
        guard algorithm.verify(signature, of: signedData, with: leafKey) else { throw .attestationSignatureInvalid }
        try Self.checkPackedCertificate(leaf, aaguid: credential.aaguid)
        guard let anchors = trust.anchors(for: .packed) else {
            return AttestationResult(format: .packed, verified: true, kind: .basic, trust: .unverified, certificateChain: chain)
        }
        do {
            _ = try leaf.validatePath(intermediates: Array(certificates.dropFirst()), trustAnchors: anchors,
                                      at: time)
        } catch {
            throw .attestationChainUntrusted(error)
        }
        return AttestationResult(format: .packed, verified: true, kind: .basic, trust: .trusted, certificateChain: chain)
    }

    /// OID of the FIDO AAGUID certificate extension (id-fido-gen-ce-aaguid).
    static let aaguidExtensionOID = "1.3.6.1.4.1.45724.1.1.4"

    /// The packed attestation certificate requirements (WebAuthn §8.2.1).
    private static func checkPackedCertificate(_ certificate: X509Certificate, aaguid: [UInt8]) throws(WebAuthnError) {
        guard certificate.version == 3 else { throw .invalidAttestationStatement("attestation certificate is not X.509 v3") }
        for (oid, label) in [("2.5.4.6", "C"), ("2.5.4.10", "O"), ("2.5.4.3", "CN")] where certificate.subjectValues(oid: oid).isEmpty {
            throw .invalidAttestationStatement("attestation certificate subject has no \(label)")
        }
        guard certificate.subjectValues(oid: "2.5.4.11") == ["Authenticator Attestation"] else {
            throw .invalidAttestationStatement("attestation certificate subject OU is not 'Authenticator Attestation'")
        }
        if let constraints = certificate.extension(oid: "2.5.29.19") {
            guard let isCA = basicConstraintsIsCA(constraints.value) else {
                throw .invalidAttestationStatement("attestation certificate basic constraints do not parse")
            }
            guard !isCA else { throw .invalidAttestationStatement("attestation certificate is a CA certificate") }
        }
        if let aaguidExtension = certificate.extension(oid: aaguidExtensionOID) {
            guard !aaguidExtension.isCritical else {
                throw .invalidAttestationStatement("id-fido-gen-ce-aaguid extension must not be critical")
            }
            guard aaguidExtension.value == [0x04, 0x10] + aaguid else {
                throw .invalidAttestationStatement("id-fido-gen-ce-aaguid extension does not match the AAGUID")
            }
        }
    }

    /// The `cA` flag of a BasicConstraints value (`SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLen INTEGER OPTIONAL }`),
    /// or `nil` if it does not parse. Short-form lengths only, which is all a BasicConstraints value needs.
    private static func basicConstraintsIsCA(_ der: [UInt8]) -> Bool? {
        guard der.count >= 2, der[0] == 0x30, der[1] < 0x80, Int(der[1]) == der.count - 2 else { return nil }
        guard der.count > 2 else { return false }
        guard der[2] == 0x01 else { return false }
        guard der.count >= 5, der[3] == 0x01 else { return nil }
        return der[4] != 0
    }
}
