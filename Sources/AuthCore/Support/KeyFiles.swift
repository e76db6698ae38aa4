import AuthCrypto
import EventLog
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Secret key material kept next to the log, never in it: `<data>/keys/` (mode 0700) holds
///
/// - `subject.key`: 32 random bytes (base64url) keying the hashes that name emails and IPs in `login.failed` and
///   `login.throttled`, so the log cannot be used to enumerate addresses;
/// - `signing-<kid>.pem`: one PKCS#8 PEM private key per access-token signing key;
/// - `data.key`: 32 raw bytes, the AES-256-GCM key sealing TOTP seeds and recovery tokens in MFA events;
/// - `backup-codes.key`: 32 raw bytes keying the HMAC hashes of backup codes;
/// - `refresh.key`: 32 random bytes (base64url) keying the derivation of a refresh token's successor from the token
///   itself (``OpaqueToken/successor(of:key:)``), so that a grace-window re-exchange hands out the same child;
/// - `email.key`: 32 random bytes (base64url) keying the hashes under which users are found by email
///   (``PersonalDataVault/emailHash(_:)``): the log and the projections never hold an address in plaintext.
///
/// Every file is created with mode 0600 (a temporary file, fsync'd, linked into place, directory fsync'd), and
/// loaded with the data key's checks: a symbolic link, another owner's file or one group or others can access is
/// refused (``SecretFile``).
public struct KeyFiles: Sendable {
    /// Errors reading or writing key files.
    public struct Failure: Error, CustomStringConvertible, Sendable {
        public let description: String
        public init(_ description: String) { self.description = description }
    }

    /// The key directory.
    public let directory: String

    /// Key files under `dataDirectory/keys`, creating the directory (0700) if needed.
    public init(dataDirectory: String) throws {
        directory = dataDirectory + "/keys"
        if !FileManager.default.fileExists(atPath: directory) {
            try FileManager.default.createDirectory(
                atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
    }

    /// The path of the data key that seals recoverable secrets (TOTP seeds, recovery tokens in transit to the notifier).
    public var dataKeyPath: String { directory + "/data.key" }

    /// The path of the signing key `kid`.
    public func signingKeyPath(_ kid: String) -> String { directory + "/signing-\(kid).pem" }

    /// The subject key, generated on first use.
    public func subjectKey() throws -> [UInt8] { try randomKey("subject.key") }

    /// The refresh-successor key, generated on first use.
    public func refreshKey() throws -> [UInt8] { try randomKey("refresh.key") }

    /// The email-lookup key, generated on first use.
    public func emailKey() throws -> [UInt8] { try randomKey("email.key") }

    /// The data key (32 raw bytes in `data.key`, the format `DataKeyFile` reads and writes), generated on first use.
    /// It seals the users' data keys (``PersonalDataVault``) besides TOTP seeds and recovery tokens.
    public func dataKey() throws -> [UInt8] {
        let path = dataKeyPath
        if let bytes = try SecretFile.contents(path) {
            guard bytes.count == 32 else { throw Failure("\(path) does not hold a 32-byte key") }
            return bytes
        }
        let created = SecureRandom.bytes(32)
        let result: Result<Void, Failure> = Result { () throws(Failure) in try SecretFile.create(path, created) }
        switch result {
        case .success: return created
        case .failure(let error) where error.description.hasSuffix("exists"): return try dataKey()  // another process created it first
        case .failure(let error): throw error
        }
    }

    /// The 32-byte key in `<keys>/name` (base64url text), generated on first use.
    func randomKey(_ name: String) throws -> [UInt8] {
        let path = directory + "/" + name
        if let text = try readSecret(path) {
            guard let key = Encoding.fromBase64URL(text.trimmingCharacters(in: .whitespacesAndNewlines)), key.count == 32 else {
                throw Failure("\(path) does not hold a 32-byte base64url key")
            }
            return key
        }
        let key = SecureRandom.bytes(32)
        do {
            try writeSecret(path, Encoding.base64URL(key) + "\n")
            return key
        } catch let error as Failure where error.description.hasSuffix("exists") {
            return try randomKey(name)  // another process created it first
        }
    }

    /// The private signing key `kid`, or `nil` if its file does not exist.
    public func signingKey(_ kid: String) throws -> SigningKey? {
        guard let pem = try readSecret(signingKeyPath(kid)) else { return nil }
        return try SigningKey(pkcs8PEM: pem)
    }

    /// Generates a signing key, writes it to a new key file and returns it with its new kid.
    public func generateSigningKey(_ algorithm: SignatureAlgorithm, at now: Timestamp) throws -> (kid: String, key: SigningKey) {
        let key = try SigningKey.generate(algorithm)
        let kid = "k_" + now.rfc3339.prefix(10) + "_" + Encoding.base64URL(SecureRandom.bytes(6))
        try writeSecret(signingKeyPath(kid), try key.pkcs8PEM())
        return (kid, key)
    }

    /// Reads a secret file (``SecretFile/contents(_:)``: no symlink, regular file, owned by this user, mode 0600 or
    /// narrower); `nil` if it does not exist.
    func readSecret(_ path: String) throws -> String? {
        guard let bytes = try SecretFile.contents(path) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Creates `path` (must not exist) with mode 0600 holding `text`: temporary file, fsync, atomic link into
    /// place, directory fsync (``SecretFile/create(_:_:)``).
    func writeSecret(_ path: String, _ text: String) throws {
        try SecretFile.create(path, Array(text.utf8))
    }
}

/// Signing-key rotation shared by `authd` (first start) and `authctl keys rotate`.
public enum SigningKeyRotation {
    /// Generates a key of `algorithm` into a key file, then records `signing_key.rotated` (kid and public key only)
    /// if the current kid is still `expectedCurrent`. Returns the new kid, or `nil` if another rotation won (the
    /// unused key file is removed).
    public static func rotate(
        store: EventStore, files: KeyFiles, algorithm: SignatureAlgorithm, expectedCurrent: String?, actor: Actor = .system
    ) throws -> String? {
        let (kid, key) = try files.generateSigningKey(algorithm, at: store.clock.now())
        let rotated = try store.runSync(
            RotateSigningKey(
                kid: kid, algorithm: algorithm.rawValue, publicKey: key.publicKey.spkiDER, expectedCurrent: expectedCurrent, actor: actor))
        if !rotated { try? FileManager.default.removeItem(atPath: files.signingKeyPath(kid)) }
        return rotated ? kid : nil
    }
}
