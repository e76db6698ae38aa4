import COpenSSL

/// An error from the cryptographic layer, with OpenSSL's error queue drained into text.
public struct CryptoError: Error, Equatable, Sendable, CustomStringConvertible {
    /// What failed.
    public let operation: String
    /// OpenSSL's queued error messages at the time of failure, oldest first.
    public let details: [String]

    /// Creates an error for `operation`, draining OpenSSL's thread-local error queue.
    public init(_ operation: String) {
        self.operation = operation
        self.details = Self.drainOpenSSLErrors()
    }

    init(_ operation: String, details: [String]) {
        self.operation = operation
        self.details = details
    }

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
}
