import EventLog
import Foundation
import LMDB
import Logging

/// Delivers notices by reading the log: the log is the outbox. A thread of its own follows the log from the last
/// delivered position (kept in the `notifier` database of the store's LMDB environment, outside the log), composes
/// the notice of each event (``NoticeComposer``) and hands it to the transport. The position advances only after a
/// delivery succeeded, so delivery is at-least-once; a failing transport is retried with exponential backoff (1 s
/// doubling up to ``maxBackoff``) without skipping the notice; a permanent failure (``MailDeliveryError/isPermanent``)
/// drops that one notice, logged, so it cannot hold back the ones after it. Requests never wait for it.
///
/// On its very first start on a log, the notifier begins at the current head (history is not mailed).
///
/// With a shared log (the PostgreSQL engine, several nodes), the position lives in the shared log and only the node
/// holding the notifier's lease (a PostgreSQL advisory lock, released when its connection ends) delivers: each notice
/// goes out once for all nodes, and another node takes over when the holder stops.
/// `@unchecked Sendable`: its thread handle and stop flag are guarded by `condition`; the rest is immutable.
public final class Notifier: @unchecked Sendable {
    /// The database holding the position.
    public static let databaseName = "notifier"
    static let positionKey = Array("position".utf8)

    let store: EventStore
    let composer: NoticeComposer
    let transport: any MailTransport
    let logger: Logger
    /// Seconds between polls of the log head when idle.
    public let pollInterval: Double
    /// Longest wait between retries, seconds.
    public let maxBackoff: Double
    let database: Database
    private let condition = NSCondition()
    private var stopping = false
    private var thread: Thread?
    private var finished = false

    /// A notifier over `store`; call ``start()``.
    public init(
        store: EventStore, composer: NoticeComposer, transport: any MailTransport, logger: Logger = Logger(label: "authd.notifier"),
        pollInterval: Double = 0.2, maxBackoff: Double = 60
    ) throws {
        self.store = store
        self.composer = composer
        self.transport = transport
        self.logger = logger
        self.pollInterval = pollInterval
        self.maxBackoff = maxBackoff
        database = try store.environment.openDatabase(Self.databaseName)
        if try position() == nil { try setPosition(try store.head().seq) }
    }

    /// The name of the position and of the lease in a shared log (several nodes: one of them delivers).
    static let sharedName = "notifier"

    /// The seq of the last event handled, or `nil` before the first start. With a shared log (several nodes), the
    /// position is the shared log's, so that a notice is delivered once for all nodes.
    public func position() throws -> UInt64? {
        if let shared = store.sharedLog { return try shared.position(Self.sharedName) }
        let database = self.database
        return try store.environment.read { txn in
            try txn.get(database, key: Self.positionKey).flatMap(EventCodec.seq(fromKey:))
        }
    }

    private func setPosition(_ seq: UInt64) throws {
        if let shared = store.sharedLog { return try shared.setPosition(Self.sharedName, seq) }
        let database = self.database
        try store.environment.write { txn in try txn.put(database, key: Self.positionKey, value: EventCodec.seqKey(seq)) }
    }

    /// Starts the delivery thread.
    public func start() {
        let thread = Thread { [self] in
            run()
            condition.lock()
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "authd-notifier"
        self.thread = thread
        logger.info("notifier started", metadata: ["transport": .string(transport.description)])
        thread.start()
    }

    /// Stops the thread (an in-flight delivery finishes first) and waits for it.
    public func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while thread != nil && !finished { condition.wait() }
        condition.unlock()
    }

    /// Waits up to `seconds` unless stopping; returns whether to go on.
    private func pause(_ seconds: Double) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        if !stopping { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        return !stopping
    }

    private var isStopping: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopping
    }

    private func run() {
        var backoff = 1.0
        while !isStopping {
            do {
                if try deliverPending() == nil { backoff = 1 }
                if !pause(pollInterval) { return }
            } catch {
                logger.warning(
                    "notice delivery failed; retrying", metadata: ["error": .string("\(error)"), "retry_in_s": .stringConvertible(backoff)])
                if !pause(backoff) { return }
                backoff = min(maxBackoff, backoff * 2)
            }
        }
    }

    /// Handles every event after the position: delivers the notices, advancing the position past each handled
    /// event. Returns the number delivered, or `nil` if there was nothing new. Throws when a delivery fails (the
    /// position then stays before that event).
    @discardableResult
    public func deliverPending() throws -> Int? {
        // With several nodes, the one holding the notifier's lease delivers; the others stand by.
        if let shared = store.sharedLog, !shared.holdsLease(Self.sharedName) { return nil }
        let start = try position() ?? 0
        let head = try store.head().seq
        guard head > start else { return nil }
        var delivered = 0
        var seq = start
        while seq < head && !isStopping {
            let next = seq + 1
            let messages = try store.read { context -> [MailMessage] in
                guard let event = try context.event(next) else { return [] }
                do {
                    return try composer.notices(for: event, in: context)
                } catch {
                    // A notice that cannot be composed (undecodable event, unsealable token) never will be: skip it.
                    logger.error("notice skipped", metadata: ["seq": .stringConvertible(next), "error": .string("\(error)")])
                    return []
                }
            }
            for message in messages {
                do {
                    try transport.deliver(message)
                    delivered += 1
                    logger.info("notice delivered", metadata: ["seq": .stringConvertible(next), "subject": .string(message.subject)])
                } catch let error as MailDeliveryError where error.isPermanent {
                    logger.error("notice dropped", metadata: ["seq": .stringConvertible(next), "error": .string(error.description)])
                }
            }
            if !messages.isEmpty { try setPosition(next) }
            seq = next
        }
        try setPosition(seq)
        return delivered
    }
}
