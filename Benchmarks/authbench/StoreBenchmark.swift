import ArgumentParser
import AuthCore
import EventLog
import Foundation
import Postgres
import PostgresLog

/// `authbench store --store postgres://…`: the PostgreSQL engine beside the LMDB engine, in one run.
struct StoreBenchmark: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store",
        abstract: "LMDB vs PostgreSQL (1 and N nodes): durable appends, commit latency, refresh and validate over HTTP.",
        discussion: """
            append_durable_1 / append_durable_64: in-process EventStore appends (one caller waiting for each; 64 \
            callers, group commit), with the p50/p99 latency of one append (commit_p50_ms). For N nodes, N in-process \
            replicas (each its own writer and PostgreSQL connection) share the 64 callers. refresh_rps / validate_rps: \
            `authd serve` child processes (one for LMDB, 1 and then N on the PostgreSQL database), load spread evenly \
            over the nodes: validate is GET /v1/session with a bearer session token (wrk, one per node in parallel, \
            the connections divided among them); refresh is one refresh chain per connection (built-in client, \
            connection i to node i mod N). The database should be a throwaway one: the benchmark appends to its log.
            """)

    @Option(help: "The PostgreSQL database (postgres://USER@HOST:PORT/DB; password via PGPASSWORD or the password file).")
    var store: String
    @Option(help: "Nodes of the multi-node figures.") var nodes: Int = 3
    @Option(help: "Seconds per HTTP measurement.") var duration: Double = 5
    @Option(help: "Connections for validate and refresh (in all, divided among the nodes).") var connections: Int = 64
    @Option(help: "Appends of one caller (append_durable_1).") var single: Int = 500
    @Option(help: "Appends of the 64 callers in all (append_durable_64).") var concurrentEvents: Int = 6_400
    @Option(help: "The authd binary ('auto': the one next to this authbench).") var authd: String = "auto"
    @Option(help: "The wrk binary for validate ('none': the built-in client).") var wrk: String = "/usr/bin/wrk"

    static let appenders = 64
    /// Random per run, so that a database holding earlier runs' logs gets fresh users (whose keys are sealed under
    /// this run's node keys).
    static let runTag = UInt64.random(in: 1...UInt64.max >> 8)

    func validate() throws {
        guard nodes >= 2 else { throw ValidationError("--nodes must be at least 2 (one node is always measured)") }
        guard connections >= nodes, single > 0, concurrentEvents >= Self.appenders else {
            throw ValidationError("--connections must be at least --nodes, --single positive, --concurrent-events at least \(Self.appenders)")
        }
    }

    func run() throws {
        let base = try temporaryDirectory("store")
        defer { try? FileManager.default.removeItem(atPath: base) }
        let binary = authd == "auto" ? AuthdNode.siblingBinary() : authd
        let probe = try PostgresConnection(url: store)
        print("machine_cores: \(ProcessInfo.processInfo.activeProcessorCount)")
        print("load_average: \(((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " "))")
        report("pg_roundtrip_ms", try Self.roundTrip(probe), decimals: 3)

        // LMDB: in-process appends, then one authd over HTTP.
        let lmdb = try appendFigures(label: "lmdb", directories: [base + "/lmdb-append"], shared: nil, keysFrom: nil, probe: nil, seed: Self.runTag &* 4)
        let lmdbNode = try AuthdNode(binary: binary, dataDirectory: base + "/lmdb-node", store: nil)
        let lmdbHTTP: HTTPFigures
        do {
            lmdbHTTP = try httpFigures(label: "lmdb", ports: [lmdbNode.port], probe: nil, tag: 1)
        } catch {
            lmdbNode.stop()
            throw error
        }
        lmdbNode.stop()

        // PostgreSQL: one node over HTTP, then N (node 1 stays; the others get its keys), then the in-process appends
        // on fresh replicas (they catch up with the log the HTTP part wrote before they are timed).
        var pgNodes: [AuthdNode] = []
        defer { for node in pgNodes { node.stop() } }
        pgNodes.append(try AuthdNode(binary: binary, dataDirectory: base + "/pg-node-1", store: store))
        let pg1HTTP = try httpFigures(label: "pg1", ports: [pgNodes[0].port], probe: probe, tag: 2)
        for index in 2...nodes {
            let directory = base + "/pg-node-\(index)"
            try pgNodes[0].copyKeys(to: directory)
            pgNodes.append(try AuthdNode(binary: binary, dataDirectory: directory, store: store))
        }
        let pgNHTTP = try httpFigures(label: "pg\(nodes)", ports: pgNodes.map(\.port), probe: probe, tag: 3)
        for node in pgNodes { node.stop() }
        let keys = pgNodes[0].dataDirectory
        pgNodes = []
        let pg1 = try appendFigures(label: "pg1", directories: [base + "/pg1-append"], shared: store, keysFrom: keys, probe: probe, seed: Self.runTag &* 4 &+ 1)
        let pgN = try appendFigures(
            label: "pg\(nodes)", directories: (1...nodes).map { base + "/pg\(nodes)-append-\($0)" }, shared: store, keysFrom: keys,
            probe: probe, seed: Self.runTag &* 4 &+ 2)

        // Ratios, all from this run.
        print("ratios:")
        func ratio(_ name: String, _ a: Double, _ b: Double) { report(name, a / b, decimals: 3) }
        ratio("pg1_vs_lmdb_append_durable_1", pg1.single, lmdb.single)
        ratio("pg1_vs_lmdb_append_durable_64", pg1.concurrent, lmdb.concurrent)
        ratio("pg1_vs_lmdb_refresh_rps", pg1HTTP.refreshRPS, lmdbHTTP.refreshRPS)
        ratio("pg1_vs_lmdb_validate_rps", pg1HTTP.validateRPS, lmdbHTTP.validateRPS)
        ratio("pg\(nodes)_vs_pg1_append_durable_64", pgN.concurrent, pg1.concurrent)
        ratio("pg\(nodes)_vs_pg1_refresh_rps", pgNHTTP.refreshRPS, pg1HTTP.refreshRPS)
        ratio("pg\(nodes)_vs_pg1_validate_rps", pgNHTTP.validateRPS, pg1HTTP.validateRPS)
        print("load_average: \(((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "").split(separator: " ").prefix(3).joined(separator: " "))")
    }

    struct Appends {
        var single = 0.0
        var concurrent = 0.0
    }

    /// In-process appends on one store per directory (a replica of `shared` each, with the keys of the node in
    /// `keysFrom`, or a standalone LMDB log): append_durable_1 on the first (when there is one store), then
    /// append_durable_64 spread over all. With a `probe`, the shared log's commits during the 64 callers give the
    /// batch size and the time between commits (the head lock's hold time while it is never idle).
    func appendFigures(
        label: String, directories: [String], shared: String?, keysFrom: String?, probe: PostgresConnection?, seed: UInt64
    ) throws -> Appends {
        var stores: [(store: EventStore, vault: PersonalDataVault)] = []
        defer { for (store, _) in stores { store.close() } }
        for directory in directories {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            if let keysFrom {
                try FileManager.default.copyItem(atPath: keysFrom + "/keys", toPath: directory + "/keys")
            }
            var options = EventStore.Options()
            if let shared { options.sharedLog = try PostgresSharedLog(url: shared) }
            let store = try EventStore(path: directory, projections: DomainProjections.all, options: options)
            stores.append((store, try installVault(store, directory: directory)))
        }
        let events = AppendFigures.sample(single + concurrentEvents, seed: seed)
        var figures = Appends()
        if stores.count == 1 {
            let one = try AppendFigures.single(stores[0].store, vault: stores[0].vault, events: Array(events.prefix(single)))
            figures.single = one.rate
            report("\(label)_append_durable_1", one.rate)
            report("\(label)_commit_p50_ms", one.p50, decimals: 3)
            report("\(label)_commit_p99_ms", one.p99, decimals: 3)
        }
        let before = try probe.map(Self.head)
        let statistics = stores.map { $0.store.statistics }
        let many = AppendFigures.concurrent(stores, appenders: Self.appenders, events: Array(events.dropFirst(single)))
        figures.concurrent = many.rate
        report("\(label)_append_durable_\(Self.appenders)", many.rate)
        for (failure, count) in many.failures.sorted(by: { $0.value > $1.value }) {
            print("\(label)_append_durable_\(Self.appenders)_failed: \(count) × \(failure)")
        }
        if let probe, let before {
            let after = try Self.head(probe)
            let commits = Double(after.commit - before.commit)
            report("\(label)_append_durable_\(Self.appenders)_avg_batch", Double(after.seq - before.seq) / max(1, commits), decimals: 1)
            report("\(label)_head_lock_interval_ms", many.seconds * 1000 / max(1, commits), decimals: 3)
        } else {
            let commits = zip(stores, statistics).map { Double($0.store.statistics.commits - $1.commits) }.reduce(0, +)
            report("\(label)_append_durable_\(Self.appenders)_avg_batch", Double(concurrentEvents) / max(1, commits), decimals: 1)
        }
        return figures
    }

    struct HTTPFigures {
        var validateRPS = 0.0
        var refreshRPS = 0.0
    }

    /// validate_rps and refresh_rps over HTTP against the nodes at `ports` (set up through them: `connections` users,
    /// user i registered and logged in through node i mod N from an address of its own).
    func httpFigures(label: String, ports: [Int], probe: PostgresConnection?, tag: Int) throws -> HTTPFigures {
        let password = "correct horse battery"
        let chains = TokenChains(count: connections)
        var session = ""
        let setup = ports.map { HTTPConnection(port: $0) }
        for index in 0..<connections {
            let connection = setup[index % ports.count]
            let address = ["X-Forwarded-For: 10.\(tag).\(index / 256).\(index % 256)"]
            let email = "\(label)-\(Self.runTag)-\(index)@example.com"
            let credentials = #""email":"\#(email)","password":"\#(password)""#
            _ = try connection.roundTrip(RawRequest.postJSON("/v1/users", "{\(credentials)}", headers: address))
            let login = try connection.roundTrip(RawRequest.postJSON("/v1/login/password", #"{\#(credentials),"mode":"token"}"#, headers: address))
            guard login.status == 200, let token = HTTPBenchmark.jsonString(login.body, "refresh_token") else {
                throw LoadError("\(label): token login failed: \(login.status) \(String(decoding: login.body, as: UTF8.self))")
            }
            chains.set(index, token)
            if index == 0 {
                let cookieLogin = try connection.roundTrip(
                    RawRequest.postJSON("/v1/login/password", #"{\#(credentials),"mode":"cookie"}"#, headers: address))
                guard cookieLogin.status == 200, let cookie = HTTPBenchmark.cookie(cookieLogin.headers) else {
                    throw LoadError("\(label): session login failed: \(cookieLogin.status)")
                }
                session = cookie
            }
        }
        // Every node knows the session (created through node 1) before the clock starts.
        let auth = "Authorization: Bearer \(session)"
        for connection in setup {
            let deadline = monotonicSeconds() + 10
            while try connection.roundTrip(RawRequest.get("/v1/session", headers: [auth])).status != 200 {
                guard monotonicSeconds() < deadline else { throw LoadError("\(label): a node never found the session") }
                Thread.sleep(forTimeInterval: 0.05)
            }
        }

        var figures = HTTPFigures()
        let perNode = max(1, connections / ports.count)
        if wrk != "none" {
            _ = try Self.parallelWrk(wrk, ports: ports, headers: [auth], connections: perNode, duration: 1)  // warm-up
            let runs = try Self.parallelWrk(wrk, ports: ports, headers: [auth], connections: perNode, duration: duration)
            figures.validateRPS = runs.map(\.rps).reduce(0, +)
            print("\(label)_load_generator: wrk per node in parallel (\(ports.count) × \(perNode) connections, \(Int(duration)) s)")
            report("\(label)_validate_rps", figures.validateRPS)
            report("\(label)_validate_p99_ms", runs.map(\.p99).max() ?? 0, decimals: 2)
            let non2xx = runs.map(\.non2xx).reduce(0, +)
            if non2xx > 0 { report("\(label)_validate_non2xx", Double(non2xx)) }
        } else {
            let validate = RawRequest.get("/v1/session", headers: [auth])
            let result = runLoad(connections: perNode * ports.count, duration: duration, ports: ports) { _, c in try c.roundTrip(validate).status }
            figures.validateRPS = result.rps
            print("\(label)_load_generator: built-in (\(perNode * ports.count) connections over \(ports.count) nodes, \(Int(duration)) s)")
            report("\(label)_validate_rps", result.rps)
            report("\(label)_validate_p99_ms", result.percentile(0.99), decimals: 2)
            HTTPBenchmark.expectOnly(200, result, "\(label) validate")
        }

        // Refresh: each connection rotates its own chain, connection i through node i mod N (so a chain started on
        // one node is rotated on another, after that node's catch-up under the head lock).
        let before = try probe.map(Self.head)
        let broken = RawCounter()
        let refresh = runLoad(connections: connections, duration: duration, ports: ports) { index, c in
            let r = try c.roundTrip(RawRequest.postJSON("/v1/token/refresh", #"{"refresh_token":"\#(chains.get(index))"}"#))
            guard r.status == 200, let next = HTTPBenchmark.jsonString(r.body, "refresh_token") else {
                broken.add()  // this connection's chain ends here (it stops)
                return nil
            }
            chains.set(index, next)
            return r.status
        }
        figures.refreshRPS = Double(refresh.statuses[200] ?? 0) / refresh.seconds
        report("\(label)_refresh_rps", figures.refreshRPS)
        report("\(label)_refresh_p99_ms", refresh.percentile(0.99), decimals: 2)
        if broken.value > 0 { report("\(label)_refresh_broken_chains", Double(broken.value)) }
        if let probe, let before {
            let after = try Self.head(probe)
            report("\(label)_refresh_rotations_per_commit", Double(refresh.statuses[200] ?? 0) / Double(max(1, after.commit - before.commit)), decimals: 1)
        }
        return figures
    }

    /// Runs one wrk per port at once (GET /v1/session with `headers`, `connections` each).
    static func parallelWrk(
        _ path: String, ports: [Int], headers: [String], connections: Int, duration: Double
    ) throws -> [(rps: Double, p99: Double, non2xx: Int)] {
        final class Results: @unchecked Sendable {
            let lock = NSLock()
            var runs: [Result<(rps: Double, p99: Double, non2xx: Int), any Error>] = []
        }
        let results = Results()
        let group = DispatchGroup()
        for port in ports {
            group.enter()
            Thread {
                let run = Result { try HTTPBenchmark.runWrk(path, port: port, path: "/v1/session", headers: headers, connections: connections, duration: duration) }
                results.lock.withLock { results.runs.append(run) }
                group.leave()
            }.start()
        }
        group.wait()
        return try results.lock.withLock { try results.runs.map { try $0.get() } }
    }

    /// The shared log's newest commit number and sequence number.
    static func head(_ connection: PostgresConnection) throws -> (commit: UInt64, seq: UInt64) {
        let rows = try connection.query("SELECT commit_no, seq FROM authd_head WHERE id = 1")
        return (UInt64(try rows.int64(0, 0)), UInt64(try rows.int64(0, 1)))
    }

    /// The median time of `SELECT 1` on `connection` (ms): one round trip to the database.
    static func roundTrip(_ connection: PostgresConnection) throws -> Double {
        var samples: [Double] = []
        for _ in 0..<200 {
            let begin = monotonicSeconds()
            _ = try connection.query("SELECT 1")
            samples.append(monotonicSeconds() - begin)
        }
        return samples.sorted()[samples.count / 2] * 1000
    }
}
