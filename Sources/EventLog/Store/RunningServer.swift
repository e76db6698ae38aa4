import Foundation
import LMDB

#if canImport(Glibc)
import Glibc
#endif

/// The server process that serves a log, recorded in its meta table (`running-server`) while it runs: its pid, start
/// time and the projection versions it writes. Offline tools that write to the log (`authctl rebuild`, `prune --drop`,
/// `keys rotate`) check it first and refuse to run beside a live server of other projection versions, which would
/// write tables that server does not expect (or rebuild tables under it).
public struct RunningServer: Sendable, Equatable {
    /// The server's process id.
    public var pid: Int32
    /// When it started.
    public var startedAt: Timestamp
    /// Its projections as `name.vN`, comma-separated (``versions(of:)``).
    public var versions: String

    static let key = Array("running-server".utf8)

    /// Creates a record.
    public init(pid: Int32, startedAt: Timestamp, versions: String) {
        self.pid = pid
        self.startedAt = startedAt
        self.versions = versions
    }

    /// The versions string of `projections` (the stream index included by the caller or not: it is added here if
    /// missing, as every store has it).
    public static func versions(of projections: [any Projection]) -> String {
        var all = projections
        if !all.contains(where: { $0.name == StreamIndex().name }) { all.insert(StreamIndex(), at: 0) }
        return all.map { "\($0.name).v\($0.version)" }.sorted().joined(separator: ",")
    }

    var encoded: [UInt8] { Array("\(pid)\n\(startedAt.microseconds)\n\(versions)".utf8) }

    init?(encoded: [UInt8]) {
        let parts = String(decoding: encoded, as: UTF8.self).split(separator: "\n", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let pid = Int32(parts[0]), let micros = Int64(parts[1]) else { return nil }
        self.init(pid: pid, startedAt: Timestamp(microseconds: micros), versions: String(parts[2]))
    }

    /// Whether the recorded process still runs (and, where `/proc` tells, is an `authd`): a record left by a server
    /// that was killed is stale.
    public var isAlive: Bool {
        guard pid > 0, kill(pid, 0) == 0 || errno == EPERM else { return false }
        #if os(Linux)
        if let comm = try? String(contentsOfFile: "/proc/\(pid)/comm", encoding: .utf8) {
            return comm.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("authd")
        }
        #endif
        return true
    }

    /// The live server recorded in `environment`, if any (a stale record is ignored).
    public static func live(in environment: Environment) throws -> RunningServer? {
        let meta = try environment.openDatabase(LogTables.metaName, flags: [])
        let record = try environment.read { txn in try txn.get(meta, key: key) }.flatMap(RunningServer.init(encoded:))
        return record.flatMap { $0.isAlive ? $0 : nil }
    }

    /// Refuses (``Refusal``) to go on when a live server of other projection versions than `projections` serves the
    /// log in `environment`.
    public static func checkCompatible(environment: Environment, projections: [any Projection]) throws {
        guard let server = try live(in: environment) else { return }
        let mine = versions(of: projections)
        guard server.versions == mine else { throw Refusal(server: server, versions: mine) }
    }

    /// A live server of other versions serves the log.
    public struct Refusal: Error, CustomStringConvertible, Sendable {
        public let server: RunningServer
        public let versions: String
        public var description: String {
            "authd (pid \(server.pid), started \(server.startedAt.rfc3339)) serves this log with projections \(server.versions); "
                + "this tool has \(versions). Stop that server, or use the authctl of its version."
        }
    }
}

extension EventStore {
    /// Records process `pid` (this one by default) as the log's running server (``RunningServer``) with the store's
    /// projection versions (or `versions`, for tests), replacing any earlier record.
    public func registerRunningServer(pid: Int32 = getpid(), versions: String? = nil) throws {
        let record = RunningServer(pid: pid, startedAt: clock.now(), versions: versions ?? RunningServer.versions(of: projections))
        try environment.write { txn in try txn.put(tables.meta, key: RunningServer.key, value: record.encoded) }
    }

    /// Removes the running-server record if it is this process's.
    public func unregisterRunningServer(pid: Int32 = getpid()) throws {
        try environment.write { txn in
            guard let value = try txn.get(tables.meta, key: RunningServer.key), RunningServer(encoded: value)?.pid == pid else { return }
            _ = try txn.delete(tables.meta, key: RunningServer.key)
        }
    }
}
