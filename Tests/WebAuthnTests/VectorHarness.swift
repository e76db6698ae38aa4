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
/// - Algorithms: every implemented algorithm except RS1 is allowed (the vectors exercise ES384, ES512, PS256,
///   PS384 and Ed448 beyond the production default). RS1 (-65535, SHA-1) is allowed only for files whose
///   `source.repo` is a library that accepts RS1 by default (``sourcesAcceptingRS1ByDefault``): no case records
///   an algorithm option of its own, so the library's default is the test's configuration. This is keyed on the
///   file's source, never on a case's name.
/// - Trust anchors (``attestationTrust(_:)``): a W3C case whose `trust_anchor` names the file's
///   `attestation_ca_cert` gets that CA as its `packed` anchor (the only format whose chains are validated
///   here; for the other formats' cases it changes nothing). py_webauthn's `custom_trust_anchors_by_fmt`
///   (`"AttestationFormat.PACKED": [placeholder]`) becomes anchors for that format; the vector names the root
///   by reference, resolved by ``KnownRootCertificates``. Other cases have none (chains reported unverified).
/// - `certificate_validation_time` (the original test pinned its clock) becomes the fixed validation time;
///   without it certificates are checked at the time of the run.
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
    ///
    /// The overrides replace the mapped configuration, for tests that run a case under another policy.
    static func run(_ testCase: Case, normalizeBase64: Bool = true, crossOriginOverride: RelyingParty.CrossOriginPolicy? = nil,
                    algorithmsOverride: [COSEAlgorithm]? = nil, trustOverride: AttestationTrustPolicy? = nil,
                    verificationTime: Int64? = nil) throws -> Outcome {
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

        let trust = try trustOverride ?? attestationTrust(testCase)
        var last: Outcome = .failed(.rpIdHashMismatch)
        for rpID in rpIDs {
            let rp = try RelyingParty(
                id: rpID, allowedOrigins: origins, userVerification: requireUV ? .required : .preferred,
                allowedAlgorithms: algorithmsOverride ?? allowedAlgorithms(testCase), crossOrigin: crossOrigin, attestationTrust: trust)
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
                    last = .registered(try verifyRegistration(response: response, expectedChallenge: challenge, rp: rp, at: verificationTime))
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

    /// The upstream libraries (a vector file's `source.repo`) whose verifier accepts RS1 (-65535) by default.
    /// SimpleWebAuthn: `verifyRegistrationResponse` defaults `supportedAlgorithmIDs` to
    /// `supportedCOSEAlgorithmIdentifiers` (packages/server/src/registration/generateRegistrationOptions.ts),
    /// which ends with -65535, "RSASSA-PKCS1-v1_5 w/ SHA-1 (Deprecated; here for legacy support)"; its tests pass
    /// no `supportedAlgorithmIDs`. py_webauthn's default list (`default_supported_pub_key_algs`) has no RS1, and
    /// the W3C vectors have none.
    static let sourcesAcceptingRS1ByDefault: Set<String> = ["MasterKale/SimpleWebAuthn"]

    /// The relying party's algorithms for a case: every implemented algorithm but RS1, plus RS1 when the file's
    /// source library accepts it by default.
    static func allowedAlgorithms(_ testCase: Case) -> [COSEAlgorithm] {
        var algorithms = COSEAlgorithm.allCases.filter { $0 != .rs1 }
        let repo = (testCase.fileRoot["source"] as? [String: Any])?["repo"] as? String
        if let repo, sourcesAcceptingRS1ByDefault.contains(repo) { algorithms.append(.rs1) }
        return algorithms
    }

    /// The attestation trust policy for a case (see the type's documentation).
    static func attestationTrust(_ testCase: Case) throws -> AttestationTrustPolicy {
        let json = testCase.json
        var anchors: [AttestationFormat: [X509Certificate]] = [:]
        if let note = json["trust_anchor"] as? String {
            guard note.hasPrefix("attestation_ca_cert"), let hex = testCase.fileRoot["attestation_ca_cert_der_hex"] as? String,
                  let der = Encoding.fromHex(hex)
            else { throw Failure(description: "\(testCase.id): trust_anchor '\(note)' names no certificate of the file") }
            anchors[.packed, default: []].append(try X509Certificate(der: der))
        }
        if let custom = json["custom_trust_anchors_by_fmt"] {
            guard let byFormat = custom as? [String: [String]] else { throw Failure(description: "\(testCase.id): bad custom_trust_anchors_by_fmt") }
            for (name, placeholders) in byFormat {
                // py_webauthn's enum member names: AttestationFormat.PACKED, .ANDROID_KEY, .FIDO_U2F, ...
                let raw = name.replacingOccurrences(of: "AttestationFormat.", with: "").lowercased().replacingOccurrences(of: "_", with: "-")
                guard let format = AttestationFormat(rawValue: raw) else { throw Failure(description: "\(testCase.id): unknown format \(name)") }
                anchors[format, default: []] += try placeholders.map { try KnownRootCertificates.certificate(placeholder: $0) }
            }
        }
        var time = AttestationTrustPolicy.ValidationTime.verificationTime
        if let text = json["certificate_validation_time"] as? String {
            guard let seconds = unixSeconds(iso8601: text) else { throw Failure(description: "\(testCase.id): bad certificate_validation_time") }
            time = .fixed(secondsSince1970: seconds)
        }
        return try AttestationTrustPolicy(anchors: anchors, validationTime: time)
    }

    /// Seconds since the epoch of an RFC 3339 time with or without fractional seconds.
    static func unixSeconds(iso8601 text: String) -> Int64? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return Int64(date.timeIntervalSince1970.rounded(.down)) }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text).map { Int64($0.timeIntervalSince1970) }
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
