import ArgumentParser
import AuthAPI
import AuthCore
import AuthCrypto
import AuthHTTP
import EventLog
import Foundation
import Logging
import Notifications
import OTP
import PostgresLog
import ProjectionRebuild

/// `authd serve`: runs the HTTP server until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server until SIGTERM or SIGINT (then finish in-flight requests and exit 0).",
        usage: "authd serve [--<setting> <value> | --<boolean> | --no-<boolean>] ...",
        discussion: AuthdSettings.helpText
    )

    /// The settings, `--name value` pairs read against ``AuthdSettings/table`` (listed in the discussion above).
    @Argument(parsing: .allUnrecognized, help: .hidden)
    var settings: [String] = []

    func validate() throws {
        do {
            _ = try SettingArguments.parse(settings, table: AuthdSettings.table)
        } catch {
            throw ValidationError(error.message)
        }
    }

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try AuthdSettings.resolve(arguments: settings, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
        let level = configuration.logLevel
        let format = configuration.logFormat
        LoggingSystem.bootstrap { label in
            switch format {
            case .json:
                var handler = JSONLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            case .text:
                var handler = StreamLogHandler.standardError(label: label)
                handler.logLevel = level
                return handler
            }
        }
        var logger = Logger(label: "authd")
        logger.logLevel = level
        // Metrics only with a listener: without one, swift-metrics stays a no-op (nothing is kept in memory).
        let metricsServer: MetricsServer?
        if let address = configuration.metricsListenAddress {
            var metricsLogger = Logger(label: "authd.metrics")
            metricsLogger.logLevel = level
            metricsServer = MetricsServer.bootstrap(address: address, logger: metricsLogger)
        } else {
            metricsServer = nil
        }
        logger.info(
            "starting",
            metadata: [
                "listen": .string(configuration.listenAddress),
                "data": .string(configuration.dataDirectory),
                "issuer": .string(configuration.issuer),
            ]
        )
        for warning in configuration.warnings {
            logger.warning("configuration: \(warning)")
        }
        // The event store lives for the whole run: opened before the server binds, closed after it has
        // drained in-flight requests (graceful shutdown on SIGTERM/SIGINT), so the last commit is durable.
        try FileManager.default.createDirectory(
            atPath: configuration.dataDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let anchoring = try Self.anchorSettings(configuration)
        // A node joining a shared log must have the other nodes' keys: started without them, it would make keys of its
        // own (a signing key the others cannot use, a data key that opens nothing).
        let hadKeys = FileManager.default.fileExists(atPath: configuration.dataDirectory + "/keys/data.key")
        var storeOptions = EventStore.Options.rebuildingNewProjections
        if let url = configuration.sharedStoreURL {
            storeOptions.sharedLog = try await Self.connectSharedLog(url: url, logger: logger)
        }
        let store = try EventStore(path: configuration.dataDirectory, projections: DomainProjections.all, options: storeOptions)
        if configuration.sharedStoreURL != nil, !hadKeys, (try? store.head().seq) ?? 0 > 0 {
            store.close()
            throw ValidationError(
                "the shared log holds events but \(configuration.dataDirectory)/keys/data.key does not exist: copy keys/ from another node "
                    + "first (docs/DEPLOYMENT.md, \"Sharing the keys\")")
        }
        let api: AuthService
        do {
            // Offline tools that write refuse to run beside a server of other projection versions (RunningServer).
            try store.registerRunningServer()
            // Personal data is sealed under per-user keys; users of a log written before that are sealed now.
            try PersonalDataVault.install(on: store, keys: KeyFiles(dataDirectory: configuration.dataDirectory))
            let sealed = try SealExistingUsers.sealAll(store: store)
            if sealed > 0 {
                logger.notice(
                    "sealed the personal data of users registered before sealing (their earlier events keep it in plaintext)",
                    metadata: ["users": .stringConvertible(sealed)])
            }
            if let head = try? store.head(), store.clock.now() < head.timestamp {
                logger.warning(
                    "the clock is behind the log head; event times stay at the head's until it catches up",
                    metadata: ["head_time": .string(head.timestamp.rfc3339), "now": .string(store.clock.now().rfc3339)])
            }
            api = try AuthService(store: store, options: AuthAPIOptions(configuration: configuration))
        } catch {
            store.close()
            throw error
        }
        // Notices (recovery, new device, refresh reuse) are delivered by a thread that follows the log.
        let notifier: Notifier
        do {
            notifier = try Self.makeNotifier(configuration: configuration, store: store, files: api.files)
        } catch {
            api.shutdown()
            store.close()
            throw error
        }
        notifier.start()
        defer { notifier.stop() }
        let policyReloader = Self.reloadPolicyOnHangup(api: api, configuration: configuration, logger: logger)
        defer { policyReloader?.cancel() }
        let server = AuthServer(configuration: configuration, readiness: { await api.isReady() }) { routes in
            api.addRoutes(to: routes)
        }
        let interval = configuration.headLogInterval
        let headLogger = interval > 0 ? Task { await Self.logHead(store: store, every: interval, logger: logger) } : nil
        defer { headLogger?.cancel() }
        let readerSweeper = Task { await Self.clearStaleReaders(store: store, every: 30, logger: logger) }
        defer { readerSweeper.cancel() }
        let metricsSampler = metricsServer.map { _ in Task { await MetricsServer.sampleStore(store) } }
        defer { metricsSampler?.cancel() }
        var anchorer: Task<Void, Never>?
        if let (sink, seconds) = anchoring {
            let taskLogger = logger
            anchorer = Task { await Self.anchorHead(store: store, sink: sink, every: seconds, logger: taskLogger) }
        }
        defer { anchorer?.cancel() }
        do {
            try await server.run(alongside: metricsServer.map { [$0.buildApplication()] } ?? [])
        } catch {
            readerSweeper.cancel()
            metricsSampler?.cancel()
            notifier.stop()
            api.shutdown()
            try? store.unregisterRunningServer()
            store.close()
            throw error
        }
        headLogger?.cancel()
        readerSweeper.cancel()
        metricsSampler?.cancel()
        anchorer?.cancel()
        notifier.stop()
        api.shutdown()
        try? store.unregisterRunningServer()
        store.close()
        // The last head, after every drained request's commit.
        if let (sink, _) = anchoring { Self.writeCheckpoint(store: store, sink: sink, logger: logger) }
        logger.info("event store closed", metadata: ["head": .stringConvertible((try? store.head().seq) ?? 0)])
        logger.info("exiting")
    }
}

extension Serve {
    /// The PostgreSQL engine's shared log, waiting up to a minute for the database (nodes and their database often
    /// start together); a refusal that is not about reaching it (a wrong database) fails at once.
    static func connectSharedLog(url: String, logger: Logger) async throws -> PostgresSharedLog {
        var attempt = 0
        while true {
            do {
                let log = try PostgresSharedLog(url: url)
                logger.info("the log is shared through PostgreSQL (this node's data directory holds its replica and keys)")
                return log
            } catch EventStoreError.unavailable(let why) where attempt < 30 {
                attempt += 1
                logger.warning("PostgreSQL is not reachable yet; retrying", metadata: ["error": .string(why)])
                try await Task.sleep(for: .seconds(2))
            }
        }
    }

    /// The notifier: SMTP when `--smtp` is set, else `.eml` files in `--mail-dir` (default `<data>/mail`).
    static func makeNotifier(configuration: ServerConfiguration, store: EventStore, files: KeyFiles) throws -> Notifier {
        let transport: any MailTransport
        if let relay = configuration.smtpRelay,
            let smtp = SMTPTransport(
                relay: relay, tls: SMTPTransport.TLSPolicy(rawValue: configuration.smtpTLS.rawValue) ?? .required,
                caFile: configuration.smtpCAFile)
        {
            transport = smtp
        } else {
            transport = MailDirectoryTransport(directory: configuration.mailDirectory ?? configuration.dataDirectory + "/mail")
        }
        let composer = try NoticeComposer(
            from: configuration.mailFrom, baseURL: configuration.issuer, dataKey: try DataKeyFile.loadOrCreate(path: files.dataKeyPath),
            vault: PersonalDataVault.installed(on: store))
        return try Notifier(store: store, composer: composer, transport: transport)
    }

    /// Logs the chain head (`seq:hash`, as `authctl head` prints it) now and every `seconds`, so that it can be
    /// recorded outside the system and checked later with `authctl verify --expect-head`.
    static func logHead(store: EventStore, every seconds: Int, logger: Logger) async {
        while !Task.isCancelled {
            if let head = try? store.head() {
                logger.notice("chain head", metadata: ["head": .string(head.description)])
            }
            try? await Task.sleep(for: .seconds(seconds))
        }
    }
}

extension Serve {
    /// The anchor sink and interval from `--anchor-key`/`--anchor-file`/`--anchor-interval` (or their `AUTHD_*`
    /// variables), or `nil` when anchoring is off. Both paths must lie outside the data directory: a checkpoint
    /// kept where the log is could be rewritten with it.
    static func anchorSettings(_ configuration: ServerConfiguration) throws -> (AnchorSink, Int)? {
        guard let paths = configuration.anchorPaths else { return nil }
        let (keyPath, filePath) = paths
        let seconds = configuration.anchorInterval
        let dataDirectory = configuration.dataDirectory
        for (flag, path) in [("--anchor-key", keyPath), ("--anchor-file", filePath)] where Self.isInside(path, directory: dataDirectory) {
            throw ValidationError("\(flag) \(path) is inside the data directory \(dataDirectory): keep anchors elsewhere")
        }
        let pem: String
        do {
            guard let bytes = try SecretFile.contents(keyPath) else { throw ValidationError("--anchor-key \(keyPath) does not exist") }
            pem = String(decoding: bytes, as: UTF8.self)
        } catch let error as KeyFiles.Failure {
            throw ValidationError("--anchor-key: \(error.description)")
        }
        let key: SigningKey
        do {
            key = try SigningKey(pkcs8PEM: pem)
        } catch {
            throw ValidationError("--anchor-key \(keyPath) is not a PKCS#8 PEM private key")
        }
        do {
            return (try AnchorSink(path: filePath, key: key), seconds)
        } catch {
            throw ValidationError("--anchor-file: \(error.description)")
        }
    }

    /// Whether `path` is `directory` or below it (symbolic links in existing parents resolved).
    static func isInside(_ path: String, directory: String) -> Bool {
        func resolved(_ path: String) -> String {
            URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        }
        let file = URL(fileURLWithPath: path).standardizedFileURL
        let parent = resolved(file.deletingLastPathComponent().path)
        let full = parent == "/" ? "/" + file.lastPathComponent : parent + "/" + file.lastPathComponent
        let root = resolved(directory)
        return full == root || full.hasPrefix(root == "/" ? "/" : root + "/")
    }

    /// Appends a checkpoint of the head now and then every `seconds` (when the head moved) until cancelled.
    static func anchorHead(store: EventStore, sink: AnchorSink, every seconds: Int, logger: Logger) async {
        while !Task.isCancelled {
            writeCheckpoint(store: store, sink: sink, logger: logger)
            try? await Task.sleep(for: .seconds(seconds))
        }
    }

    /// Appends one checkpoint of the current head (if it moved since the last one); failures are logged.
    static func writeCheckpoint(store: EventStore, sink: AnchorSink, logger: Logger) {
        do {
            let head = try store.head()
            if try sink.append(head, at: store.clock.now()) {
                logger.info("head checkpoint", metadata: ["head": .string(head.description), "anchor_file": .string(sink.path)])
            }
        } catch {
            logger.error("head checkpoint failed", metadata: ["error": .string(String(describing: error))])
        }
    }

    /// Clears the LMDB reader slots of dead processes every `seconds` until cancelled: an `authctl verify` or
    /// `replay --follow` killed inside its read transaction would otherwise pin old pages (the file grows without
    /// bound) and fill the reader table.
    static func clearStaleReaders(store: EventStore, every seconds: Int, logger: Logger) async {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(seconds))
            if Task.isCancelled { return }
            do {
                let cleared = try store.environment.clearStaleReaders()
                if cleared > 0 { logger.warning("cleared stale LMDB reader slots", metadata: ["slots": .stringConvertible(cleared)]) }
            } catch {
                logger.error("LMDB reader check failed", metadata: ["error": .string(String(describing: error))])
            }
        }
    }
}

extension Serve {
    /// With `--policy`, SIGHUP reads the policy file again (``AuthService/reloadPolicy()``): a changed document is
    /// recorded and swapped in whole, a malformed one is refused (logged, naming the rule and field) and the policy
    /// in force stays.
    static func reloadPolicyOnHangup(api: AuthService, configuration: ServerConfiguration, logger: Logger) -> (any DispatchSourceSignal)? {
        guard configuration.policyFile != nil else { return nil }
        signal(SIGHUP, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGHUP, queue: .global())
        source.setEventHandler {
            Task {
                do {
                    switch try await api.reloadPolicy() {
                    case .loaded(let sha256): logger.notice("policy loaded", metadata: ["sha256": .string(sha256)])
                    case .unchanged(let sha256): logger.info("policy unchanged", metadata: ["sha256": .string(sha256)])
                    }
                } catch {
                    logger.error("policy reload refused; the previous policy stays in force: \(error)")
                }
            }
        }
        source.resume()
        return source
    }
}
