import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Hummingbird
import OTP

/// `{code}` or `{backup_code}`: a second factor.
struct FactorRequest: StrictDecodable {
    let code: String?
    let backupCode: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case code, backupCode = "backup_code" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `POST /v1/mfa/totp/confirm {code, revoke_other_sessions?}`.
struct ConfirmTOTPRequest: StrictDecodable {
    let code: String
    let revokeOtherSessions: Bool?
    enum CodingKeys: String, CodingKey, CaseIterable { case code, revokeOtherSessions = "revoke_other_sessions" }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct TOTPConfirmedResponse: Encodable {
    let backupCodes: [String]
    let revokedSessions: Int
    enum CodingKeys: String, CodingKey { case backupCodes = "backup_codes", revokedSessions = "revoked_sessions" }
}

/// `POST /v1/login/mfa {mfa_token, code | backup_code}`.
struct MFALoginRequest: StrictDecodable {
    let mfaToken: String
    let code: String?
    let backupCode: String?
    enum CodingKeys: String, CodingKey, CaseIterable { case mfaToken = "mfa_token", code, backupCode = "backup_code" }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `POST /v1/mfa/recovery/request {email}`.
struct RecoveryRequest: StrictDecodable {
    let email: String
    enum CodingKeys: String, CodingKey, CaseIterable { case email }
    static let allowedFields = fields(of: CodingKeys.self)
}

/// `POST /v1/mfa/recovery/complete {token}`.
struct RecoveryCompleteRequest: StrictDecodable {
    let token: String
    enum CodingKeys: String, CodingKey, CaseIterable { case token }
    static let allowedFields = fields(of: CodingKeys.self)
}

struct TOTPEnrollResponse: Encodable {
    let secret: String
    let otpauthURI: String
    let qrSVG: String
    let expiresAt: String
    enum CodingKeys: String, CodingKey { case secret, otpauthURI = "otpauth_uri", qrSVG = "qr_svg", expiresAt = "expires_at" }
}

struct BackupCodesResponse: Encodable {
    let backupCodes: [String]
    enum CodingKeys: String, CodingKey { case backupCodes = "backup_codes" }
}

struct MFAStatusResponse: Encodable {
    struct Recovery: Encodable {
        let notBefore: String
        let expiresAt: String
        enum CodingKeys: String, CodingKey { case notBefore = "not_before", expiresAt = "expires_at" }
    }
    let totpEnabled: Bool
    let enabledAt: String?
    let backupCodesRemaining: Int
    let recovery: Recovery?
    let sessionAAL: String
    enum CodingKeys: String, CodingKey {
        case totpEnabled = "totp_enabled", enabledAt = "enabled_at", backupCodesRemaining = "backup_codes_remaining", recovery
        case sessionAAL = "session_aal"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(totpEnabled, forKey: .totpEnabled)
        try container.encodeIfPresent(enabledAt, forKey: .enabledAt)
        try container.encode(backupCodesRemaining, forKey: .backupCodesRemaining)
        try container.encodeIfPresent(recovery, forKey: .recovery)
        try container.encode(sessionAAL, forKey: .sessionAAL)
    }
}

struct MFARequiredResponse: Encodable {
    let mfaRequired = true
    let mfaToken: String
    let methods: [String]
    let expiresAt: String
    enum CodingKeys: String, CodingKey { case mfaRequired = "mfa_required", mfaToken = "mfa_token", methods, expiresAt = "expires_at" }
}

struct StepUpResponse: Encodable {
    let aal: String
    let aal2ExpiresAt: String
    /// The session's new token, for a caller that presented the session token as a bearer (a cookie caller gets it
    /// in `Set-Cookie`): the old token is dead.
    var sessionToken: String?
    /// A new access token with the new `aal`, for a caller that presented an access token.
    var accessToken: String?
    var expiresIn: Int64?
    enum CodingKeys: String, CodingKey {
        case aal, aal2ExpiresAt = "aal2_expires_at", sessionToken = "session_token", accessToken = "access_token", expiresIn = "expires_in"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(aal, forKey: .aal)
        try container.encode(aal2ExpiresAt, forKey: .aal2ExpiresAt)
        try container.encodeIfPresent(sessionToken, forKey: .sessionToken)
        try container.encodeIfPresent(accessToken, forKey: .accessToken)
        try container.encodeIfPresent(expiresIn, forKey: .expiresIn)
    }
}

struct RecoveryRequestedResponse: Encodable {
    let status = "accepted"
    let detail = "if the account has two-factor authentication, a recovery notice was sent to its email"
}

struct RecoveryCompletedResponse: Encodable {
    let revokedSessions: Int
    enum CodingKeys: String, CodingKey { case revokedSessions = "revoked_sessions" }
}

/// Second-factor policy constants.
enum MFAPolicy {
    /// Seconds an unconfirmed TOTP enrollment stays valid.
    static let enrollmentLifetime: Int64 = 600
    /// Seconds an MFA login challenge (`mfa_token`) stays valid.
    static let challengeLifetime: Int64 = 300
    /// Seconds `aal2` counts as fresh for sensitive changes (step-up).
    static let stepUpMaxAge: Int64 = 600
    /// Seconds a recovery token stays usable after its waiting period.
    static let recoveryUsableFor: Int64 = 72 * 3600
    /// TOTP seed size (RFC 4226 recommends 160 bits for SHA-1).
    static let secretByteCount = 20
    /// Accepted TOTP steps on either side of the current one.
    static let window = 1
}

extension AuthService {
    func addMFARoutes(_ routes: AuthRoutes) {
        let user = routes.authenticated(by: self)
        // Planting or removing a factor locks the owner out: only a session that proved its holder recently may.
        let recent = routes.authenticated(by: self, .recentAuthentication)
        user.get("/v1/mfa") { request, context in
            let principal = context.principal
            let record = try self.store.query { try $0.mfa(ofUser: principal.userID) } ?? MFARecord()
            let now = self.clock.now()
            var recovery: MFAStatusResponse.Recovery?
            if record.pendingRecovery(at: now) != nil, let notBefore = record.recoveryNotBefore, let expiresAt = record.recoveryExpiresAt {
                recovery = MFAStatusResponse.Recovery(notBefore: notBefore.rfc3339, expiresAt: expiresAt.rfc3339)
            }
            return try Respond.json(
                MFAStatusResponse(
                    totpEnabled: record.isEnabled, enabledAt: record.enabledAt?.rfc3339,
                    backupCodesRemaining: record.isEnabled ? record.backupCodesRemaining : 0, recovery: recovery,
                    sessionAAL: principal.session.record.aal))
        }
        recent.post("/v1/mfa/totp/enroll") { request, context in try await self.enrollTOTP(request, context: context) }
        user.post("/v1/mfa/totp/confirm") { request, context in try await self.confirmTOTP(request, context: context) }
        recent.delete("/v1/mfa/totp") { request, context in
            let principal = context.principal
            try await self.store.run(DisableTOTP(userID: principal.userID, request: self.requestInfo(context)))
            return Respond.noContent()
        }
        recent.post("/v1/mfa/backup-codes") { request, context in
            let principal = context.principal
            let (codes, setID, hashes) = try self.newBackupCodes()
            try await self.store.run(RegenerateBackupCodes(userID: principal.userID, setID: setID, hashes: hashes, request: self.requestInfo(context)))
            return try Respond.json(BackupCodesResponse(backupCodes: codes))
        }
        user.post("/v1/mfa/step-up") { request, context in try await self.stepUp(request, context: context) }
        routes.post("/v1/login/mfa") { request, context in try await self.mfaLogin(request, context: context) }
        routes.post("/v1/mfa/recovery/request") { request, context in try await self.requestRecovery(request, context: context) }
        routes.post("/v1/mfa/recovery/complete") { request, context in try await self.completeRecovery(request, context: context) }
        routes.authenticated(by: self, .aal2Session).post("/v1/mfa/recovery/cancel") { request, context in
            let principal = context.principal
            guard try await self.store.run(CancelMFARecovery(userID: principal.userID, request: self.requestInfo(context))) else {
                throw Problem.notFound("no recovery is pending")
            }
            return Respond.noContent()
        }
    }

    // MARK: Enrollment

    /// Starts TOTP enrollment: a fresh seed, sealed into `mfa.totp_enrollment_started`; the seed, its `otpauth://` URI
    /// and a QR code of it are returned once.
    func enrollTOTP(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        // Every enrollment is an event: the per-user MFA bucket keeps a session from flooding the log with them.
        try await consumeMFAAttempt(userID: principal.userID, context: context)
        guard let user = try store.query({ try $0.user(id: principal.userID) }) else { throw AuthError.unknownUser }
        let secret = SecureRandom.bytes(MFAPolicy.secretByteCount)
        let sealed = try mfaBox.seal(secret, associatedData: StartTOTPEnrollment.sealedSecretAssociatedData(userID: principal.userID))
        let expiresAt = clock.now().adding(seconds: MFAPolicy.enrollmentLifetime)
        try await store.run(StartTOTPEnrollment(userID: principal.userID, sealedSecret: sealed, expiresAt: expiresAt, request: requestInfo(context)))
        let uri = try OTPAuthURI(issuer: options.configuration.rpName, accountName: user.email, secret: secret, totp: TOTP())
        let svg = try QRCode(text: uri.string).svg(moduleSize: 4)
        return try Respond.json(
            TOTPEnrollResponse(secret: Base32.encode(secret), otpauthURI: uri.string, qrSVG: svg, expiresAt: expiresAt.rfc3339))
    }

    /// Confirms enrollment with a code of the pending seed: TOTP on, and the 10 backup codes returned once. With
    /// `revoke_other_sessions: true` every other session of the user ends (`revoked_sessions` says how many).
    func confirmTOTP(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let body = try await request.decodeStrict(as: ConfirmTOTPRequest.self, context: context)
        let code = body.code
        try await consumeMFAAttempt(userID: principal.userID, context: context)
        guard let record = try store.query({ try $0.mfa(ofUser: principal.userID) }) else { throw AuthError.noPendingEnrollment }
        guard !record.isEnabled else { throw AuthError.mfaAlreadyEnabled }
        guard let sealed = record.pendingSecret, let expiry = record.pendingExpiresAt, clock.now() < expiry else {
            throw AuthError.noPendingEnrollment
        }
        let secret = try mfaBox.open(sealed, associatedData: StartTOTPEnrollment.sealedSecretAssociatedData(userID: principal.userID))
        guard let match = try TOTP().verify(code: code, secret: secret, at: clock.now().seconds, window: MFAPolicy.window, lastUsedStep: nil) else {
            try await store.run(RecordMFAFailure(userID: principal.userID, challengeID: nil, method: "totp", request: requestInfo(context)))
            throw Problem.invalidCode(status: .badRequest)
        }
        let (codes, setID, hashes) = try newBackupCodes()
        let revoked = try await store.run(
            ConfirmTOTP(
                userID: principal.userID, sealedSecret: sealed, step: Int64(match.step), backupSetID: setID, backupHashes: hashes,
                revokeOtherSessions: body.revokeOtherSessions ?? false, keepSessionID: principal.sessionID, request: requestInfo(context)))
        return try Respond.json(TOTPConfirmedResponse(backupCodes: codes, revokedSessions: revoked))
    }

    /// Ten fresh backup codes (display form), a set id, and their keyed hashes.
    func newBackupCodes() throws -> (codes: [String], setID: String, hashes: [[UInt8]]) {
        let codes = BackupCodes.generate()
        let hashes = try codes.map { try BackupCodes.hash(code: $0, key: backupCodeKey) }
        return (codes, Identifier.backupCodeSet(), hashes)
    }

    // MARK: Factors

    /// The user's bucket of second-factor attempts (enrollment, confirmation, step-up, MFA login) in the per-account
    /// limiter.
    static func mfaBucketKey(_ userID: String) -> String { "mfa:" + userID }

    /// Takes one second-factor attempt from the user's bucket (429 when it is empty).
    func consumeMFAAttempt(userID: String, context: some RequestMetadataContext) async throws {
        try await consume(loginPerAccount, key: Self.mfaBucketKey(userID), scope: "account", userID: userID, context: context)
    }

    /// The attempt `code` / `backupCode` make (exactly one must be given: else 400), checked by the command inside
    /// the transaction against the record it reads there.
    func factorAttempt(userID: String, code: String?, backupCode: String?) throws -> FactorAttempt {
        let method: String
        switch (code, backupCode) {
        case (_?, nil): method = "totp"
        case (nil, _?): method = "backup_code"
        default: throw Problem.invalidBody("give exactly one of 'code' (TOTP) and 'backup_code'")
        }
        return FactorAttempt(method: method) { record in
            try self.checkFactor(userID: userID, record: record, code: code, backupCode: backupCode).0
        }
    }

    /// The factor in `code` / `backupCode` if it is right for `record` (TOTP: a code of a step after the last used
    /// one; backup code: an unused code of the current set), `nil` if it is wrong. Exactly one must be given (400).
    func checkFactor(userID: String, record: MFARecord, code: String?, backupCode: String?) throws -> (PresentedFactor?, method: String) {
        switch (code, backupCode) {
        case (let code?, nil):
            guard let sealed = record.totpSecret else { return (nil, "totp") }
            let secret = try mfaBox.open(sealed, associatedData: StartTOTPEnrollment.sealedSecretAssociatedData(userID: userID))
            let last = record.lastStep.map { UInt64(clamping: $0) }
            let match = try TOTP().verify(code: code, secret: secret, at: clock.now().seconds, window: MFAPolicy.window, lastUsedStep: last)
            return (match.map { .totp(step: Int64($0.step)) }, "totp")
        case (nil, let backup?):
            guard let setID = record.backupSetID,
                let index = try BackupCodes.firstMatch(code: backup, key: backupCodeKey, storedHashes: record.backupCodeHashes),
                !record.isBackupCodeUsed(index)
            else { return (nil, "backup_code") }
            return (.backupCode(setID: setID, index: Int64(index)), "backup_code")
        default:
            throw Problem.invalidBody("give exactly one of 'code' (TOTP) and 'backup_code'")
        }
    }

    /// Hands a session's new token to the caller the way it authenticated: a cookie caller gets `Set-Cookie` (the
    /// cookie keeps the session's remaining lifetime), a session-token bearer the token in `sessionToken`; an
    /// access-token caller (whose session token it never held) a new access token with `aal`.
    func newSessionCredentials(
        _ principal: Principal, token: OpaqueToken, aal: String, now: Timestamp, into sessionToken: inout String?,
        _ accessToken: inout String?, _ expiresIn: inout Int64?
    ) throws -> HTTPFields {
        var headers = HTTPFields()
        switch principal.method {
        case .cookie:
            let remaining = max(0, (principal.session.record.expiresAt.microseconds - now.microseconds) / 1_000_000)
            headers[.setCookie] = sessionCookie(token.text, maxAge: Int(remaining))
        case .sessionToken:
            sessionToken = token.text
        case .accessToken:
            let access = try tokens.issue(userID: principal.userID, sessionID: principal.sessionID, aal: aal, now: now)
            accessToken = access.token
            expiresIn = access.expiresIn
        }
        return headers
    }

    /// The ``AuthRequirement/stepUp`` check. Refuses (403, step-up problem) a sensitive change from a session without `aal2` obtained in the last
    /// ``MFAPolicy/stepUpMaxAge`` seconds, when the user has a second factor.
    func requireStepUp(_ principal: Principal) throws {
        guard try store.query({ try $0.mfa(ofUser: principal.userID)?.isEnabled }) == true else { return }
        guard principal.session.record.hasRecentAAL2(at: clock.now(), maxAge: MFAPolicy.stepUpMaxAge) else {
            throw Problem.stepUpRequired(maxAge: MFAPolicy.stepUpMaxAge)
        }
    }

    /// Raises the caller's session to `aal2` with a second factor. The session gets a new token (the old one is dead
    /// from here): in `Set-Cookie` for a cookie caller, as `session_token` for a session-token bearer; an
    /// access-token caller gets a new access token with `aal2`.
    func stepUp(_ request: Request, context: AuthenticatedContext) async throws -> Response {
        let principal = context.principal
        let body = try await request.decodeStrict(as: FactorRequest.self, context: context)
        let attempt = try factorAttempt(userID: principal.userID, code: body.code, backupCode: body.backupCode)
        try await consumeMFAAttempt(userID: principal.userID, context: context)
        let newToken = OpaqueToken.generate()
        switch try await store.run(
            StepUpSession(
                sessionID: principal.sessionID, userID: principal.userID, attempt: attempt, newTokenHash: newToken.hash,
                request: requestInfo(context)))
        {
        case .accepted: break
        case .refused: throw Problem.invalidCode(status: .unauthorized)
        case .locked(let until): throw Problem.mfaLocked(until: until, now: clock.now())
        }
        let now = clock.now()
        var answer = StepUpResponse(aal: "aal2", aal2ExpiresAt: now.adding(seconds: MFAPolicy.stepUpMaxAge).rfc3339)
        let headers = try newSessionCredentials(
            principal, token: newToken, aal: "aal2", now: now, into: &answer.sessionToken, &answer.accessToken, &answer.expiresIn)
        return try Respond.json(answer, headers: headers)
    }

    // MARK: Login

    /// The answer to a correct password when the account has a second factor: `login.mfa_required` and a
    /// single-use `mfa_token` (only its hash is recorded), no session.
    func mfaChallenge(userID: String, mode: PasswordLoginRequest.Mode, request: RequestInfo) -> (command: RequireMFA, body: MFARequiredResponse) {
        let token = OpaqueToken.generate()
        let expiresAt = clock.now().adding(seconds: MFAPolicy.challengeLifetime)
        let methods = ["totp", "backup_code"]
        let command = RequireMFA(
            userID: userID, challengeID: Identifier.mfaChallenge(), tokenHash: token.hash, methods: methods, mode: mode.rawValue,
            expiresAt: expiresAt, request: request)
        return (command, MFARequiredResponse(mfaToken: token.text, methods: methods, expiresAt: expiresAt.rfc3339))
    }

    /// Completes a password login with the second factor: an `aal2` session.
    func mfaLogin(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: MFALoginRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        let now = clock.now()
        guard let tokenHash = OpaqueToken.hash(of: body.mfaToken),
            let challenge = try store.query({ try $0.mfaChallenge(tokenHash: tokenHash, at: now) })
        else { throw Problem.mfaChallengeInvalid }
        let userID = challenge.userID
        let attempt = try factorAttempt(userID: userID, code: body.code, backupCode: body.backupCode)
        try await consumeMFAAttempt(userID: userID, context: context)
        let info = requestInfo(context)
        let mode: PasswordLoginRequest.Mode = challenge.mode == "token" ? .token : .cookie
        let configuration = options.configuration
        let sessionToken = OpaqueToken.generate()
        let refreshToken = mode == .token ? OpaqueToken.generate() : nil
        let create = CreateSession(
            userID: userID, sessionID: Identifier.session(), tokenHash: sessionToken.hash, method: "mfa", aal: "aal2", mode: mode.rawValue,
            lifetime: Int64(configuration.sessionTTL), idleTimeout: Int64(configuration.sessionIdleTimeout),
            refresh: refreshToken.map {
                CreateSession.Refresh(familyID: Identifier.family(), tokenHash: $0.hash, lifetime: Int64(configuration.refreshTTL))
            },
            request: info)
        let factor: APIMetrics.Method = body.code != nil ? .totp : .backupCode
        switch try await store.run(CompleteMFALogin(challengeTokenHash: tokenHash, attempt: attempt, session: create)) {
        case .challengeInvalid:
            APIMetrics.login(factor, .failure)
            throw Problem.mfaChallengeInvalid
        case .locked(let until):
            APIMetrics.login(factor, .locked)
            throw Problem.mfaLocked(until: until, now: clock.now())
        case .refused(let attemptsLeft):
            APIMetrics.login(factor, .failure)
            var problem = Problem.invalidCode(status: .unauthorized)
            problem.extensions["attempts_left"] = .int(Int(attemptsLeft))
            throw problem
        case .session(let created):
            APIMetrics.login(factor, .success)
            loginPerAccount.reset(Self.mfaBucketKey(userID))
            return try loginResponse(created, mode: mode, sessionToken: sessionToken, refreshToken: refreshToken)
        }
    }

    // MARK: Recovery

    /// Requests MFA recovery. The answer, and the work behind it (one durable commit), are the same whether or not
    /// the email exists or has MFA (``RequestMFARecovery``): for an account with MFA, `mfa.recovery_requested` (token
    /// hashed, and sealed for the notifier) starts the waiting period; a pending one is kept, its notice re-sent at
    /// most hourly.
    func requestRecovery(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: RecoveryRequest.self, context: context)
        let email = try Self.normalizedEmail(body.email)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        try await consume(loginPerAccount, key: "recovery:" + email, scope: "account", userID: nil, context: context)
        let token = OpaqueToken.generate()
        let recoveryID = Identifier.recovery()
        let raw = Encoding.fromBase64URL(token.text) ?? []
        let sealed = try mfaBox.seal(raw, associatedData: RequestMFARecovery.sealedTokenAssociatedData(recoveryID: recoveryID))
        let now = clock.now()
        let notBefore = now.adding(seconds: Int64(options.configuration.mfaRecoveryDelay))
        let user = try store.query({ try $0.user(email: email) })
        _ = try await store.run(
            RequestMFARecovery(
                userID: user?.id, recoveryID: recoveryID, tokenHash: token.hash, sealedToken: sealed, notBefore: notBefore,
                expiresAt: notBefore.adding(seconds: MFAPolicy.recoveryUsableFor),
                maxPerDay: Int64(options.configuration.mfaRecoveryMaxPerDay), request: requestInfo(context)))
        return try Respond.json(RecoveryRequestedResponse(), status: .accepted)
    }

    /// Completes a recovery after its waiting period: MFA removed, every session and refresh family revoked.
    func completeRecovery(_ request: Request, context: AuthRequestContext) async throws -> Response {
        let body = try await request.decodeStrict(as: RecoveryCompleteRequest.self, context: context)
        try await consume(loginPerIP, key: ipKey(context), scope: "ip", userID: nil, context: context)
        guard let hash = OpaqueToken.hash(of: body.token) else { throw Problem.invalidRecoveryToken }
        switch try await store.run(CompleteMFARecovery(tokenHash: hash, request: requestInfo(context))) {
        case .invalid:
            throw Problem.invalidRecoveryToken
        case .tooEarly(let notBefore):
            throw Problem.recoveryWaiting(notBefore: notBefore, now: clock.now())
        case .completed(_, let revoked):
            return try Respond.json(RecoveryCompletedResponse(revokedSessions: revoked))
        }
    }
}
