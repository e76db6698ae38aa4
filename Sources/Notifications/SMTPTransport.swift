import EventLog
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Delivers mail to an SMTP relay (RFC 5321): `EHLO`, `STARTTLS` (RFC 3207) as the ``TLSPolicy`` says, `MAIL FROM`,
/// `RCPT TO`, `DATA` with dot-stuffing, `QUIT`. Every reply code is checked (a 5xx reply is a permanent failure);
/// connect, handshake, read and write are bounded by `timeout`, and each reply in lines, bytes and time
/// (``ReplyLimits``). No authentication: point it at a relay that accepts this host (or a test server such as
/// `aiosmtpd`).
public struct SMTPTransport: MailTransport {
    /// When to use `STARTTLS`.
    public enum TLSPolicy: String, Sendable, Equatable, CaseIterable {
        /// Always, with the relay's certificate verified (chain against the trust anchors, name = the relay host);
        /// a relay without `STARTTLS`, or a failed handshake, is a delivery failure: nothing is sent in clear.
        case required
        /// When the relay offers it, without verifying its certificate (protects against passive eavesdropping
        /// only); a relay without it, or a failed handshake, gets the message in clear.
        case opportunistic
        /// Never (plain SMTP).
        case off
    }

    public let host: String
    public let port: Int
    /// The name sent in `EHLO`.
    public let heloName: String
    /// Seconds for each network operation, and for each whole reply.
    public let timeout: Int
    /// Bounds of one server reply.
    public let limits: ReplyLimits
    /// When to use `STARTTLS`.
    public let tls: TLSPolicy
    /// PEM file of trust anchors for ``TLSPolicy/required`` (instead of the system's).
    public let caFile: String?

    /// Creates the transport for `host:port`.
    public init(
        host: String, port: Int, heloName: String = "authd.localhost", timeout: Int = 10, limits: ReplyLimits = ReplyLimits(),
        tls: TLSPolicy = .opportunistic, caFile: String? = nil
    ) {
        self.host = host
        self.port = port
        self.heloName = heloName
        self.timeout = timeout
        self.limits = limits
        self.tls = tls
        self.caFile = caFile
    }

    /// A transport for `HOST:PORT` or `[ADDR]:PORT`, or `nil`.
    public init?(relay: String, tls: TLSPolicy = .opportunistic, caFile: String? = nil) {
        guard let colon = relay.lastIndex(of: ":"), let port = Int(relay[relay.index(after: colon)...]), (1...65_535).contains(port) else {
            return nil
        }
        var host = String(relay[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty else { return nil }
        self.init(host: host, port: port, tls: tls, caFile: caFile)
    }

    public var description: String { "smtp://\(host):\(port) (STARTTLS \(tls.rawValue))" }

    public func deliver(_ message: MailMessage) throws {
        guard MailMessage.isPlainAddress(message.from), MailMessage.isPlainAddress(message.to) else {
            throw MailDeliveryError("refusing an address that is not a plain ASCII local@domain", permanent: true)
        }
        do {
            try deliver(message, tls: tls)
        } catch is HandshakeFailure where tls == .opportunistic {
            // Opportunistic TLS falls back to clear text when the handshake fails, as when the relay does not offer it.
            try deliver(message, tls: .off)
        } catch let failure as HandshakeFailure {
            throw failure.error
        }
    }

    /// A failed TLS handshake after `STARTTLS` (the connection is unusable).
    struct HandshakeFailure: Error {
        let error: MailDeliveryError
    }

    private func deliver(_ message: MailMessage, tls: TLSPolicy) throws {
        let connection = try Connection(host: host, port: port, timeout: timeout, limits: limits)
        defer { connection.close() }
        try connection.expect(220)
        let capabilities = try connection.command("EHLO \(heloName)", expect: 250)
        let offersTLS = capabilities.dropFirst().contains { $0.dropFirst(4).uppercased() == "STARTTLS" }
        switch tls {
        case .off:
            break
        case .opportunistic where !offersTLS:
            break
        case .required where !offersTLS:
            throw MailDeliveryError("the relay does not offer STARTTLS; refusing to send in clear text (TLS required)")
        case .required, .opportunistic:
            try connection.command("STARTTLS", expect: 220)
            let verification: TLSClient.Verification = tls == .required ? .peer(host: host, caFile: caFile) : .none
            do {
                try connection.startTLS(serverName: host, verification: verification)
            } catch {
                throw HandshakeFailure(error: error)
            }
            // RFC 3207 §4.2: forget what was learnt before TLS and greet again.
            try connection.command("EHLO \(heloName)", expect: 250)
        }
        try connection.command("MAIL FROM:<\(message.from)>", expect: 250)
        try connection.command("RCPT TO:<\(message.to)>", expect: 250, 251)
        try connection.command("DATA", expect: 354)
        try connection.send(Self.dotStuffed(message.rfc5322) + Array(".\r\n".utf8))
        try connection.expect(250)
        _ = try? connection.command("QUIT", expect: 221)
    }

    /// The message with every line that starts with `.` given an extra `.` (RFC 5321 §4.5.2).
    static func dotStuffed(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + 16)
        var atLineStart = true
        for byte in bytes {
            if atLineStart && byte == UInt8(ascii: ".") { out.append(byte) }
            out.append(byte)
            atLineStart = byte == 10
        }
        return out
    }

    /// One TCP connection with line-oriented replies, optionally switched to TLS.
    final class Connection {
        private var descriptor: Int32
        private var buffer: [UInt8] = []
        private let timeout: Int
        private let limits: ReplyLimits
        private var tls: TLSClient?

        /// Whether the connection runs TLS now, and its protocol version.
        var tlsVersion: String? { tls?.protocolVersion }

        init(host: String, port: Int, timeout: Int, limits: ReplyLimits) throws {
            self.timeout = timeout
            self.limits = limits
            var hints = addrinfo()
            hints.ai_family = AF_UNSPEC
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var list: UnsafeMutablePointer<addrinfo>?
            guard getaddrinfo(host, String(port), &hints, &list) == 0, let first = list else {
                throw MailDeliveryError("cannot resolve \(host)")
            }
            defer { freeaddrinfo(list) }
            var candidate: UnsafeMutablePointer<addrinfo>? = first
            var connected: Int32 = -1
            while let info = candidate, connected < 0 {
                let fd = socket(info.pointee.ai_family, info.pointee.ai_socktype, info.pointee.ai_protocol)
                if fd >= 0 {
                    var limit = timeval(tv_sec: timeout, tv_usec: 0)
                    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, socklen_t(MemoryLayout<timeval>.size))
                    if connect(fd, info.pointee.ai_addr, info.pointee.ai_addrlen) == 0 {
                        connected = fd
                    } else {
                        Glibc.close(fd)
                    }
                }
                candidate = info.pointee.ai_next
            }
            guard connected >= 0 else { throw MailDeliveryError("cannot connect to \(host):\(port): errno \(errno)") }
            descriptor = connected
        }

        func close() {
            tls?.shutdown()
            tls = nil
            if descriptor >= 0 { Glibc.close(descriptor) }
            descriptor = -1
        }

        /// Switches to TLS after the relay's `220` to `STARTTLS`. Bytes that arrived after that reply were sent before
        /// the handshake, in clear, by anyone on the path (a command-injection attack): refused.
        func startTLS(serverName: String, verification: TLSClient.Verification) throws(MailDeliveryError) {
            guard buffer.isEmpty else { throw MailDeliveryError("the relay sent data after its STARTTLS reply; refusing it") }
            tls = try TLSClient(descriptor: descriptor, serverName: serverName, verification: verification)
        }

        func send(_ bytes: [UInt8]) throws {
            if let tls {
                try tls.write(bytes)
                return
            }
            var sent = 0
            while sent < bytes.count {
                let n = bytes[sent...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw MailDeliveryError("write failed: errno \(errno)") }
                sent += n
            }
        }

        /// Sends `line` and reads the reply; its lines (see ``expect(_:)``).
        @discardableResult
        func command(_ line: String, expect codes: Int...) throws -> [String] {
            try send(Array((line + "\r\n").utf8))
            return try expect(codes)
        }

        @discardableResult
        func expect(_ codes: Int...) throws -> [String] { try expect(codes) }

        /// Reads one (possibly multi-line) reply and checks its code; returns its lines.
        ///
        /// A reply is bounded (``ReplyLimits``): at most `maxLines` lines, `maxBytes` bytes and `timeout` seconds
        /// in all, so a server that sends endless `250-` continuation lines, or trickles bytes, is an error instead
        /// of a read that never ends or a buffer that grows without bound.
        private func expect(_ codes: [Int]) throws -> [String] {
            let deadline = MonotonicClock.seconds() + Double(timeout)
            var lines: [String] = []
            var bytes = 0
            while true {
                let line = try readLine(maxBytes: limits.maxBytes - bytes, deadline: deadline)
                lines.append(line)
                bytes += line.utf8.count + 2
                let shown = TerminalText.escape(String(line.prefix(200)))
                guard line.count >= 3, let code = Int(line.prefix(3)) else { throw MailDeliveryError("malformed reply '\(shown)'") }
                if line.count > 3 && line[line.index(line.startIndex, offsetBy: 3)] == "-" {
                    guard lines.count < limits.maxLines else {
                        throw MailDeliveryError("reply has more than \(limits.maxLines) lines; giving up on this server")
                    }
                    continue
                }
                guard codes.contains(code) else { throw MailDeliveryError("server replied '\(shown)'", permanent: (500..<600).contains(code)) }
                return lines
            }
        }

        /// Reads one line (without CRLF) of at most `maxBytes` bytes, before `deadline`.
        private func readLine(maxBytes: Int, deadline: Double) throws -> String {
            while true {
                if let newline = buffer.firstIndex(of: 10) {
                    guard newline < maxBytes else { throw MailDeliveryError("reply longer than \(limits.maxBytes) bytes") }
                    var line = Array(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if line.last == 13 { line.removeLast() }
                    return String(decoding: line, as: UTF8.self)
                }
                guard buffer.count < maxBytes else { throw MailDeliveryError("reply longer than \(limits.maxBytes) bytes") }
                guard MonotonicClock.seconds() < deadline else { throw MailDeliveryError("reply not complete within \(timeout) s") }
                if let tls {
                    buffer.append(contentsOf: try tls.read(maximum: 4096))
                    continue
                }
                var chunk = [UInt8](repeating: 0, count: 4096)
                let n = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw MailDeliveryError(n == 0 ? "connection closed" : "read failed: errno \(errno)") }
                buffer.append(contentsOf: chunk[..<n])
            }
        }
    }
}
