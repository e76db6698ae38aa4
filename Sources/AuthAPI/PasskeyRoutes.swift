import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import StrictJSON
import WebAuthn

/// `POST /v1/login/passkey/options {email?}`.
struct PasskeyLoginOptionsRequest: StrictDecodable {
    let email: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case email }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `PATCH /v1/passkeys/{id} {name}`.
struct RenamePasskeyRequest: StrictDecodable {
    let name: String
    enum CodingKeys: String, CodingKey, CaseIterable { case name }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// A passkey as the API shows it.
struct PasskeyView: Encodable {
    let id: String
    let name: String
    let algorithm: Int64
    let aaguid: String
    let signCount: Int64
    let backupEligible: Bool
    let backupState: Bool
    let transports: [String]
    let attestationFormat: String
    let createdAt: String

    enum CodingKeys: String, CodingKey {
        case id, name, algorithm, aaguid, signCount = "sign_count", backupEligible = "backup_eligible", backupState = "backup_state"
        case transports, attestationFormat = "attestation_format", createdAt = "created_at"
    }

    init(id: String, record: PasskeyRecord) {
        self.id = id
        name = record.name
        algorithm = record.algorithm
        aaguid = record.aaguid
        signCount = record.signCount
        backupEligible = record.backupEligible
        backupState = record.backupState
        transports = record.transports
        attestationFormat = record.attestationFormat
        createdAt = record.createdAt.rfc3339
    }

    init(_ passkey: Queries.FoundPasskey) { self.init(id: passkey.id, record: passkey.record) }
}

struct PasskeyListResponse: Encodable {
    let passkeys: [PasskeyView]
}

extension WebAuthnError {
    /// The 400 problem for this failure: the description as `detail`, the code as `code`.
    var problem: Problem { Problem.webauthn(code: code, detail: description) }
}

extension AuthService {
    /// The longest passkey name accepted.
    static let maxPasskeyNameLength = 64

    func addPasskeyRoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        // A planted passkey would outlive a password change: registering or deleting one needs a recent proof.
        let recent = routes.authenticated(by: self, .recentAuthentication)
        recent.post("/v1/passkeys/register/options") { request, context in
            try await self.passkeyRegistrationOptions(request, context: context)
        }
        routes.authenticated(by: self, .stepUp).post("/v1/passkeys/register/verify") { request, context in
            try await self.passkeyRegistrationVerify(request, context: context)
        }
        routes.post("/v1/login/passkey/options") { request, context in
            try await self.passkeyLoginOptions(request, context: context)
        }
        routes.post("/v1/login/passkey/verify") { request, context in
            try await self.passkeyLogin(request, context: context)
        }
        user.get("/v1/passkeys") { request, context in
            let principal = context.principal
            let passkeys = try self.store.query { try $0.passkeys(ofUser: principal.userID) }
            return try Respond.json(PasskeyListResponse(passkeys: passkeys.map(PasskeyView.init)))
        }
        user.patch("/v1/passkeys/{id}") { request, context in
            let principal = context.principal
            let id = context.parameters.get("id") ?? ""
            let body = try await request.decodeStrict(as: RenamePasskeyRequest.self, context: context)
            let name = try Self.passkeyName(body.name)
            let record = try await self.store.run(
                RenamePasskey(userID: principal.userID, credentialID: id, name: name, request: self.requestInfo(context)))
            return try Respond.json(PasskeyView(id: id, record: record))
        }
        recent.delete("/v1/passkeys/{id}") { request, context in
            let principal = context.principal
            let id = context.parameters.get("id") ?? ""
            try await self.store.run(DeletePasskey(userID: principal.userID, credentialID: id, request: self.requestInfo(context)))
            return Respond.noContent()
        }
    }

    /// The most UTF-8 bytes of a passkey name (characters are counted too: a letter with thousands of combining marks
    /// is one character).
    static let maxPasskeyNameBytes = 256

    /// A trimmed, non-empty name of at most ``maxPasskeyNameLength`` characters and ``maxPasskeyNameBytes`` UTF-8
    /// bytes, without control or bidi characters (they would reach an auditor's terminal; see `TerminalText`), or 400.
    static func passkeyName(_ raw: String) throws(Problem) -> String {
        let name = raw.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty else { throw Problem.invalidField("name", reason: "empty", detail: "field 'name' must not be empty") }
        guard !name.unicodeScalars.contains(where: TerminalText.isUnsafe) else {
            throw Problem.invalidField(
                "name", reason: "control_character", detail: "field 'name' must not contain control or bidi control characters")
        }
        guard name.count <= Self.maxPasskeyNameLength, name.utf8.count <= Self.maxPasskeyNameBytes else {
            throw Problem.invalidField(
                "name", reason: "too_long",
                detail: "field 'name' must have at most \(Self.maxPasskeyNameLength) characters and \(Self.maxPasskeyNameBytes) UTF-8 bytes")
        }
        return name
    }

    /// The most transports recorded for a passkey, and the longest one kept.
    static let maxTransports = 8
    static let maxTransportBytes = 32

    /// The transports the browser reported, as recorded: distinct values of 1 to ``maxTransportBytes`` characters
    /// from `a-z 0-9 -` (unknown but well-formed values are kept, as WebAuthn asks), at most ``maxTransports``; others
    /// are dropped (they are hints, not something to refuse a registration for).
    static func recordedTransports(_ reported: [String]) -> [String] {
        var out: [String] = []
        for value in reported where out.count < maxTransports && !out.contains(value) {
            let bytes = value.utf8
            guard (1...maxTransportBytes).contains(bytes.count),
                bytes.allSatisfy({ (UInt8(ascii: "a")...UInt8(ascii: "z")).contains($0) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || $0 == UInt8(ascii: "-") })
            else { continue }
            out.append(value)
        }
        return out
    }

    /// The user handle of a user: the UTF-8 bytes of the user id (no personal data, at most 64 bytes).
    static func userHandle(_ userID: String) -> [UInt8] { Array(userID.utf8) }

    /// Creation options for the logged-in user, who must have authenticated recently (and hold fresh `aal2` when
    /// the user has a second factor): a planted passkey would outlive a password change; the user's passkeys are
    /// excluded.
    func passkeyRegistrationOptions(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let (user, passkeys) = try store.query { (try $0.user(id: principal.userID), try $0.passkeys(ofUser: principal.userID)) }
        guard let user else { throw AuthError.unknownUser }
        let challenge = try await challenges.issue(.registration, userID: principal.userID)
        let exclude = passkeys.compactMap { passkey in
            Encoding.fromBase64URL(passkey.id).map { PublicKeyCredentialDescriptorJSON(id: $0, transports: passkey.record.transports) }
        }
        let options = try PublicKeyCredentialCreationOptions(
            rp: relyingParty, userHandle: Self.userHandle(principal.userID), userName: user.email,
            userDisplayName: user.email, challenge: challenge, excludeCredentials: exclude,
            timeout: Int(ChallengeStore.lifetime) * 1000)
        return try Respond.json(options)
    }

    /// Verifies an attestation for the logged-in user and records `passkey.registered` (201).
    func passkeyRegistrationVerify(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let bytes = try await request.jsonBodyBytes(context: context)
        let extra = try Self.topLevelStrings(bytes, keys: ["name"])
        let name = try extra["name"].map(Self.passkeyName) ?? "Passkey"
        let response: RegistrationResponseJSON
        do throws(WebAuthnError) {
            response = try RegistrationResponseJSON(json: bytes)
        } catch {
            throw error.problem
        }
        let challenge = try Self.challenge(ofClientData: response.response.clientDataJSON)
        let entry = try await challenges.consume(challenge, .registration)
        guard entry.userID == principal.userID else {
            throw Problem.webauthn(code: "challenge_unknown", detail: "the challenge was issued to another user")
        }
        let verified: VerifiedRegistration
        do throws(WebAuthnError) {
            verified = try verifyRegistration(
                response: response, expectedChallenge: challenge, rp: relyingParty, at: store.clock.now().seconds)
        } catch {
            throw error.problem
        }
        let credentialID = Encoding.base64URL(verified.credentialId)
        try await store.run(
            RegisterPasskey(
                userID: principal.userID, credentialID: credentialID, publicKey: verified.publicKeySPKI,
                algorithm: Int64(verified.algorithm.rawValue), signCount: Int64(verified.signCount), aaguid: verified.aaguidString,
                backupEligible: verified.backupEligible, backupState: verified.backupState,
                transports: Self.recordedTransports(verified.transports),
                attestationFormat: verified.attestationFormat.rawValue, name: name, request: requestInfo(context)))
        guard let stored = try store.query({ try $0.passkey(id: credentialID) }) else { throw AuthError.passkeyNotFound }
        return try Respond.json(PasskeyView(stored), status: .created)
    }

    /// Request options: with an email, its passkeys as `allowCredentials`. An unknown email, or an account without
    /// passkeys, gets decoy credentials (``decoyCredentials(for:)``): stable for the email and shaped like real ones,
    /// so the answer reveals neither whether the account exists nor whether it has passkeys.
    func passkeyLoginOptions(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: PasskeyLoginOptionsRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        var allow: [PublicKeyCredentialDescriptorJSON] = []
        var userID: String?
        if let raw = body.email {
            let email = try Self.normalizedEmail(raw)
            if let user = try store.query({ try $0.user(email: email) }) {
                userID = user.id
                let passkeys = try store.query { try $0.passkeys(ofUser: user.id) }
                allow = passkeys.compactMap { passkey in
                    Encoding.fromBase64URL(passkey.id).map { PublicKeyCredentialDescriptorJSON(id: $0, transports: passkey.record.transports) }
                }
            }
            if allow.isEmpty { allow = decoyCredentials(for: email) }
        }
        let challenge = try await challenges.issue(.authentication, userID: userID)
        let options = try PublicKeyCredentialRequestOptions(
            rp: relyingParty, challenge: challenge, allowCredentials: allow, timeout: Int(ChallengeStore.lifetime) * 1000)
        return try Respond.json(options)
    }

    /// Decoy `allowCredentials` for an email without passkeys: one credential (two for a quarter of emails), each
    /// id 16, 20, 32 or 64 bytes (the lengths of common platform and roaming authenticators) with a common transports
    /// list, all derived by HMAC-SHA-256 from the normalised email under ``passkeyDecoyKey``. The same email always
    /// gets the same answer; no one without the key can tell it from a real account's, or link it to the email.
    func decoyCredentials(for email: String) -> [PublicKeyCredentialDescriptorJSON] {
        func derive(_ label: String) -> [UInt8] {
            HMAC.authenticate(key: passkeyDecoyKey, message: Array((label + "\u{0}" + email).utf8), algorithm: .sha256)
        }
        let shape = derive("shape")
        let count = shape[0] < 64 ? 2 : 1
        let lengths = [16, 20, 32, 64]
        let transports: [[String]] = [["internal"], ["hybrid", "internal"], ["hybrid", "internal"], ["nfc", "usb"]]
        return (0..<count).map { index in
            let length = lengths[Int(shape[1 + 2 * index]) % lengths.count]
            var id: [UInt8] = []
            var block = 0
            while id.count < length {
                id += derive("id \(index) \(block)")
                block += 1
            }
            return PublicKeyCredentialDescriptorJSON(
                id: Array(id.prefix(length)), transports: transports[Int(shape[2 + 2 * index]) % transports.count])
        }
    }

    /// Passkey login: verifies the assertion against the stored credential, applies the counter rule, and creates a
    /// session exactly as password login does. A user-verified assertion gives `aal2`; without user verification an
    /// account with a second factor gets an MFA challenge (`mfa_required`), as after a password.
    func passkeyLogin(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let bytes = try await request.jsonBodyBytes(context: context)
        let extra = try Self.topLevelStrings(bytes, keys: ["mode"])
        let mode: PasswordLoginRequest.Mode
        switch extra["mode"] {
        case nil, "cookie"?: mode = .cookie
        case "token"?: mode = .token
        default: throw Problem.invalidField("mode", reason: "invalid", detail: "field 'mode' must be 'cookie' or 'token'")
        }
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let (passkey, credentialID, verified) = try await verifyAssertion(bytes, purpose: .authentication, context: context)

        let userID = passkey.record.userID
        let configuration = options.configuration
        let sessionToken = OpaqueToken.generate()
        let refreshToken = mode == .token ? OpaqueToken.generate() : nil
        let create = CreateSession(
            userID: userID, sessionID: Identifier.session(), tokenHash: sessionToken.hash, method: "passkey",
            aal: verified.userVerified ? "aal2" : "aal1", mode: mode.rawValue, lifetime: Int64(configuration.sessionTTL),
            idleTimeout: Int64(configuration.sessionIdleTimeout),
            refresh: refreshToken.map {
                CreateSession.Refresh(familyID: Identifier.family(), tokenHash: $0.hash, lifetime: Int64(configuration.refreshTTL))
            },
            request: requestInfo(context))
        let secondStep = mfaChallenge(userID: userID, mode: mode, request: requestInfo(context))
        let outcome = try await store.run(
            PasskeyLogin(
                credentialID: credentialID, newCount: Int64(verified.newSignCount),
                counterPolicy: configuration.webauthnCounterPolicy.rawValue, session: create, mfaChallenge: secondStep.command,
                requireVerifiedEmail: configuration.requireVerifiedEmail))
        switch outcome {
        case .mfaRequired:
            return try Respond.json(secondStep.body)
        case .rejected(let old, let new):
            throw WebAuthnError.counterRegressed(old: UInt32(clamping: old), new: UInt32(clamping: new)).problem
        case .session(let created):
            return try loginResponse(created, mode: mode, sessionToken: sessionToken, refreshToken: refreshToken)
        }
    }

    /// Verifies a passkey assertion (`toJSON()` body): the challenge (single use, for `purpose`), the credential (a
    /// registered one, of the user the challenge names if it names one; a discoverable login must return the user
    /// handle), the signature. The counter rule is the caller's command's (applied against the counter at commit
    /// time). A refused assertion of a registered passkey is recorded as `login.failed`.
    func verifyAssertion(_ bytes: [UInt8], purpose: ChallengeStore.Purpose, context: some RequestMetadataContext) async throws
        -> (Queries.FoundPasskey, String, VerifiedAuthentication)
    {
        let response: AuthenticationResponseJSON
        do throws(WebAuthnError) {
            response = try AuthenticationResponseJSON(json: bytes)
        } catch {
            throw error.problem
        }
        let challenge = try Self.challenge(ofClientData: response.response.clientDataJSON)
        let entry = try await challenges.consume(challenge, purpose)
        guard let rawID = Encoding.fromBase64URL(response.rawId), !rawID.isEmpty else {
            throw WebAuthnError.malformedResponse("rawId is not base64url").problem
        }
        let credentialID = Encoding.base64URL(rawID)
        guard let passkey = try store.query({ try $0.passkey(id: credentialID) }) else {
            throw Problem.webauthn(code: "unknown_credential", detail: "the credential is not registered")
        }
        if let expected = entry.userID, expected != passkey.record.userID {
            throw Problem.webauthn(code: "unknown_credential", detail: "the credential is not one of the account's passkeys")
        }
        if entry.userID == nil, response.response.userHandle == nil {
            try await recordPasskeyFailure(passkey, context: context)
            throw Problem.webauthn(code: "user_handle_missing", detail: "a discoverable login must return the user handle")
        }
        guard let algorithm = COSEAlgorithm(rawValue: Int(passkey.record.algorithm)) else {
            throw WebAuthnError.unsupportedAlgorithm(Int(passkey.record.algorithm)).problem
        }
        let stored = StoredCredential(
            id: rawID, publicKeySPKI: passkey.record.publicKey, algorithm: algorithm, signCount: UInt32(clamping: passkey.record.signCount),
            userHandle: Self.userHandle(passkey.record.userID), backupEligible: passkey.record.backupEligible)
        let verified: VerifiedAuthentication
        do throws(WebAuthnError) {
            // The counter rule is applied by the command against the counter stored at commit time, so that a
            // regression is recorded as an event even when the login is refused.
            verified = try verifyAuthentication(response: response, expectedChallenge: challenge, rp: assertionParty, credential: stored)
        } catch {
            try await recordPasskeyFailure(passkey, context: context)
            throw error.problem
        }
        return (passkey, credentialID, verified)
    }

    /// Records `login.failed` (method `passkey`, reason `passkey_rejected`) for a refused assertion of a registered
    /// passkey; the subject is the keyed hash of the credential id.
    func recordPasskeyFailure(_ passkey: Queries.FoundPasskey, context: some RequestMetadataContext) async throws {
        try await store.run(
            RecordLoginFailure(
                userID: passkey.record.userID, subject: keyedSubject("passkey:" + passkey.id), reason: "passkey_rejected",
                method: "passkey", request: requestInfo(context)))
    }

    /// The challenge (bytes) a response's client data names, or a 400 problem. The client data is parsed by the
    /// same strict parser as everything else (no repeated keys, bounded nesting); verification parses it again in
    /// full.
    static func challenge(ofClientData encoded: String) throws -> [UInt8] {
        guard let json = Encoding.fromBase64URL(encoded),
            let object = try? StrictJSONParser.parseObject(json)?.members,
            let text = object["challenge"]?.stringValue, let challenge = Encoding.fromBase64URL(text)
        else {
            throw WebAuthnError.malformedResponse("clientDataJSON does not name a challenge").problem
        }
        return challenge
    }

    /// The string members `keys` at the top level of a JSON object body (absent or null ones omitted), or 400 —
    /// with the checks and problems of every other body (``StrictJSONDecoder/object(from:)``).
    static func topLevelStrings(_ bytes: [UInt8], keys: [String]) throws -> [String: String] {
        let object = try StrictJSONDecoder.object(from: bytes)
        var out: [String: String] = [:]
        for key in keys {
            guard let value = object[key], value != .null else { continue }
            guard let text = value.stringValue else {
                throw Problem.invalidField(key, reason: "invalid", detail: "field '\(key)' must be a string")
            }
            out[key] = text
        }
        return out
    }
}
