import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird
import OTP
import WebAuthn

/// The auth API: owns the hashing pool, the rate limiters, the key ring and the keyed-hash key, and registers
/// the routes on an ``AuthServer``. The ``EventStore`` is the caller's (open it before, close it after the server).
///
/// ```swift
/// let store = try EventStore(path: data, projections: DomainProjections.all)
/// let api = try AuthService(store: store, options: AuthAPIOptions(configuration: config))
/// try await AuthServer(configuration: config, readiness: { await api.isReady() }) { api.addRoutes(to: $0) }.run()
/// api.shutdown(); store.close()
/// ```
public final class AuthService: Sendable {
    /// The event store.
    public let store: EventStore
    /// The options.
    public let options: AuthAPIOptions
    /// The argon2 worker pool (bounded; 503 when saturated).
    public let pool: BoundedWorkerPool
    /// Access tokens and signing keys.
    public let tokens: AccessTokens
    /// The secret key files.
    public let files: KeyFiles
    let csrf: CSRFPolicy
    let subjectKey: [UInt8]
    /// Keys the derivation of refresh successors (``OpaqueToken/successor(of:key:)``).
    let refreshKey: [UInt8]
    /// The hash unknown accounts are verified against, so they cost what known ones cost.
    let dummyHash: String
    let loginPerIP: TokenBucketLimiter
    /// Per account: registered accounts in a table that never evicts a bucket in use, other keys apart (LRU).
    let loginPerAccount: AccountRateLimiter
    let loginStrangersPerAccount: AccountRateLimiter
    /// Device cookies and the failure budgets of password logins.
    let loginThrottle: LoginThrottle
    let registerPerIP: TokenBucketLimiter
    /// Password-reset and verification-mail requests per client address and per email address named.
    let accountMailPerIP: TokenBucketLimiter
    let accountMailPerEmail: TokenBucketLimiter
    let refreshFailuresPerIP: TokenBucketLimiter
    /// Holds refresh requests refused by ``refreshFailuresPerIP`` before answering them.
    let refreshTarpit: Tarpit
    let adminKeyDigest: [UInt8]?
    /// Keys the decoy credential ids of passkey login options for emails without passkeys (derived from the subject
    /// key with a label of its own, so it lives and rotates with it).
    let passkeyDecoyKey: [UInt8]
    /// `sessions/by_token`, resolved once for the validation hot path.
    let sessionTokens: TableHandle
    /// `sessions/by_id`, resolved once for the validation hot path.
    let sessionRecords: TableHandle
    /// The opened client IP and user agent of sessions answered recently (`GET /v1/session`).
    let sessionOrigins = SessionOriginCache()
    /// `--session-update-age`, in seconds, read once (authentication checks it on every request).
    let sessionUpdateAge: Int64
    /// The WebAuthn relying party (configured policies), for options and registration.
    let relyingParty: RelyingParty
    /// The same relying party with the counter policy `warn`: assertions are verified with it, and the configured
    /// counter policy is applied by the ``PasskeyLogin`` command, so that a regression is always recorded.
    let assertionParty: RelyingParty
    /// WebAuthn ceremony challenges (outside the log).
    let challenges: ChallengeStore
    /// Seals TOTP seeds and recovery tokens (AES-256-GCM) under the data key `<data>/keys/data.key`.
    let mfaBox: SecretBox
    /// Keys the backup-code hashes (HMAC-SHA-256): `<data>/keys/backup-codes.key`.
    let backupCodeKey: [UInt8]
    /// The demo page's files, read from the resource bundle here, before the server starts.
    let demoAssets: DemoAssets
    /// The authorization snapshot in force (roles, grants, attributes, policy), swapped whole on every change.
    public let authz: AuthzEngine
    /// With a shared log: reloads ``authz`` when other nodes' commits arrive (``AuthzFollower``).
    let authzFollower: AuthzFollower?
    /// The policy file (`--policy`), reloaded on SIGHUP (``reloadPolicy()``).
    let policyPath: String?

    /// External login: the configured providers by id, their outbound HTTP client, the `return_to` rules.
    let oidcProviders: [String: OIDCProvider]
    /// Made only when providers are configured (it must be shut down: ``shutdown()``).
    let oidcHTTP: OIDCHTTPClient?
    let returnToPolicy: ReturnToPolicy

    /// Sets up the API on `store`: key files under the configuration's data directory (generated on first
    /// start), a current signing key (generated and recorded if missing), the dummy hash, the pool.
    public init(store: EventStore, options: AuthAPIOptions) throws {
        self.store = store
        self.options = options
        demoAssets = DemoAssets.load()
        let configuration = options.configuration
        files = try KeyFiles(dataDirectory: configuration.dataDirectory)
        if PersonalDataVault.installed(on: store) == nil { try PersonalDataVault.install(on: store, keys: files) }
        subjectKey = try files.subjectKey()
        refreshKey = try files.refreshKey()
        let authz = AuthzEngine()
        try authz.reload(from: store)
        self.authz = authz
        authzFollower = store.sharedLog == nil ? nil : AuthzFollower(engine: authz, store: store)
        tokens = AccessTokens(
            store: store, files: files, issuer: configuration.issuer, audience: options.audience ?? configuration.issuer,
            lifetime: Int64(configuration.accessTokenTTL), overlap: options.keyOverlap,
            roles: { userID, now in authz.snapshot.grants(of: userID, at: now).map(\.role) })
        try tokens.ensureCurrentKey(algorithm: options.signingAlgorithm)
        dummyHash = try Argon2id.hash(password: SecureRandom.bytes(16), parameters: options.argon2)
        pool = BoundedWorkerPool(threads: options.hashingThreads, queueLimit: options.hashingQueue, retryAfter: 1, name: "authd-argon2", metricsPool: "argon2")
        csrf = CSRFPolicy(allowedOrigins: configuration.allowedOrigins)
        let clock = store.clock
        let seconds: @Sendable () -> Double = { Double(clock.now().microseconds) / 1_000_000 }
        func limiter(_ rate: RateLimit) -> TokenBucketLimiter {
            TokenBucketLimiter(
                capacity: rate.capacity, refillPerSecond: rate.perSecond, maxKeys: options.maxLimiterKeys,
                throttleRecordWindow: options.throttleRecordWindow, now: seconds)
        }
        loginPerIP = limiter(options.loginPerIP)
        // Buckets of real accounts are never evicted while in use: a flood of keys must not reset a victim's limit.
        loginPerAccount = AccountRateLimiter(
            capacity: options.loginPerAccount.capacity, refillPerSecond: options.loginPerAccount.perSecond,
            maxKeys: options.maxLimiterKeys, throttleRecordWindow: options.throttleRecordWindow, now: seconds,
            isAccount: { [store] key in Self.namesAccount(key, in: store) })
        loginStrangersPerAccount = AccountRateLimiter(
            capacity: options.loginStrangersPerAccount.capacity, refillPerSecond: options.loginStrangersPerAccount.perSecond,
            maxKeys: options.maxLimiterKeys, throttleRecordWindow: options.throttleRecordWindow, now: seconds,
            isAccount: { [store] key in Self.namesAccount(key, in: store) })
        loginThrottle = LoginThrottle(key: HMAC.authenticate(key: subjectKey, message: Array("authd device cookies".utf8), algorithm: .sha256))
        registerPerIP = limiter(options.registerPerIP)
        accountMailPerIP = limiter(options.accountMailPerIP)
        accountMailPerEmail = limiter(options.accountMailPerEmail)
        refreshFailuresPerIP = limiter(options.refreshFailuresPerIP)
        refreshTarpit = Tarpit(delay: options.refreshRefusalDelay)
        adminKeyDigest = configuration.adminKey.map { SHA256.hash(Array($0.utf8)) }
        passkeyDecoyKey = HMAC.authenticate(key: subjectKey, message: Array("authd passkey login decoys v1".utf8), algorithm: .sha256)
        sessionTokens = try store.handle(SessionsProjection(), "by_token")
        sessionRecords = try store.handle(SessionsProjection(), "by_id")
        sessionUpdateAge = Int64(configuration.sessionUpdateAge)
        let userVerification: RelyingParty.UserVerificationPolicy =
            configuration.webauthnUserVerification == .required ? .required : .preferred
        relyingParty = try RelyingParty(
            id: configuration.rpID, name: configuration.rpName, allowedOrigins: configuration.allowedOrigins,
            userVerification: userVerification, counterPolicy: configuration.webauthnCounterPolicy == .warn ? .warn : .reject)
        assertionParty = try RelyingParty(
            id: configuration.rpID, name: configuration.rpName, allowedOrigins: configuration.allowedOrigins,
            userVerification: userVerification, counterPolicy: .warn)
        challenges = try ChallengeStore(store: store)
        mfaBox = try SecretBox(key: try DataKeyFile.loadOrCreate(path: files.dataKeyPath))
        backupCodeKey = try DataKeyFile.loadOrCreate(path: files.directory + "/backup-codes.key")

        let http = configuration.oidcProviders.isEmpty ? nil : OIDCHTTPClient()
        oidcHTTP = http
        oidcProviders = Dictionary(
            uniqueKeysWithValues: configuration.oidcProviders.compactMap { provider in
                http.map { (provider.id, OIDCProvider(configuration: provider, http: $0, clock: clock)) }
            })
        returnToPolicy = ReturnToPolicy(allowedURLs: configuration.allowedReturnURLs)
        policyPath = configuration.policyFile
        if let policyPath { try loadPolicyAtStart(policyPath) }
    }

    /// The clock (the store's).
    public var clock: any Clock { store.clock }

    /// Registers every API route.
    public func addRoutes(to routes: AuthRoutes) {
        addUserRoutes(routes)
        addLoginRoutes(routes)
        addSessionRoutes(routes)
        addTokenRoutes(routes)
        addPasswordRoutes(routes)
        addIntrospectionRoutes(routes)
        addJWKSRoutes(routes)
        addPasskeyRoutes(routes)
        addMFARoutes(routes)
        addReauthenticationRoutes(routes)
        addDemoRoutes(routes)
        addAccountRoutes(routes)
        addOAuthRoutes(routes)
        addIdentityRoutes(routes)
        addAuthzRoutes(routes)
        addAdminRoutes(routes)
        addBootstrapRoutes(routes)
    }

    /// Readiness: the log is writable (an empty command goes through the writer and its transaction commits; with
    /// the PostgreSQL engine that also locks the shared head, so a node that cannot reach its database is not ready).
    public func isReady() async -> Bool {
        (try? await store.execute { _ in true }) ?? false
    }

    /// Stops the hashing pool (queued work still finishes) and the providers' HTTP client.
    public func shutdown() {
        authzFollower?.stop()
        pool.shutdown()
        oidcHTTP?.shutdown()
    }

    /// Runs argon2 work in the bounded pool (503 when saturated), at a lower CPU priority than the event loops, so
    /// that a login flood slows logins rather than every other request.
    func hashing<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await pool.run {
            Self.lowerThreadPriority()
            return try work()
        }
    }

    /// Lowers the calling worker thread's scheduling priority once (Linux: `setpriority` acts on the calling thread;
    /// libargon2's lane threads inherit it). Public so benchmarks can run raw argon2 at the same priority.
    public static func lowerThreadPriority() {
        let marker = "AuthAPI.hashing.niced"
        guard Thread.current.threadDictionary[marker] == nil else { return }
        Thread.current.threadDictionary[marker] = true
        #if os(Linux)
        _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
        #endif
    }

    // MARK: Helpers for the routes

    /// The request's context for events.
    func requestInfo(_ context: some RequestMetadataContext) -> RequestInfo {
        RequestInfo(requestID: context.requestID, clientIP: context.clientIP, userAgent: context.userAgent)
    }

    /// HMAC-SHA-256 (hex) of `value` under the subject key: how emails and IPs appear in the log.
    public func keyedSubject(_ value: String) -> String {
        Encoding.hex(HMAC.authenticate(key: subjectKey, message: Array(value.utf8), algorithm: .sha256))
    }

    /// Whether a per-account limiter key names a registered account: `acct:<email>` and `recovery:<email>` of an
    /// existing user, and `mfa:<user id>` (only ever made for an authenticated user).
    static func namesAccount(_ key: String, in store: EventStore) -> Bool {
        if key.hasPrefix("mfa:") { return true }
        // Failure budgets of password logins: `fail:<email>|<client>` (``LoginThrottle``).
        if key.hasPrefix("fail:"), let bar = key.lastIndex(of: "|") {
            let email = String(key[key.index(key.startIndex, offsetBy: 5)..<bar])
            return (try? store.query { try $0.user(email: email) }) != nil
        }
        for prefix in ["acct:", "recovery:"] where key.hasPrefix(prefix) {
            let email = String(key.dropFirst(prefix.count))
            return (try? store.query { try $0.user(email: email) }) != nil
        }
        return false
    }

    /// Takes one attempt from `key`'s bucket, or records `login.throttled` (once per key per window) and throws 429.
    func consume(
        _ limiter: any RateLimiting, key: String, scope: String, userID: @autoclosure () throws -> String?,
        context: some RequestMetadataContext
    ) async throws {
        guard case .limited(let retryAfter) = limiter.consume(key, cost: 1) else { return }
        APIMetrics.rateLimited(scope: scope)
        if limiter.shouldRecordThrottle(key) {
            try await store.run(
                RecordThrottle(
                    scope: scope, subject: keyedSubject(key), userID: try userID(), retryAfter: Int64(retryAfter),
                    request: requestInfo(context)))
        }
        throw Problem.tooManyRequests(retryAfter: retryAfter)
    }

    /// The limiter key of the request's client address: IPv6 addresses grouped by /64, IPv4-mapped ones as IPv4
    /// (``IPAddress/limiterKey(_:)``).
    func ipKey(_ context: some RequestMetadataContext) -> String { "ip:" + (context.clientIP.map(IPAddress.limiterKey) ?? "unknown") }

    /// Checks the password length rule for a new password.
    static func checkNewPassword(_ password: String, field: String) throws(Problem) {
        switch PasswordPolicy.violation(password) {
        case "too_short"?:
            throw Problem.invalidField(field, reason: "too_short", detail: "field '\(field)' must have at least \(PasswordPolicy.minimumLength) characters")
        case "too_long"?:
            throw Problem.invalidField(field, reason: "too_long", detail: "field '\(field)' must have at most \(PasswordPolicy.maximumLength) characters")
        default:
            return
        }
    }

    /// Refuses a presented password that could never be valid (too long to be worth hashing).
    static func checkPresentedPassword(_ password: String, field: String) throws(Problem) {
        if PasswordPolicy.violation(password) == "too_long" {
            throw Problem.invalidField(field, reason: "too_long", detail: "field '\(field)' must have at most \(PasswordPolicy.maximumLength) characters")
        }
    }

    /// The normalised email, or 400.
    static func normalizedEmail(_ raw: String) throws(Problem) -> String {
        guard let email = Email.normalize(raw) else {
            throw Problem.invalidField("email", reason: "invalid", detail: "field 'email' is not a valid email address")
        }
        return email
    }
}

/// JSON responses with extra headers, for the routes.
enum Respond {
    /// The `Pragma` header (`no-cache` beside `Cache-Control: no-store`, for HTTP/1.0 caches).
    static let pragma = HTTPFields.Element.Name("Pragma")!

    /// A JSON body with `Cache-Control: no-store` (responses carrying tokens or personal data).
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.cacheControl] = "no-store"
        fields[pragma] = "no-cache"
        return try JSONResponseEncoder.response(value, status: status, headers: fields)
    }

    /// 204 with `headers`.
    static func noContent(headers: HTTPFields = [:]) -> Response {
        Response(status: .noContent, headers: headers)
    }
}
