import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A minimal blocking HTTP/1.1 keep-alive client over loopback, one thread per connection: enough to measure
/// requests per second and latency percentiles without an external tool.
final class HTTPConnection {
    let port: Int
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []

    init(port: Int) { self.port = port }

    deinit { if fd >= 0 { close(fd) } }

    private func connectIfNeeded() throws {
        guard fd < 0 else { return }
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketFD >= 0 else { throw LoadError("socket failed") }
        var one: Int32 = 1
        setsockopt(socketFD, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(socketFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(socketFD)
            throw LoadError("connect failed")
        }
        fd = socketFD
        buffer.removeAll(keepingCapacity: true)
    }

    private func reset() {
        if fd >= 0 { close(fd) }
        fd = -1
    }

    /// Sends `request` and returns (status, headers text, body); reconnects once if the connection was closed.
    func roundTrip(_ request: [UInt8]) throws -> (status: Int, headers: String, body: [UInt8]) {
        for attempt in 0..<2 {
            do {
                try connectIfNeeded()
                try send(request)
                return try receive()
            } catch {
                reset()
                if attempt == 1 { throw error }
            }
        }
        throw LoadError("unreachable")
    }

    private func send(_ bytes: [UInt8]) throws {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { Glibc.send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard n > 0 else { throw LoadError("send failed") }
            sent += n
        }
    }

    private func fill() throws {
        var chunk = [UInt8](repeating: 0, count: 16_384)
        let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { throw LoadError("connection closed") }
        buffer.append(contentsOf: chunk[0..<n])
    }

    private func receive() throws -> (status: Int, headers: String, body: [UInt8]) {
        var headerEnd: Int?
        while headerEnd == nil {
            if buffer.count >= 4 {
                for i in 0...(buffer.count - 4) where buffer[i] == 13 && buffer[i + 1] == 10 && buffer[i + 2] == 13 && buffer[i + 3] == 10 {
                    headerEnd = i + 4
                    break
                }
            }
            if headerEnd == nil { try fill() }
        }
        let head = String(decoding: buffer[0..<headerEnd!], as: UTF8.self)
        let status = Int(head.dropFirst(9).prefix(3)) ?? 0
        var length = 0
        for line in head.split(separator: "\r\n") where line.lowercased().hasPrefix("content-length:") {
            length = Int(line.dropFirst(15).trimmingCharacters(in: .whitespaces)) ?? 0
        }
        while buffer.count < headerEnd! + length { try fill() }
        let body = Array(buffer[headerEnd!..<(headerEnd! + length)])
        buffer.removeFirst(headerEnd! + length)
        return (status, head, body)
    }
}

struct LoadError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// Builds raw requests.
enum RawRequest {
    static func get(_ path: String, headers: [String] = []) -> [UInt8] {
        Array((["GET \(path) HTTP/1.1", "Host: 127.0.0.1"] + headers + ["", ""]).joined(separator: "\r\n").utf8)
    }

    static func postJSON(_ path: String, _ json: String, headers: [String] = []) -> [UInt8] {
        let body = Array(json.utf8)
        let head = (["POST \(path) HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json", "Content-Length: \(body.count)"]
            + headers + ["", ""]).joined(separator: "\r\n")
        return Array(head.utf8) + body
    }
}

/// The outcome of a load run.
struct LoadResult {
    var requests = 0
    var seconds = 0.0
    var latencies: [Double] = []
    var statuses: [Int: Int] = [:]

    var rps: Double { Double(requests) / seconds }

    /// Latency percentile in milliseconds.
    func percentile(_ p: Double) -> Double {
        guard !latencies.isEmpty else { return 0 }
        let sorted = latencies.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count) * p))] * 1000
    }

    mutating func merge(_ other: LoadResult) {
        requests += other.requests
        latencies.append(contentsOf: other.latencies)
        for (status, count) in other.statuses { statuses[status, default: 0] += count }
    }
}

/// Runs `connections` threads for `duration` seconds; each makes one connection and loops `step`, which returns the
/// status it got (or nil to stop that connection).
func runLoad(connections: Int, duration: Double, port: Int, step: @escaping @Sendable (Int, HTTPConnection) throws -> Int?) -> LoadResult {
    runLoad(connections: connections, duration: duration, ports: [port], step: step)
}

/// Like ``runLoad(connections:duration:port:step:)``, with connection `index` to `ports[index % ports.count]` (load
/// spread evenly over several servers).
func runLoad(connections: Int, duration: Double, ports: [Int], step: @escaping @Sendable (Int, HTTPConnection) throws -> Int?) -> LoadResult {
    /// `@unchecked Sendable`: its fields are guarded by its lock.
    final class Accumulator: @unchecked Sendable {
        let lock = NSLock()
        var result = LoadResult()
    }
    let total = Accumulator()
    let group = DispatchGroup()
    let deadline = monotonicSeconds() + duration
    let start = monotonicSeconds()
    for index in 0..<connections {
        group.enter()
        let thread = Thread {
            var local = LoadResult()
            let connection = HTTPConnection(port: ports[index % ports.count])
            while monotonicSeconds() < deadline {
                let begin = monotonicSeconds()
                guard let status = try? step(index, connection) else { break }
                local.latencies.append(monotonicSeconds() - begin)
                local.requests += 1
                local.statuses[status, default: 0] += 1
            }
            total.lock.lock()
            total.result.merge(local)
            total.lock.unlock()
            group.leave()
        }
        thread.stackSize = 256 * 1024
        thread.start()
    }
    group.wait()
    var result = total.result
    result.seconds = monotonicSeconds() - start
    return result
}
