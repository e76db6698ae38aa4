import COpenSSL

/// An error from the cryptographic layer, with OpenSSL's error queue drained into text.
public struct CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The broad reason for a failure, for callers that branch on it.
    public enum Kind: Sendable, Equatable {
        /// OpenSSL or libargon2 reported a failure (see `details`).
        case library
        /// The caller passed bytes of the wrong length or shape (a key, a nonce, an encoding).
        case invalidInput
        /// A key is malformed, of an unsupported type or size, or does not fit the requested algorithm.
        case invalidKey
        /// Authenticated decryption failed: the ciphertext, tag, nonce, key or associated data do not match.
        case authenticationFailed
    }

    /// The broad reason for the failure.
    public let kind: Kind
    /// What failed.
    public let operation: String
    /// OpenSSL's queued error messages at the time of failure, oldest first.
    public let details: [String]

    /// Creates a library error for `operation`, draining OpenSSL's thread-local error queue.
    public init(_ operation: String) {
        self.init(.library, operation)
    }

    /// Creates an error of `kind` for `operation`, draining OpenSSL's thread-local error queue so that
    /// stale entries never leak into a later error.
    public init(_ kind: Kind, _ operation: String) {
        self.kind = kind
        self.operation = operation
        self.details = Self.drainOpenSSLErrors()
    }

    init(_ operation: String, details: [String]) {
        self.kind = .library
        self.operation = operation
        self.details = details
    }

    /// The operation, followed by OpenSSL's messages if there were any.
    public var description: String {
        details.isEmpty ? operation : "\(operation): \(details.joined(separator: "; "))"
    }

    /// Reads and clears OpenSSL's error queue (the one choke point from OpenSSL errors to Swift).
    static func drainOpenSSLErrors() -> [String] {
        var messages: [String] = []
        while true {
            let code = ERR_get_error()
            if code == 0 { break }
            var buffer = [CChar](repeating: 0, count: 256)
            ERR_error_string_n(code, &buffer, buffer.count)
            messages.append(String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
        return messages
    }

    /// Discards OpenSSL's queued errors after an expected failure (a signature that does not verify).
    static func discardOpenSSLErrors() {
        _ = drainOpenSSLErrors()
    }
}
