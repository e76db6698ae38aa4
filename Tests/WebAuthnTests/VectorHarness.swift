import AuthCrypto
import CBOR
import Foundation
import TestSupport
import WebAuthn

/// Runs the shared WebAuthn vector cases (`../shared/vectors/webauthn_vectors/*.json`) through the library.
///
/// How a case's inputs map onto this library's API:
/// - `expected_origin` (string or list) becomes ``RelyingParty/allowedOrigins``.
/// - `expected_rp_id`: a string is the RP ID; a list means "any of" (the case passes when one RP ID
///   verifies); `null` (the library under test skipped the check) means any RP ID valid for the origin:
///   its host or a parent domain of it with at least two labels, since this library always checks the
///   RP ID hash.
/// - A case without `expected_challenge_b64u`/`expected_origin` (py_webauthn's SafetyNet test called the
///   format verifier directly) uses the values in `client_data_observed`.
/// - An `expected_challenge_b64u` that is not canonical base64url (SimpleWebAuthn's
///   "shouldhavebeenthisvalue") is decoded leniently: no client challenge can encode to it, so it must
///   mismatch either way.
/// - `require_user_verification` selects ``RelyingParty/UserVerificationPolicy/required``.
/// - Every implemented algorithm is allowed (``COSEAlgorithm/allCases``): the vectors exercise ES384, ES512,
///   PS256 and PS384 beyond the production default.
/// - W3C vectors: cross-origin embedding is allowed from the file's `conventions.top_origin_where_applicable`
///   (the spec's vectors include crossOrigin/topOrigin ceremonies that must verify); every other file uses
///   the default ``RelyingParty/CrossOriginPolicy/reject``. The default's rejection of those W3C cases is
///   asserted separately.
/// - `expected_type` (SimpleWebAuthn lets a test override the expected `clientDataJSON.type`, string or
///   list): the ceremony functions fix the type, so the harness first checks the client data with
///   ``ClientData/verify(type:expectedChallenge:rp:)`` against each expected type (any of), then runs the
///   ceremony.
/// - `non_base64url_fields`: fixtures recorded with `=` padding or `+`/`/`; the named members are converted
///   to strict base64url before verification (a browser's `toJSON()` never produces them). That the raw
///   form is rejected as ``WebAuthnError/invalidBase64URL(field:)`` is asserted separately.
/// - Authentications: the stored credential is the case's COSE key (converted with ``COSEKey``), its sign
///   count, its credential ID when given (else the response's), and the response's user handle (the files
///   record none of their own).
enum VectorHarness {
    /// The vector files with `cases` arrays of full ceremonies.
    static let ceremonyFiles = [
        "webauthn_vectors/w3c_webauthn_l3_test_vectors.json",
        "webauthn_vectors/py_webauthn_vectors.json",
        "webauthn_vectors/simplewebauthn_vectors.json",
    ]
    /// The attestation-statement-only file.
    static let attestationFile = "webauthn_vectors/python_fido2_attestation_vectors.json"

    /// What verifying a case produced.
    enum Outcome {
        case registered(VerifiedRegistration)
        case authenticated(VerifiedAuthentication)
        case attested(AttestationResult)
        case failed(WebAuthnError)

        var succeeded: Bool {
            if case .failed = self { return false }
            return true
        }

        var error: WebAuthnError? {
            if case let .failed(error) = self { return error }
            return nil
        }
    }

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// A loaded case and the file it came from.
    struct Case {
        let file: String
        let json: [String: Any]
        let fileRoot: [String: Any]

        var id: String { json["id"] as? String ?? "?" }
        var ceremony: String? { json["ceremony"] as? String }
        /// `true` when the case expects the ceremony (or statement) to verify.
        var expectsSuccess: Bool { (json["expected_result"] as? String) == "ok" }
    }

    /// All cases of all four files.
    static func allCases() throws -> [Case] {
        var cases: [Case] = []
        for file in ceremonyFiles + [attestationFile] {
            guard let root = try Paths.vectorJSON(file) as? [String: Any], let list = root["cases"] as? [[String: Any]] else {
                throw Failure(description: "\(file) has no cases array")
            }
            cases += list.map { Case(file: file, json: $0, fileRoot: root) }
        }
        return cases
    }

    /// Verifies one case with the mapping described on the type.
    static func run(_ testCase: Case, normalizeBase64: Bool = true, crossOriginOverride: RelyingParty.CrossOriginPolicy? = nil) throws -> Outcome {
        let json = testCase.json
        if testCase.file == attestationFile { return try runAttestation(json) }
        let observed = json["client_data_observed"] as? [String: Any] ?? [:]
        guard let challengeText = (json["expected_challenge_b64u"] ?? observed["challenge"]) as? String,
              let challenge = Encoding.fromBase64URL(challengeText) ?? lenientBase64URL(challengeText) else {
            throw Failure(description: "\(testCase.id): bad expected_challenge_b64u")
        }
        let originValue = json["expected_origin"] ?? observed["origin"]
        let origins: [String] = (originValue as? [String]) ?? [originValue as? String].compactMap { $0 }
        let rpIDs: [String]
        if let list = json["expected_rp_id"] as? [String] {
            rpIDs = list
        } else if let single = json["expected_rp_id"] as? String {
            rpIDs = [single]
        } else {
            guard let host = origins.first.flatMap({ URL(string: $0)?.host }) else { throw Failure(description: "\(testCase.id): no RP ID") }
            let labels = host.split(separator: ".")
            rpIDs = (0..<max(1, labels.count - 1)).map { labels[$0...].joined(separator: ".") }
        }
        var crossOrigin = RelyingParty.CrossOriginPolicy.reject
        if testCase.file.contains("w3c"), let conventions = testCase.fileRoot["conventions"] as? [String: Any],
           let top = conventions["top_origin_where_applicable"] as? String {
            crossOrigin = .allowEmbedding(topOrigins: [top])
        }
        if let crossOriginOverride { crossOrigin = crossOriginOverride }
        let requireUV = json["require_user_verification"] as? Bool ?? false

        var credential = json["credential"] as? [String: Any] ?? [:]
        if normalizeBase64, let fields = json["non_base64url_fields"] as? [String: Any], var response = credential["response"] as? [String: Any] {
            for name in fields.keys {
                if let text = response[name] as? String { response[name] = strictBase64URL(text) }
            }
            credential["response"] = response
        }
        let credentialJSON = Array(try JSONSerialization.data(withJSONObject: credential))

        var last: Outcome = .failed(.rpIdHashMismatch)
        for rpID in rpIDs {
            let rp = try RelyingParty(
                id: rpID, allowedOrigins: origins, userVerification: requireUV ? .required : .preferred,
                allowedAlgorithms: COSEAlgorithm.allCases, crossOrigin: crossOrigin)
            do throws(WebAuthnError) {
                if let types = (json["expected_type"] as? [String]) ?? (json["expected_type"] as? String).map({ [$0] }) {
                    let clientDataText = (credential["response"] as? [String: Any])?["clientDataJSON"] as? String ?? ""
                    guard let clientDataBytes = Encoding.fromBase64URL(clientDataText) else {
                        throw .invalidBase64URL(field: "response.clientDataJSON")
                    }
                    let clientData = try ClientData(json: clientDataBytes)
                    var firstError: WebAuthnError? = nil
                    for type in types {
                        do throws(WebAuthnError) {
                            try clientData.verify(type: type, expectedChallenge: challenge, rp: rp)
                            firstError = nil
                            break
                        } catch {
                            firstError = firstError ?? error
                        }
                    }
                    if let firstError { throw firstError }
                }
                if testCase.ceremony == "registration" {
                    let response = try RegistrationResponseJSON(json: credentialJSON)
                    last = .registered(try verifyRegistration(response: response, expectedChallenge: challenge, rp: rp))
                } else {
                    let response = try AuthenticationResponseJSON(json: credentialJSON)
                    let stored = try storedCredential(json, response: response)
                    last = .authenticated(try verifyAuthentication(response: response, expectedChallenge: challenge, rp: rp, credential: stored))
                }
            } catch {
                last = .failed(error)
            }
            if last.succeeded { return last }
        }
        return last
    }

    /// The stored credential of an authentication case.
    static func storedCredential(_ json: [String: Any], response: AuthenticationResponseJSON) throws(WebAuthnError) -> StoredCredential {
        let stored = json["stored_credential"] as? [String: Any] ?? [:]
        let key = try COSEKey(bytes: Encoding.fromBase64URL(stored["credential_public_key_cose_b64u"] as? String ?? "") ?? [])
        let id = (stored["credential_id_b64u"] as? String).flatMap { Encoding.fromBase64URL($0) } ?? Encoding.fromBase64URL(response.rawId) ?? []
        let count = (stored["sign_count"] as? NSNumber)?.uint32Value ?? 0
        let handle = response.response.userHandle.flatMap { Encoding.fromBase64URL($0) } ?? []
        return StoredCredential(id: id, publicKeySPKI: key.spkiDER, algorithm: key.algorithm, signCount: count, userHandle: handle)
    }

    /// A python-fido2 case: the attestation statement alone.
    static func runAttestation(_ json: [String: Any]) throws -> Outcome {
        guard let format = json["fmt"] as? String, let statementJSON = json["attestation_statement"],
              let authHex = json["authenticator_data_hex"] as? String, let authBytes = Encoding.fromHex(authHex),
              let hashHex = json["client_data_hash_hex"] as? String, let clientDataHash = Encoding.fromHex(hashHex)
        else { throw Failure(description: "attestation case is missing fields") }
        let statement = try cbor(fromVectorJSON: statementJSON)
        do throws(WebAuthnError) {
            let authData = try AuthenticatorData(bytes: authBytes)
            let parsed = try AttestationStatement(format: format, statement: statement)
            return .attested(try parsed.verify(authenticatorData: authData, clientDataHash: clientDataHash))
        } catch {
            return .failed(error)
        }
    }

    /// Converts the python-fido2 JSON form of an attStmt (bytes as `{"hex": ...}`) to CBOR.
    static func cbor(fromVectorJSON value: Any) throws -> CBORValue {
        if let object = value as? [String: Any] {
            if object.count == 1, let hex = object["hex"] as? String, let bytes = Encoding.fromHex(hex) { return .byteString(bytes) }
            return .map(try object.keys.sorted().map { key in (key: .textString(key), value: try cbor(fromVectorJSON: object[key] as Any)) })
        }
        if let array = value as? [Any] { return .array(try array.map { try cbor(fromVectorJSON: $0) }) }
        if let text = value as? String { return .textString(text) }
        if let number = value as? NSNumber, let integer = Int(exactly: number.doubleValue) { return CBORValue(integer) }
        throw Failure(description: "unsupported attStmt JSON value \(value)")
    }

    /// base64url decoded the way lenient libraries do (non-zero trailing bits ignored).
    static func lenientBase64URL(_ text: String) -> [UInt8]? {
        var standard = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while standard.count % 4 != 0 { standard += "=" }
        return Data(base64Encoded: standard).map { Array($0) }
    }

    /// Standard or padded base64 turned into strict base64url.
    static func strictBase64URL(_ text: String) -> String {
        String(text.replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").prefix { $0 != "=" })
    }
}
