import AuthCore
import AuthCrypto
import EventLog
import JOSE
import Synchronization

/// Access tokens (JWT) and the signing-key ring.
///
/// The log says which key is current (`signing_key.rotated`, public half only); the private keys are PEM files
/// under `<data>/keys` (see ``KeyFiles``). Signing reads the current kid from the projection each time (one
/// LMDB read), so a rotation by `authctl keys rotate` is picked up without a restart. Verification trusts the
/// published keys (current plus recently retired, see ``Queries/publishedSigningKeys(at:overlap:)``), pinned to the
/// algorithm each key was recorded with, never to a token's header.
public final class AccessTokens: Sendable {
    /// Claims of a verified access token that the API uses.
    public struct Verified: Sendable {
        public var userID: String
        public var sessionID: String
        public var aal: String?
        public var expiresAt: Int64
        public var issuedAt: Int64?
        public var jwtID: String?
    }

    private struct Ring {
        var signers: [String: JWSSigner] = [:]
        var verifierKids: [String] = []
        var verifier: JWTVerifier?
        var jwks = JWKS(keys: [])
        var refreshedAt: Timestamp?
    }

    let store: EventStore
    let files: KeyFiles
    let issuer: String
    let audience: String
    /// Access token lifetime, seconds.
    let lifetime: Int64
    let overlap: Int64
    private let ring = Mutex(Ring())

    /// The roles a user holds at an instant (the `roles` claim).
    let roles: @Sendable (String, Timestamp) -> [String]

    init(
        store: EventStore, files: KeyFiles, issuer: String, audience: String, lifetime: Int64, overlap: Int64,
        roles: @escaping @Sendable (String, Timestamp) -> [String] = { _, _ in [] }
    ) {
        self.roles = roles
        self.store = store
        self.files = files
        self.issuer = issuer
        self.audience = audience
        self.lifetime = lifetime
        self.overlap = overlap
    }

    /// Makes sure a current signing key exists and its private key file is present; generates one otherwise.
    func ensureCurrentKey(algorithm: SignatureAlgorithm) throws {
        let current = try store.query { try $0.currentSigningKeyID() }
        if let current, try files.signingKey(current) != nil { return }
        _ = try SigningKeyRotation.rotate(store: store, files: files, algorithm: algorithm, expectedCurrent: current)
        try ensureCurrentKey(algorithm: algorithm)
    }

    /// The signer of the current key.
    private func currentSigner() throws -> JWSSigner {
        guard let kid = try store.query({ try $0.currentSigningKeyID() }) else { throw KeyFiles.Failure("no signing key") }
        if let signer = ring.withLock({ $0.signers[kid] }) { return signer }
        guard let key = try files.signingKey(kid) else { throw KeyFiles.Failure("signing key file for \(kid) is missing") }
        let signer = try JWSSigner(key: key, keyID: kid)
        ring.withLock { $0.signers[kid] = signer }
        return signer
    }

    /// Signs an access token for a session: `iss aud sub sid iat exp jti aal roles`, header `alg kid typ`. `roles` are
    /// the user's roles at issue: a role revoked later stays in the token until it expires (`/v1/authz/check` and
    /// introspection are always current).
    func issue(userID: String, sessionID: String, aal: String, now: Timestamp) throws -> (token: String, expiresIn: Int64) {
        let signer = try currentSigner()
        let iat = now.seconds
        let claims: [String: JOSE.JSONValue] = [
            "iss": .string(issuer), "aud": .string(audience), "sub": .string(userID), "sid": .string(sessionID),
            "iat": .number(Double(iat)), "exp": .number(Double(iat + lifetime)),
            "jti": .string(Encoding.base64URL(SecureRandom.bytes(16))), "aal": .string(aal),
            "roles": .array(roles(userID, now).map { .string($0) }),
        ]
        return (try signer.sign(claims: claims), lifetime)
    }

    /// Verifies an access token at `now`; `nil` for anything not a valid token of ours.
    func verify(_ token: String, now: Timestamp) -> Verified? {
        guard let verifier = try? verifier(now: now, force: false) else { return nil }
        var result = Result { try verifier.verify(token, now: now.seconds) }
        if case .failure(JWTError.unknownKeyID) = result, let fresh = try? self.verifier(now: now, force: true) {
            result = Result { try fresh.verify(token, now: now.seconds) }
        }
        guard case .success(let claims) = result, let sid = claims.all["sid"]?.stringValue,
            Identifier.isWellFormed(sid, prefix: "ses_"), Identifier.isWellFormed(claims.subject, prefix: "usr_")
        else { return nil }
        return Verified(
            userID: claims.subject, sessionID: sid, aal: claims.all["aal"]?.stringValue, expiresAt: Int64(claims.expiresAt),
            issuedAt: claims.issuedAt.map { Int64($0) }, jwtID: claims.jwtID)
    }

    /// The published keys as a JWKS.
    func jwks(now: Timestamp) throws -> JWKS {
        _ = try verifier(now: now, force: false)
        return ring.withLock { $0.jwks }
    }

    /// The verifier over the published keys, rebuilt when the set changes (checked at most once a second).
    private func verifier(now: Timestamp, force: Bool) throws -> JWTVerifier {
        let cached = ring.withLock { ring -> JWTVerifier? in
            guard !force, let verifier = ring.verifier, let at = ring.refreshedAt, now >= at, now < at.adding(seconds: 1) else {
                return nil
            }
            return verifier
        }
        if let cached { return cached }
        let published = try store.query { try $0.publishedSigningKeys(at: now, overlap: overlap) }
        let kids = published.map(\.kid)
        if let verifier = ring.withLock({ ring -> JWTVerifier? in
            guard ring.verifierKids == kids, let verifier = ring.verifier else { return nil }
            ring.refreshedAt = now
            return verifier
        }) {
            return verifier
        }
        var trusted: [TrustedKey] = []
        for key in published {
            guard let algorithm = JWSAlgorithm(rawValue: key.record.algorithm) else { continue }
            trusted.append(try TrustedKey(keyID: key.kid, algorithm: algorithm, publicKey: try PublicKey(spkiDER: key.record.publicKey)))
        }
        let verifier = try JWTVerifier(keys: trusted, policy: JWTValidationPolicy(issuer: issuer, audience: audience))
        ring.withLock { ring in
            ring.verifierKids = kids
            ring.verifier = verifier
            ring.jwks = JWKS(keys: trusted)
            ring.refreshedAt = now
        }
        return verifier
    }
}
