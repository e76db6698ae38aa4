import ArgumentParser
import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Hummingbird

/// `authbench http`: the auth server in this process on a loopback port, driven by a built-in keep-alive HTTP load
/// generator (one thread per connection). Prints `key: value` figures from one run.
struct HTTPBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "http",
        abstract: "HTTP figures: validate vs hello rps, in-process validation, refresh and login rates, a login flood.",
        discussion: """
            validate_rps: GET /v1/session with a bearer session token; hello_rps: GET /healthz on the same server \
            (same connections); validate_inproc_ns: SHA-256 + LMDB read in-process; refresh_rps: durable rotations \
            with one refresh chain per connection; login_rps vs argon2_raw_hps (libargon2 at the same parameters with \
            as many threads as the pool, at the pool's lowered priority); flood: peak RSS and validate p99 while --flood-connections clients log in.
            """)

    @Option(help: "Seconds per rps measurement.") var duration: Double = 5
    @Option(help: "Connections for validate/hello/refresh.") var connections: Int = 64
    @Option(help: "Seconds for login_rps and the raw argon2 rate.") var loginDuration: Double = 10
    @Option(help: "Connections of the login flood.") var floodConnections: Int = 200
    @Option(help: "argon2 memory, KiB.") var argon2MemoryKib: Int = 65_536
    @Option(help: "argon2 iterations.") var argon2Iterations: Int = 3
    @Option(help: "argon2 lanes.") var argon2Parallelism: Int = 4
    @Option(help: "Use this wrk binary for hello/validate (apt-get install -y wrk); 'auto' uses /usr/bin/wrk if present, 'none' the built-in client.")
    var wrk: String = "auto"
    @Option(help: "Only serve for this many seconds after the setup, printing the port and a bearer session token (for profiling with perf while wrk runs against it), then exit.")
    var serveFor: Double = 0

    func run() throws {
        let directory = try temporaryDirectory("http")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var configuration = ServerConfiguration(
            dataDirectory: directory, host: "127.0.0.1", port: 0, argon2MemoryKiB: argon2MemoryKib, argon2Iterations: argon2Iterations,
            argon2Parallelism: argon2Parallelism)
        configuration.logLevel = .critical
        var options = AuthAPIOptions(configuration: configuration)
        let unlimited = RateLimit(capacity: 1e9, perSecond: 1e9)
        options.loginPerIP = unlimited
        options.loginPerAccount = unlimited
        options.registerPerIP = unlimited
        options.loginStrangersPerAccount = unlimited
        // A refresh reserves a failure of its address before it reads the body and gives it back for a known token:
        // the benchmark's connections, all on one address, hold that many reservations at once on top of the
        // production budget (which the refresh flood below spends).
        options.refreshFailuresPerIP.capacity += Double(connections)
        let store = try EventStore(path: directory, projections: DomainProjections.all)
        let api = try AuthService(store: store, options: options)
        let port = try Self.startServer(configuration: configuration, api: api)
        let parameters = options.argon2
        report("pool_threads", Double(options.hashingThreads))
        print("argon2: \(parameters)")

        // Setup: one user, a cookie-mode session token.
        let setup = HTTPConnection(port: port)
        let email = "bench@example.com", password = "correct horse battery"
        _ = try setup.roundTrip(RawRequest.postJSON("/v1/users", #"{"email":"\#(email)","password":"\#(password)"}"#))
        let login = try setup.roundTrip(RawRequest.postJSON("/v1/login/password", #"{"email":"\#(email)","password":"\#(password)","mode":"cookie"}"#))
        guard login.status == 200, let cookie = Self.cookie(login.headers) else { throw LoadError("login failed: \(login.status)") }
        if serveFor > 0 {
            FileHandle.standardOutput.write("port: \(port)\nbearer: \(cookie)\n".data(using: .utf8)!)
            Thread.sleep(forTimeInterval: serveFor)
            api.shutdown()
            store.close()
            return
        }

        // hello vs validate, same server, same connections.
        let hello = RawRequest.get("/healthz")
        let validate = RawRequest.get("/v1/session", headers: ["Authorization: Bearer \(cookie)"])
        let wrkPath = wrk == "auto" ? (FileManager.default.isExecutableFile(atPath: "/usr/bin/wrk") ? "/usr/bin/wrk" : nil) : (wrk == "none" ? nil : wrk)
        var helloRPS = 0.0
        if let wrkPath {
            // Interleaved short runs (ABBA order), so that load from other processes on a shared machine hits both
            // endpoints alike; rates are averaged, p99 is the median of the rounds.
            let rounds = 4
            let slice = max(1, duration * 2 / Double(rounds))
            print("load_generator: wrk (\(connections) connections, 2 threads, \(rounds) interleaved rounds of \(Int(slice)) s)")
            let auth = "Authorization: Bearer \(cookie)"
            // Every endpoint measured is warmed up alike first (1 s each): a first round on a cold path measured
            // about a quarter slower than the later ones.
            _ = try Self.runWrk(wrkPath, port: port, path: "/healthz", connections: connections, duration: 1)
            _ = try Self.runWrk(wrkPath, port: port, path: "/v1/session", headers: [auth], connections: connections, duration: 1)
            _ = try Self.runWrk(wrkPath, port: port, path: "/bench/check", headers: [auth], connections: connections, duration: 1)
            var helloRuns: [(rps: Double, p99: Double, non2xx: Int)] = [], validateRuns: [(rps: Double, p99: Double, non2xx: Int)] = []
            var checkRuns: [(rps: Double, p99: Double, non2xx: Int)] = [], helloAuthRuns: [(rps: Double, p99: Double, non2xx: Int)] = []
            for round in 0..<rounds {
                let order = round % 2 == 0 ? [0, 1, 2, 3] : [3, 2, 1, 0]
                for which in order {
                    switch which {
                    case 0: helloRuns.append(try Self.runWrk(wrkPath, port: port, path: "/healthz", connections: connections, duration: slice))
                    case 1: validateRuns.append(try Self.runWrk(wrkPath, port: port, path: "/v1/session", headers: [auth], connections: connections, duration: slice))
                    case 2: checkRuns.append(try Self.runWrk(wrkPath, port: port, path: "/bench/check", headers: [auth], connections: connections, duration: slice))
                    default: helloAuthRuns.append(try Self.runWrk(wrkPath, port: port, path: "/healthz", headers: [auth], connections: connections, duration: slice))
                    }
                }
            }
            func mean(_ runs: [(rps: Double, p99: Double, non2xx: Int)]) -> Double { runs.map(\.rps).reduce(0, +) / Double(runs.count) }
            func medianP99(_ runs: [(rps: Double, p99: Double, non2xx: Int)]) -> Double { runs.map(\.p99).sorted()[runs.count / 2] }
            report("hello_rps", mean(helloRuns))
            helloRPS = mean(helloRuns)
            report("hello_p99_ms", medianP99(helloRuns), decimals: 2)
            report("validate_rps", mean(validateRuns))
            report("validate_p99_ms", medianP99(validateRuns), decimals: 2)
            report("validate_ratio", mean(validateRuns) / mean(helloRuns), decimals: 3)
            report("check_only_rps", mean(checkRuns))
            report("check_only_ratio", mean(checkRuns) / mean(helloRuns), decimals: 3)
            report("hello_with_auth_header_rps", mean(helloAuthRuns))
            print("hello_rounds: \(helloRuns.map { Int($0.rps) })")
            print("validate_rounds: \(validateRuns.map { Int($0.rps) })")
            let non2xx = validateRuns.map(\.non2xx).reduce(0, +)
            if non2xx > 0 { FileHandle.standardError.write("warning: validate had \(non2xx) non-2xx\n".data(using: .utf8)!) }
        } else {
            print("load_generator: built-in (\(connections) connections)")
            _ = runLoad(connections: connections, duration: 1, port: port) { _, c in try c.roundTrip(hello).status }  // warm-up
            let helloResult = runLoad(connections: connections, duration: duration, port: port) { _, c in try c.roundTrip(hello).status }
            let validateResult = runLoad(connections: connections, duration: duration, port: port) { _, c in try c.roundTrip(validate).status }
            report("hello_rps", helloResult.rps)
            helloRPS = helloResult.rps
            report("hello_p99_ms", helloResult.percentile(0.99), decimals: 2)
            report("validate_rps", validateResult.rps)
            report("validate_p99_ms", validateResult.percentile(0.99), decimals: 2)
            report("validate_ratio", validateResult.rps / helloResult.rps, decimals: 3)
            Self.expectOnly(200, validateResult, "validate")
        }

        // In-process validation: SHA-256 of the token and one LMDB read snapshot. Thread CPU time, so that other
        // processes on a shared machine do not inflate it; the wall-clock figure is printed too.
        let iterations = 200_000
        let now = store.clock.now()
        guard try api.checkSessionToken(cookie, now: now) != nil else { throw LoadError("session check failed") }
        for _ in 0..<10_000 { _ = try api.checkSessionToken(cookie, now: now) }
        let (cpu, wall) = try Self.measure(iterations) { _ = try api.checkSessionToken(cookie, now: now) }
        report("validate_inproc_ns", cpu)
        report("validate_inproc_wall_ns", wall)
        let hash = OpaqueToken.hash(of: cookie)!
        report("inproc_token_hash_ns", try Self.measure(iterations) { _ = OpaqueToken.hash(of: cookie) }.cpu)
        report("inproc_read_snapshot_ns", try Self.measure(iterations) { _ = try store.read { _ in 0 } }.cpu)
        report("inproc_session_and_record_ns", try Self.measure(iterations) { _ = try api.validateSessionToken(cookie, now: now) }.cpu)
        _ = hash
        let active = try api.validateSessionToken(cookie, now: now)!
        let principal = Principal(method: .sessionToken, session: active)
        report("inproc_session_response_ns", try Self.measure(iterations / 4) { _ = try api.currentSessionJSON(principal) }.cpu)
        report("inproc_timestamp_format_ns", try Self.measure(iterations) { _ = RFC3339.format(now) }.cpu)

        // Refresh: each connection rotates its own family's chain; every rotation is a durable commit.
        let chains = TokenChains(count: connections + 1)  // one spare for wrk (``RefreshLoad``)
        for index in 0...connections {
            let r = try setup.roundTrip(RawRequest.postJSON("/v1/login/password", #"{"email":"\#(email)","password":"\#(password)","mode":"token"}"#))
            guard r.status == 200, let token = Self.jsonString(r.body, "refresh_token") else { throw LoadError("token login failed") }
            chains.set(index, token)
        }
        let before = store.statistics
        let cpuBefore = RefreshLoad.processCPUSeconds()
        let refresh: (rps: Double, p99: Double, non2xx: Int, rotations: Double)
        if let wrkPath {
            // The load generator of hello_rps (its own process), so the process CPU below is the server's alone.
            let run = try RefreshLoad.run(wrk: wrkPath, port: port, tokens: chains.all, duration: duration, directory: directory)
            refresh = (run.rps, run.p99, run.non2xx, Double(store.statistics.commands - before.commands))
        } else {
            let result = runLoad(connections: connections, duration: duration, port: port) { index, c in
                let r = try c.roundTrip(RawRequest.postJSON("/v1/token/refresh", #"{"refresh_token":"\#(chains.get(index))"}"#))
                guard r.status == 200, let next = Self.jsonString(r.body, "refresh_token") else { return nil }
                chains.set(index, next)
                return r.status
            }
            refresh = (result.rps, result.percentile(0.99), result.requests - (result.statuses[200] ?? 0), Double(result.requests))
        }
        let cpuSeconds = RefreshLoad.processCPUSeconds() - cpuBefore
        let after = store.statistics
        report("refresh_rps", refresh.rps)
        report("refresh_p99_ms", refresh.p99, decimals: 2)
        report("refresh_commands_per_commit", Double(after.commands - before.commands) / Double(max(1, after.commits - before.commits)), decimals: 1)
        // This process's CPU per rotation: the whole server (and, without wrk, the built-in client too).
        report("refresh_cpu_us", cpuSeconds / max(1, refresh.rotations) * 1e6, decimals: 1)
        if helloRPS > 0 { report("refresh_ratio", refresh.rps / helloRPS, decimals: 3) }
        if refresh.non2xx > 0 { FileHandle.standardError.write("warning: refresh had \(refresh.non2xx) non-2xx\n".data(using: .utf8)!) }

        // Login rate vs raw libargon2 at the same parameters and concurrency.
        let threads = options.hashingThreads
        let stored = try store.query { try $0.user(email: email)!.record.passwordHash }
        let rawCount = RawCounter()
        let rawDeadline = monotonicSeconds() + loginDuration
        let rawStart = monotonicSeconds()
        let group = DispatchGroup()
        for _ in 0..<threads {
            group.enter()
            Thread {
                AuthService.lowerThreadPriority()  // the pool's threads run argon2 at this priority too
                while monotonicSeconds() < rawDeadline {
                    if Argon2id.verify(encoded: stored, password: password) { rawCount.add() }
                }
                group.leave()
            }.start()
        }
        group.wait()
        let rawRate = Double(rawCount.value) / (monotonicSeconds() - rawStart)
        let loginBody = RawRequest.postJSON("/v1/login/password", #"{"email":"\#(email)","password":"\#(password)","mode":"cookie"}"#)
        let loginResult = runLoad(connections: threads * 2, duration: loginDuration, port: port) { _, c in try c.roundTrip(loginBody).status }
        let loginRate = Double(loginResult.statuses[200] ?? 0) / loginResult.seconds
        report("argon2_raw_hps", rawRate, decimals: 2)
        report("login_rps", loginRate, decimals: 2)
        report("login_ratio", loginRate / rawRate, decimals: 3)

        // Refresh flood: many clients on one address presenting made-up refresh tokens without ever waiting (the
        // production per-address failure limit applies: after its burst they get 429 before their body is read)
        // while a few validate; none may reach the log's writer.
        let refreshFloodStatuses = FloodStatuses()
        let commandsBeforeRefreshFlood = store.statistics.commands
        let refreshFlood = Thread {
            let result = runLoad(connections: floodConnections, duration: duration * 2, port: port) { _, c in
                try c.roundTrip(RawRequest.postJSON("/v1/token/refresh", #"{"refresh_token":"\#(OpaqueToken.generate().text)"}"#)).status
            }
            refreshFloodStatuses.set(result)
        }
        refreshFlood.stackSize = 512 * 1024
        refreshFlood.start()
        Thread.sleep(forTimeInterval: 1)
        let duringRefreshFlood = runLoad(connections: 4, duration: duration, port: port) { _, c in try c.roundTrip(validate).status }
        while refreshFloodStatuses.get() == nil { Thread.sleep(forTimeInterval: 0.1) }
        let refreshFloodResult = refreshFloodStatuses.get()!
        report("refresh_flood_rps", refreshFloodResult.rps)
        report("refresh_flood_401", Double(refreshFloodResult.statuses[401] ?? 0))
        report("refresh_flood_429", Double(refreshFloodResult.statuses[429] ?? 0))
        report("refresh_flood_writer_commands", Double(store.statistics.commands - commandsBeforeRefreshFlood))
        report("refresh_flood_validate_rps", duringRefreshFlood.rps)
        report("refresh_flood_validate_p99_ms", duringRefreshFlood.percentile(0.99), decimals: 2)
        Self.expectOnly(200, duringRefreshFlood, "validate during refresh flood")

        // Flood: many clients logging in (obeying Retry-After on 503) while a few validate.
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)  // reset the peak RSS
        let rssBefore = Self.status("VmHWM")
        let floodStatuses = FloodStatuses()
        let flood = Thread {
            let result = runLoad(connections: floodConnections, duration: duration * 2, port: port) { _, c in
                let r = try c.roundTrip(loginBody)
                if r.status == 503 { Thread.sleep(forTimeInterval: 1) }
                return r.status
            }
            floodStatuses.set(result)
        }
        flood.stackSize = 512 * 1024
        flood.start()
        Thread.sleep(forTimeInterval: 1)
        let duringFlood = runLoad(connections: 4, duration: duration, port: port) { _, c in try c.roundTrip(validate).status }
        while floodStatuses.get() == nil { Thread.sleep(forTimeInterval: 0.1) }
        let rssPeak = Self.status("VmHWM")
        let floodResult = floodStatuses.get()!
        report("flood_connections", Double(floodConnections))
        report("flood_login_ok", Double(floodResult.statuses[200] ?? 0))
        report("flood_503", Double(floodResult.statuses[503] ?? 0))
        report("flood_validate_rps", duringFlood.rps)
        report("flood_validate_p99_ms", duringFlood.percentile(0.99), decimals: 2)
        report("rss_before_flood_mib", Double(rssBefore) / 1024, decimals: 1)
        report("peak_rss_mib", Double(rssPeak) / 1024, decimals: 1)
        report("rss_budget_mib", Double(threads * argon2MemoryKib) / 1024 + 200, decimals: 1)
        Self.expectOnly(200, duringFlood, "validate during flood")

        api.shutdown()
        store.close()
    }

    /// Starts the server on a free port in a background task, with `api`'s routes and the bench-only `/bench/check`;
    /// returns the port once it listens.
    static func startServer(configuration: ServerConfiguration, api: AuthService) throws -> Int {
        let ready = DispatchSemaphore(value: 0)
        let box = PortBox()
        let server = AuthServer(configuration: configuration, readiness: { await api.isReady() }, onServerRunning: { port in
            box.set(port)
            ready.signal()
        }) { routes in
            api.addRoutes(to: routes)
            // Bench-only: the session check alone (bearer token, hash + one point read), with a tiny body, to split
            // validate's cost between the check and building the full session response.
            routes.get("/bench/check") { request, _ in
                let header = request.headers[.authorization] ?? ""
                let ok = (try? api.checkSessionToken(header.dropFirst(7), now: api.clock.now())) != nil
                return JSONResponse(["ok": ok])
            }
        }
        let application = server.buildApplication()
        Task.detached { try await application.runService(gracefulShutdownSignals: []) }
        guard ready.wait(timeout: .now() + 30) == .success else { throw LoadError("server did not start") }
        return box.get()
    }

    /// Runs wrk (with `headers`, and a Lua `script` for a POST body if given) and returns requests/s, p99 latency (ms)
    /// and the non-2xx count.
    static func runWrk(
        _ path: String, port: Int, path urlPath: String, headers: [String] = [], script: String? = nil,
        scriptArguments: [String] = [], connections: Int, duration: Double
    ) throws -> (rps: Double, p99: Double, non2xx: Int) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        var arguments = ["-t", String(min(2, connections)), "-c", String(connections), "-d", "\(max(1, Int(duration)))s", "--latency"]
        for header in headers { arguments += ["-H", header] }
        if let script { arguments += ["-s", script] }
        arguments.append("http://127.0.0.1:\(port)\(urlPath)")
        if !scriptArguments.isEmpty { arguments += ["--"] + scriptArguments }
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        var rps = 0.0, p99 = 0.0, non2xx = 0
        for line in output.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            if line.hasPrefix("Requests/sec:"), let value = fields.last.flatMap({ Double($0) }) { rps = value }
            if fields.first == "99%", let value = fields.last { p99 = Self.milliseconds(String(value)) }
            if line.contains("Non-2xx"), let value = fields.last.flatMap({ Int($0) }) { non2xx = value }
        }
        guard rps > 0 else { throw LoadError("wrk gave no figures: \(output)") }
        return (rps, p99, non2xx)
    }

    /// wrk latency text (`812.00us`, `3.21ms`, `1.02s`) in milliseconds.
    static func milliseconds(_ text: String) -> Double {
        if text.hasSuffix("us") { return (Double(text.dropLast(2)) ?? 0) / 1000 }
        if text.hasSuffix("ms") { return Double(text.dropLast(2)) ?? 0 }
        if text.hasSuffix("s") { return (Double(text.dropLast(1)) ?? 0) * 1000 }
        return 0
    }

    /// Nanoseconds per call of `body`: (thread CPU time, wall time).
    static func measure(_ iterations: Int, _ body: () throws -> Void) throws -> (cpu: Double, wall: Double) {
        func cpuNow() -> Double {
            var spec = timespec()
            clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
            return Double(spec.tv_sec) + Double(spec.tv_nsec) / 1e9
        }
        let cpuStart = cpuNow(), wallStart = monotonicSeconds()
        for _ in 0..<iterations { try body() }
        return ((cpuNow() - cpuStart) / Double(iterations) * 1e9, (monotonicSeconds() - wallStart) / Double(iterations) * 1e9)
    }

    static func cookie(_ headers: String) -> String? {
        guard let range = headers.range(of: "__Host-session=") else { return nil }
        return String(headers[range.upperBound...].prefix { $0 != ";" })
    }

    static func jsonString(_ body: [UInt8], _ key: String) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        guard let range = text.range(of: "\"\(key)\":\"") else { return nil }
        return String(text[range.upperBound...].prefix { $0 != "\"" })
    }

    /// `VmHWM`/`VmRSS` of this process, KiB.
    static func status(_ field: String) -> Int {
        guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
            return Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0
        }
        return 0
    }

    static func expectOnly(_ status: Int, _ result: LoadResult, _ name: String) {
        if result.statuses.keys.contains(where: { $0 != status }) {
            FileHandle.standardError.write("warning: \(name) statuses \(result.statuses)\n".data(using: .utf8)!)
        }
    }
}

/// `@unchecked Sendable`: its one field is guarded by `lock`.
final class PortBox: @unchecked Sendable {
    private let lock = NSLock()
    private var port = 0
    func set(_ value: Int) { lock.withLock { port = value } }
    func get() -> Int { lock.withLock { port } }
}

/// `@unchecked Sendable`: its one field is guarded by `lock`.
final class TokenChains: @unchecked Sendable {
    private let lock = NSLock()
    private var tokens: [String]
    init(count: Int) { tokens = Array(repeating: "", count: count) }
    func set(_ index: Int, _ token: String) { lock.withLock { tokens[index] = token } }
    func get(_ index: Int) -> String { lock.withLock { tokens[index] } }
    var all: [String] { lock.withLock { tokens } }
}

/// `@unchecked Sendable`: its one field is guarded by `lock`.
final class RawCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    func add() { lock.withLock { count += 1 } }
    var value: Int { lock.withLock { count } }
}

/// `@unchecked Sendable`: its one field is guarded by `lock`.
final class FloodStatuses: @unchecked Sendable {
    private let lock = NSLock()
    private var result: LoadResult?
    func set(_ value: LoadResult) { lock.withLock { result = value } }
    func get() -> LoadResult? { lock.withLock { result } }
}
