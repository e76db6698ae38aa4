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

/// `authd serve`: runs the HTTP server until SIGTERM or SIGINT.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the HTTP server until SIGTERM or SIGINT (then finish in-flight requests and exit 0).",
        discussion: "Precedence for every option: flag > AUTHD_* environment variable > default."
    )

    @Option(name: .customLong(ServerSetting.data.flagName), help: help(.data, value: "dir"))
    var data: String?

    @Option(name: .customLong(ServerSetting.listen.flagName), help: help(.listen, value: "host:port"))
    var listen: String?

    @Option(name: .customLong(ServerSetting.issuer.flagName), help: help(.issuer, value: "url"))
    var issuer: String?

    @Option(name: .customLong(ServerSetting.origin.flagName), help: help(.origin, value: "url"))
    var origin: [String] = []

    @Option(name: .customLong(ServerSetting.adminKey.flagName), help: help(.adminKey, value: "key"))
    var adminKey: String?

    @Option(name: .customLong(ServerSetting.adminKeyFile.flagName), help: help(.adminKeyFile, value: "file"))
    var adminKeyFile: String?

    @Option(name: .customLong(ServerSetting.argon2MemoryKiB.flagName), help: help(.argon2MemoryKiB, value: "kib"))
    var argon2MemoryKiB: String?

    @Option(name: .customLong(ServerSetting.argon2Iterations.flagName), help: help(.argon2Iterations, value: "n"))
    var argon2Iterations: String?

    @Option(name: .customLong(ServerSetting.argon2Parallelism.flagName), help: help(.argon2Parallelism, value: "n"))
    var argon2Parallelism: String?

    @Option(name: .customLong(ServerSetting.accessTokenTTL.flagName), help: help(.accessTokenTTL, value: "duration"))
    var accessTokenTTL: String?

    @Option(name: .customLong(ServerSetting.sessionTTL.flagName), help: help(.sessionTTL, value: "duration"))
    var sessionTTL: String?

    @Option(name: .customLong(ServerSetting.sessionIdleTimeout.flagName), help: help(.sessionIdleTimeout, value: "duration"))
    var sessionIdleTimeout: String?

    @Option(name: .customLong(ServerSetting.sessionUpdateAge.flagName), help: help(.sessionUpdateAge, value: "duration"))
    var sessionUpdateAge: String?

    @Option(name: .customLong(ServerSetting.refreshTTL.flagName), help: help(.refreshTTL, value: "duration"))
    var refreshTTL: String?

    @Option(name: .customLong(ServerSetting.refreshGrace.flagName), help: help(.refreshGrace, value: "duration"))
    var refreshGrace: String?

    @Option(name: .customLong(ServerSetting.maxBodyBytes.flagName), help: help(.maxBodyBytes, value: "bytes"))
    var maxBodyBytes: String?

    @Flag(name: .customLong(ServerSetting.trustProxy.flagName), inversion: .prefixedNo, help: help(.trustProxy))
    var trustProxy: Bool?

    @Option(name: .customLong(ServerSetting.rpID.flagName), help: help(.rpID, value: "domain"))
    var rpID: String?

    @Option(name: .customLong(ServerSetting.rpName.flagName), help: help(.rpName, value: "name"))
    var rpName: String?

    @Option(name: .customLong(ServerSetting.webauthnUserVerification.flagName), help: help(.webauthnUserVerification, value: "policy"))
    var webauthnUserVerification: String?

    @Option(name: .customLong(ServerSetting.webauthnCounterPolicy.flagName), help: help(.webauthnCounterPolicy, value: "policy"))
    var webauthnCounterPolicy: String?

    @Option(name: .customLong(ServerSetting.mfaRecoveryDelay.flagName), help: help(.mfaRecoveryDelay, value: "duration"))
    var mfaRecoveryDelay: String?

    @Option(name: .customLong(ServerSetting.mfaRecoveryMaxPerDay.flagName), help: help(.mfaRecoveryMaxPerDay, value: "count"))
    var mfaRecoveryMaxPerDay: String?

    @Option(name: .customLong(ServerSetting.reauthWindow.flagName), help: help(.reauthWindow, value: "duration"))
    var reauthWindow: String?

    @Option(name: .customLong(ServerSetting.smtp.flagName), help: help(.smtp, value: "host:port"))
    var smtp: String?

    @Option(name: .customLong(ServerSetting.smtpTLS.flagName), help: help(.smtpTLS, value: "policy"))
    var smtpTLS: String?

    @Option(name: .customLong(ServerSetting.smtpCAFile.flagName), help: help(.smtpCAFile, value: "file"))
    var smtpCAFile: String?

    @Option(name: .customLong(ServerSetting.mailFrom.flagName), help: help(.mailFrom, value: "address"))
    var mailFrom: String?

    @Option(name: .customLong(ServerSetting.mailDir.flagName), help: help(.mailDir, value: "dir"))
    var mailDir: String?

    @Option(name: .customLong(ServerSetting.logLevel.flagName), help: help(.logLevel, value: "level"))
    var logLevel: String?

    @Flag(name: .customLong(ServerSetting.hstsIncludeSubdomains.flagName), inversion: .prefixedNo, help: help(.hstsIncludeSubdomains))
    var hstsIncludeSubdomains: Bool?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds between log lines with the chain head (seq:hash) for recording outside the system; 0 disables. (env: AUTHD_HEAD_LOG_INTERVAL; default: 300)",
            valueName: "seconds"))
    var headLogInterval: Int?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Ed25519 private key (PKCS#8 PEM, mode 0600, outside the data directory) signing head checkpoints. (env: AUTHD_ANCHOR_KEY)",
            valueName: "file"))
    var anchorKey: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Append-only file (outside the data directory) receiving signed head checkpoints for `authctl verify --anchors`. (env: AUTHD_ANCHOR_FILE)",
            valueName: "path"))
    var anchorFile: String?

    @Option(
        name: .long,
        help: ArgumentHelp(
            "Seconds between head checkpoints (only when the head moved). (env: AUTHD_ANCHOR_INTERVAL; default: 60)",
            valueName: "seconds"))
    var anchorInterval: Int?

    /// The values given on the command line, by setting.
    var flagValues: [ServerSetting: [String]] {
        var values: [ServerSetting: [String]] = [:]
        func set(_ setting: ServerSetting, _ value: String?) {
            if let value { values[setting] = [value] }
        }
        set(.data, data)
        set(.listen, listen)
        set(.issuer, issuer)
        if !origin.isEmpty { values[.origin] = origin }
        set(.adminKey, adminKey)
        set(.adminKeyFile, adminKeyFile)
        set(.argon2MemoryKiB, argon2MemoryKiB)
        set(.argon2Iterations, argon2Iterations)
        set(.argon2Parallelism, argon2Parallelism)
        set(.accessTokenTTL, accessTokenTTL)
        set(.sessionTTL, sessionTTL)
        set(.sessionIdleTimeout, sessionIdleTimeout)
        set(.sessionUpdateAge, sessionUpdateAge)
        set(.refreshTTL, refreshTTL)
        set(.refreshGrace, refreshGrace)
        set(.maxBodyBytes, maxBodyBytes)
        set(.trustProxy, trustProxy.map { $0 ? "true" : "false" })
        set(.rpID, rpID)
        set(.rpName, rpName)
        set(.webauthnUserVerification, webauthnUserVerification)
        set(.webauthnCounterPolicy, webauthnCounterPolicy)
        set(.mfaRecoveryDelay, mfaRecoveryDelay)
        set(.mfaRecoveryMaxPerDay, mfaRecoveryMaxPerDay)
        set(.reauthWindow, reauthWindow)
        set(.smtp, smtp)
        set(.smtpTLS, smtpTLS)
        set(.smtpCAFile, smtpCAFile)
        set(.mailFrom, mailFrom)
        set(.mailDir, mailDir)
        set(.logLevel, logLevel)
        set(.hstsIncludeSubdomains, hstsIncludeSubdomains.map { $0 ? "true" : "false" })
        return values
    }

    func run() async throws {
        let configuration: ServerConfiguration
        do {
            configuration = try ServerConfiguration.resolve(flags: flagValues, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.message)
        }
        guard MailMessage.isPlainAddress(configuration.mailFrom) else {
            throw ValidationError(
                "invalid value '\(configuration.mailFrom)' for \(ServerSetting.mailFrom.flag): expected an address such as authd@example.com")
        }
        let level = configuration.logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        var logger = Logger(label: "authd")
        logger.logLevel = level
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
        let anchoring = try anchorSettings(dataDirectory: configuration.dataDirectory)
        let store = try EventStore(path: configuration.dataDirectory, projections: DomainProjections.all)
        let api: AuthService
        do {
            // Offline tools that write refuse to run beside a server of other projection versions (RunningServer).
            try store.registerRunningServer()
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
        let server = AuthServer(configuration: configuration, readiness: { await api.isReady() }) { routes in
            api.addRoutes(to: routes)
        }
        let interval = headLogInterval ?? ProcessInfo.processInfo.environment["AUTHD_HEAD_LOG_INTERVAL"].flatMap(Int.init) ?? 300
        guard interval >= 0 else { throw ValidationError("--head-log-interval must be 0 (off) or a number of seconds") }
        let headLogger = interval > 0 ? Task { await Self.logHead(store: store, every: interval, logger: logger) } : nil
        defer { headLogger?.cancel() }
        let readerSweeper = Task { await Self.clearStaleReaders(store: store, every: 30, logger: logger) }
        defer { readerSweeper.cancel() }
        var anchorer: Task<Void, Never>?
        if let (sink, seconds) = anchoring {
            let taskLogger = logger
            anchorer = Task { await Self.anchorHead(store: store, sink: sink, every: seconds, logger: taskLogger) }
        }
        defer { anchorer?.cancel() }
        do {
            try await server.run()
        } catch {
            readerSweeper.cancel()
            notifier.stop()
            api.shutdown()
            try? store.unregisterRunningServer()
            store.close()
            throw error
        }
        headLogger?.cancel()
        readerSweeper.cancel()
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
            from: configuration.mailFrom, baseURL: configuration.issuer, dataKey: try DataKeyFile.loadOrCreate(path: files.dataKeyPath))
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
    func anchorSettings(dataDirectory: String) throws -> (AnchorSink, Int)? {
        let environment = ProcessInfo.processInfo.environment
        let keyPath = anchorKey ?? environment["AUTHD_ANCHOR_KEY"]
        let filePath = anchorFile ?? environment["AUTHD_ANCHOR_FILE"]
        guard keyPath != nil || filePath != nil else { return nil }
        guard let keyPath, let filePath else { throw ValidationError("--anchor-key and --anchor-file go together") }
        let seconds = anchorInterval ?? environment["AUTHD_ANCHOR_INTERVAL"].flatMap(Int.init) ?? 60
        guard seconds > 0 else { throw ValidationError("--anchor-interval must be a positive number of seconds") }
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

/// Help for `setting`: its abstract, environment variable and default.
private func help(_ setting: ServerSetting, value: String? = nil) -> ArgumentHelp {
    ArgumentHelp(setting.help, valueName: value)
}
