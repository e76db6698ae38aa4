import Foundation
import Notifications
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A one-connection SMTP server on 127.0.0.1 for the tests: it greets, then answers every command the client sends
/// with `respond(command)`, writing what that returns; `.endless` writes `line` until the client goes away.
final class FakeSMTPServer: @unchecked Sendable {
    enum Answer {
        case text(String)
        case endless(String)
        /// `line` repeated forever, one byte every 50 ms.
        case trickle(String)
    }

    let port: Int
    private let listener: Int32
    private let finished = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var sentBytes = 0

    /// Bytes the server managed to send before the client hung up.
    var bytesSent: Int { lock.withLock { sentBytes } }

    init(greeting: Answer, respond: @escaping @Sendable (String) -> Answer) throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        listener = socketFD
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(socketFD, pointer, length) == 0 && listen(socketFD, 1) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else { throw MailDeliveryError("fake server: cannot listen") }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in
            defer { finished.signal() }
            let client = accept(socketFD, nil, nil)
            guard client >= 0 else { return }
            defer { close(client) }
            guard write(greeting, to: client) else { return }
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 1024)
            while true {
                let n = chunk.withUnsafeMutableBytes { recv(client, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                pending.append(contentsOf: chunk[..<n])
                while let newline = pending.firstIndex(of: 10) {
                    let command = String(decoding: pending[..<newline], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    pending.removeSubrange(...newline)
                    guard write(respond(command), to: client) else { return }
                }
            }
        }.start()
    }

    /// Writes `answer`; false once the client has gone.
    private func write(_ answer: Answer, to client: Int32) -> Bool {
        switch answer {
        case let .text(text):
            return text.isEmpty || send(Array(text.utf8), to: client)
        case let .endless(line):
            let bytes = Array(String(repeating: line, count: 64).utf8)
            while send(bytes, to: client) {}
            return false
        case let .trickle(line):
            let bytes = Array(line.utf8)
            var index = 0
            while send([bytes[index % bytes.count]], to: client) {
                index += 1
                usleep(50_000)
            }
            return false
        }
    }

    private func send(_ bytes: [UInt8], to client: Int32) -> Bool {
        let n = bytes.withUnsafeBytes { Glibc.send(client, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard n > 0 else { return false }
        lock.withLock { sentBytes += n }
        return true
    }

    /// Waits (up to `seconds`) for the connection to end; false if it is still going.
    func waitUntilFinished(seconds: Double) -> Bool {
        let ended = finished.wait(timeout: .now() + seconds) == .success
        close(listener)
        return ended
    }
}

@Suite("SMTP reply limits", .serialized)
struct SMTPReplyLimitTests {
    static let message = MailMessage(
        from: "authd@example.com", to: "user@example.com", subject: "Test", body: "Hello", messageID: "1@example.com", date: Date())

    @Test("a server sending endless 250- continuation lines makes delivery fail fast instead of reading forever")
    func endlessContinuationLines() throws {
        let server = try FakeSMTPServer(greeting: .text("220 fake ESMTP\r\n")) { command in
            command.hasPrefix("EHLO") ? .endless("250-PIPELINING\r\n") : .text("250 ok\r\n")
        }
        let transport = SMTPTransport(host: "127.0.0.1", port: server.port, timeout: 5)
        let started = Date()
        #expect { try transport.deliver(Self.message) } throws: { "\($0)".contains("more than 100 lines") }
        #expect(Date().timeIntervalSince(started) < 5)
        #expect(server.waitUntilFinished(seconds: 10), "the client kept the connection open")
    }

    @Test("a reply of a few enormous continuation lines is refused by its byte bound")
    func longReply() throws {
        let long = "220-" + String(repeating: "x", count: 8_000) + "\r\n"
        let server = try FakeSMTPServer(greeting: .endless(long)) { _ in .text("250 ok\r\n") }
        let transport = SMTPTransport(host: "127.0.0.1", port: server.port, timeout: 5)
        #expect { try transport.deliver(Self.message) } throws: { "\($0)".contains("reply longer than") }
        #expect(server.waitUntilFinished(seconds: 10))
    }

    @Test("a server trickling an endless reply a byte at a time is given up after the timeout")
    func tricklingReply() throws {
        let server = try FakeSMTPServer(greeting: .trickle("220-slow\r\n")) { _ in .text("250 ok\r\n") }
        let transport = SMTPTransport(host: "127.0.0.1", port: server.port, timeout: 1)
        let started = Date()
        #expect { try transport.deliver(Self.message) } throws: { "\($0)".contains("not complete within 1 s") }
        #expect(Date().timeIntervalSince(started) < 3)
        #expect(server.waitUntilFinished(seconds: 10))
    }

    @Test("an ordinary multi-line EHLO reply and a whole delivery still work")
    func ordinaryDelivery() throws {
        let server = try FakeSMTPServer(greeting: .text("220-fake\r\n220 ESMTP ready\r\n")) { command in
            switch command {
            case let c where c.hasPrefix("EHLO"): .text("250-fake\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 SIZE 1000000\r\n")
            case "DATA": .text("354 go ahead\r\n")
            case "QUIT": .text("221 bye\r\n")
            case let c where c.hasPrefix("MAIL") || c.hasPrefix("RCPT") || c == ".": .text("250 ok\r\n")
            default: .text("")
            }
        }
        try SMTPTransport(host: "127.0.0.1", port: server.port, timeout: 5).deliver(Self.message)
        #expect(server.waitUntilFinished(seconds: 10))
    }
}
