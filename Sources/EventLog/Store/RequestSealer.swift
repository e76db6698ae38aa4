import Synchronization

/// Rewrites the request fields of an event before it is encoded: the domain installs one on its store
/// (``EventStore/install(_:)``) to seal personal data (client IP, user agent) under per-user keys, so that the log
/// holds only ciphertext of it and destroying a key erases it (crypto-shredding) without touching the hash chain.
///
/// It runs inside the write transaction, for every event a command emits, before the event is hashed and applied.
/// A caller may seal the fields before queuing its command (``RequestInfo/presealed``), so that the writer only
/// checks that the state they were sealed against still holds; the command's first event carrying them is offered
/// them, later ones are not (their `presealed` is nil).
public protocol RequestSealer: Sendable {
    /// The request fields to store for `event` (its request, or a sealed form of it). `context` is the emitting
    /// command's context: the side tables and projections as of this transaction.
    func sealedRequest(of event: PendingEvent, in context: CommandContext) throws -> RequestInfo
}

/// The store's installed sealer, read by the writer per batch.
final class RequestSealerSlot: Sendable {
    private let value = Mutex<(any RequestSealer)?>(nil)

    var sealer: (any RequestSealer)? { value.withLock { $0 } }

    func set(_ sealer: (any RequestSealer)?) { value.withLock { $0 = sealer } }
}

extension EventStore {
    /// Installs `sealer` for every event appended from now on (or removes it with `nil`). Install it at setup,
    /// before the first append that needs it.
    public func install(_ sealer: (any RequestSealer)?) { sealerSlot.set(sealer) }

    /// The installed sealer, if any.
    public var requestSealer: (any RequestSealer)? { sealerSlot.sealer }
}
