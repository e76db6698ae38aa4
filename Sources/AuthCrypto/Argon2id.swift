import CArgon2

/// Password hashing with Argon2id (RFC 9106) in the PHC string format:
/// `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>` (salt and hash in unpadded standard base64).
///
/// Hashing and verification take tens of milliseconds and `memoryKiB` of memory: run them off the
/// cooperative thread pool and bound how many run at once.
public enum Argon2id {
    /// Salt bytes drawn for each new hash.
    public static let saltByteCount = 16
    /// Tag bytes in each new hash.
    public static let tagByteCount = 32
    /// The most memory a stored hash may demand (2 GiB); encodings asking for more are refused, not run.
    public static let maximumMemoryKiB: UInt32 = 2 * 1024 * 1024
    /// The most passes a stored hash may demand.
    public static let maximumIterations: UInt32 = 64
    /// The most lanes a stored hash may demand.
    public static let maximumParallelism: UInt32 = 64

    /// Hashes `password` into a PHC string with a random 16-byte salt (or `salt`, for tests).
    /// Throws `.invalidInput` for parameters outside libargon2's limits or above the maximums here.
    public static func hash(password: [UInt8], parameters: Parameters = .default, salt: [UInt8]? = nil) throws(CryptoError) -> String {
        try parameters.checkWithinLimits()
        let salt = salt ?? SecureRandom.bytes(saltByteCount)
        let encodedLength = argon2_encodedlen(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                              UInt32(salt.count), UInt32(tagByteCount), Argon2_id)
        var encoded = [CChar](repeating: 0, count: encodedLength)
        let status = password.withNonNullBytes { passwordPointer, passwordCount in
            salt.withNonNullBytes { saltPointer, saltCount in
                encoded.withUnsafeMutableBufferPointer { output in
                    argon2_hash(parameters.iterations, parameters.memoryKiB, parameters.parallelism,
                                passwordPointer, passwordCount, saltPointer, saltCount,
                                nil, tagByteCount, output.baseAddress, output.count, Argon2_id, ARGON2_VERSION_13.rawValue)
                }
            }
        }
        guard status == ARGON2_OK.rawValue else { throw Argon2.error(status, "argon2id hash") }
        return String(decoding: encoded.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Hashes the UTF-8 bytes of `password` (no Unicode normalization is applied).
    public static func hash(password: String, parameters: Parameters = .default) throws(CryptoError) -> String {
        try hash(password: Array(password.utf8), parameters: parameters)
    }

    /// Whether `password` matches `encoded`, an `$argon2id$` or `$argon2i$` PHC string (v=19, or the legacy
    /// version-less 0x10 form). Malformed encodings, other variants and parameters above the maximums
    /// return `false` without running Argon2.
    public static func verify(encoded: String, password: [UInt8]) -> Bool {
        guard let phc = PHCString(encoded), phc.parameters.isWithinMaximums else { return false }
        let type: argon2_type
        switch phc.variant {
        case .argon2id: type = Argon2_id
        case .argon2i: type = Argon2_i
        case .argon2d: return false
        }
        // PHCString admits only printable ASCII, so the C string is exactly `encoded`.
        let status = encoded.withCString { cEncoded in
            password.withNonNullBytes { pointer, count in argon2_verify(cEncoded, pointer, count, type) }
        }
        return status == ARGON2_OK.rawValue
    }

    /// `verify(encoded:password:)` for the UTF-8 bytes of `password`.
    public static func verify(encoded: String, password: String) -> Bool {
        verify(encoded: encoded, password: Array(password.utf8))
    }

    /// The m, t and p of a well-formed `$argon2id$`/`$argon2i$`/`$argon2d$` PHC string, or `nil`.
    public static func parameters(of encoded: String) -> Parameters? {
        PHCString(encoded)?.parameters
    }

    /// Whether `encoded` should be replaced by a fresh hash after a successful login: it is not Argon2id
    /// version 19, or its memory or passes are below `target`'s, or it does not parse.
    public static func needsRehash(_ encoded: String, target: Parameters = .default) -> Bool {
        guard let phc = PHCString(encoded) else { return true }
        return phc.variant != .argon2id || phc.version != .v13
            || phc.parameters.memoryKiB < target.memoryKiB || phc.parameters.iterations < target.iterations
    }
}
