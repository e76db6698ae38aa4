import COpenSSL

#if canImport(Glibc)
import Glibc
#endif

/// A TLS client session (OpenSSL libssl, TLS 1.2 or newer) over an already connected socket, for SMTP `STARTTLS`.
/// The only place in this module that holds OpenSSL pointers; they never leave it.
///
/// With ``Verification/peer(host:caFile:)`` the handshake fails unless the server's chain verifies against the trust
/// anchors (the system's, or the PEM file `caFile`) and the certificate names `host` (a DNS name, or an IP address
/// literal matched against IP subject alternative names). ``Verification/none`` encrypts without authenticating the
/// server (opportunistic TLS: protects against passive eavesdropping only).
final class TLSClient {
    /// How the server is authenticated.
    enum Verification {
        /// Not at all.
        case none
        /// Chain and name checked; `caFile` replaces the system trust store when given.
        case peer(host: String, caFile: String?)
    }

    private let context: OpaquePointer
    private let ssl: OpaquePointer

    /// Runs the handshake on `descriptor` (blocking; the socket's own timeouts bound it). `serverName` is sent as SNI
    /// when it is a DNS name.
    init(descriptor: Int32, serverName: String, verification: Verification) throws(MailDeliveryError) {
        ERR_clear_error()
        guard let method = TLS_client_method(), let context = SSL_CTX_new(method) else {
            throw MailDeliveryError("TLS: cannot create a context: \(Self.lastError())")
        }
        guard c_notifications_ctx_min_tls12(context) == 1 else {
            SSL_CTX_free(context)
            throw MailDeliveryError("TLS: cannot require TLS 1.2")
        }
        switch verification {
        case .none:
            SSL_CTX_set_verify(context, SSL_VERIFY_NONE, nil)
        case .peer(_, let caFile):
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER, nil)
            let loaded = caFile.map { SSL_CTX_load_verify_locations(context, $0, nil) } ?? SSL_CTX_set_default_verify_paths(context)
            guard loaded == 1 else {
                SSL_CTX_free(context)
                throw MailDeliveryError("TLS: cannot load trust anchors \(caFile ?? "(system)"): \(Self.lastError())")
            }
        }
        guard let ssl = SSL_new(context) else {
            SSL_CTX_free(context)
            throw MailDeliveryError("TLS: cannot create a session: \(Self.lastError())")
        }
        self.context = context
        self.ssl = ssl
        let isAddress = Self.isIPAddress(serverName)
        if !isAddress { _ = c_notifications_set_sni(ssl, serverName) }
        if case .peer(let host, _) = verification {
            let named = Self.isIPAddress(host) ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard named == 1 else { throw MailDeliveryError("TLS: cannot set the expected name \(host)") }
        }
        guard SSL_set_fd(ssl, descriptor) == 1 else { throw MailDeliveryError("TLS: cannot attach the socket") }
        let result = SSL_connect(ssl)
        guard result == 1 else {
            let verify = SSL_get_verify_result(ssl)
            let reason =
                verify != X509_V_OK
                ? "certificate verification failed: " + String(cString: X509_verify_cert_error_string(verify))
                : Self.lastError()
            throw MailDeliveryError("TLS handshake failed: \(reason)")
        }
    }

    deinit {
        SSL_free(ssl)
        SSL_CTX_free(context)
    }

    /// The negotiated protocol, e.g. `TLSv1.3`.
    var protocolVersion: String { String(cString: SSL_get_version(ssl)) }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(MailDeliveryError) {
        var sent = 0
        while sent < bytes.count {
            let chunk = min(bytes.count - sent, Int(Int32.max))
            let n = bytes[sent...].withUnsafeBytes { SSL_write(ssl, $0.baseAddress, Int32(chunk)) }
            guard n > 0 else { throw MailDeliveryError("TLS write failed: \(describe(n))") }
            sent += Int(n)
        }
    }

    /// Reads up to `maximum` bytes (at least one); throws at end of stream, on a timeout or an error.
    func read(maximum: Int) throws(MailDeliveryError) -> [UInt8] {
        var chunk = [UInt8](repeating: 0, count: maximum)
        let n = chunk.withUnsafeMutableBytes { SSL_read(ssl, $0.baseAddress, Int32($0.count)) }
        guard n > 0 else { throw MailDeliveryError(n == 0 ? "TLS connection closed" : "TLS read failed: \(describe(n))") }
        return Array(chunk[..<Int(n)])
    }

    /// Sends `close_notify` (best effort; the socket is closed by its owner).
    func shutdown() {
        _ = SSL_shutdown(ssl)
    }

    private func describe(_ result: Int32) -> String {
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_ZERO_RETURN: return "closed by the peer"
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return "timed out"
        case SSL_ERROR_SYSCALL: return "errno \(errno)"
        default: return "SSL error \(code): \(Self.lastError())"
        }
    }

    private static func isIPAddress(_ text: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, text, &buffer) == 1 || inet_pton(AF_INET6, text, &buffer) == 1
    }

    private static func lastError() -> String {
        let code = ERR_get_error()
        guard code != 0 else { return "unknown error" }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
