import EventLog
import Foundation
import LMDB
import Synchronization
import TestSupport

/// A small projection for testing the spine: counts events per stream and remembers the last type per stream.
struct CounterProjection: Projection {
    var name = "counter"
    var version = 1
    let tables = ["by_stream"]

    func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let table = state.table(self, "by_stream")
        for stream in event.streams {
            let key = Array(stream.description.utf8)
            let current = try table.get(key).map { UInt64($0[0]) << 8 | UInt64($0[1]) } ?? 0
            let next = current + 1
            try table.put(key, [UInt8(next >> 8 & 0xFF), UInt8(next & 0xFF)] + Array(event.type.utf8))
        }
    }
}

/// A pending test event in stream `user:<user>`.
func testEvent(_ type: String = "test.happened", user: String = "u1", note: String = "hello") -> PendingEvent {
    var writer = PayloadWriter()
    writer.add("user_id", user)
    writer.add("note", note)
    return PendingEvent(
        type: type, version: 1, actor: .user(user), request: RequestInfo(requestID: "req-\(note)", clientIP: "127.0.0.1", userAgent: "tests"),
        streams: [StreamRef(.user, user)], payload: writer.bytes)
}

/// Opens a store on a fresh directory with the counter projection.
func makeStore(_ dir: TemporaryDirectory, clock: ManualClock = ManualClock(), projections: [any Projection] = [CounterProjection()]) throws -> EventStore {
    try EventStore(path: dir.path, projections: projections, clock: clock)
}

/// A one-shot gate a command can wait on inside the writer thread, to line up a batch deterministically.
/// The test side only polls (never blocks a cooperative thread).
final class Gate: @unchecked Sendable {
    private let semaphore = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var hasEntered = false

    /// Called on the writer thread: marks entry and blocks until ``open()``.
    func enterAndWait() {
        lock.withLock { hasEntered = true }
        semaphore.wait()
    }

    /// Suspends until the writer has entered.
    func waitUntilEntered() async throws {
        while true {
            if lock.withLock({ hasEntered }) { return }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Releases the writer.
    func open() { semaphore.signal() }
}

struct Refused: Error, Equatable {}

/// A projection with a secondary index: the last type per stream (`by_stream`), and the streams by their last type
/// (`by_type`: `type || 0x00 || stream`), derived from `by_stream` in a rebuild. It counts the events it applied
/// while `by_type` was deferred, and those it applied with `by_type` kept.
struct LastTypeProjection: Projection {
    final class Counts: Sendable {
        let deferred = Atomic<Int>(0)
        let kept = Atomic<Int>(0)
    }

    let name = "last_type"
    let version = 1
    let tables = ["by_stream", "by_type"]
    let counts = Counts()

    static func typeKey(type: some Collection<UInt8>, stream: some Collection<UInt8>) -> [UInt8] { Array(type) + [0] + Array(stream) }

    var derivedTables: [DerivedTable] { [
        DerivedTable("by_type", from: "by_stream") { stream, type in (Self.typeKey(type: type, stream: stream), []) },
    ] }

    func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byStream = state.table(self, "by_stream"), byType = state.table(self, "by_type")
        if byType.isDeferred { counts.deferred.add(1, ordering: .relaxed) } else { counts.kept.add(1, ordering: .relaxed) }
        for stream in event.streams {
            let key = Array(stream.description.utf8)
            if !byType.isDeferred, let old = try byStream.get(key) { try byType.delete(Self.typeKey(type: old, stream: key)) }
            try byStream.put(key, Array(event.type.utf8))
            if !byType.isDeferred { try byType.put(Self.typeKey(type: event.type.utf8, stream: key), [UInt8]()) }
        }
    }
}

/// A projection that only writes while it folds (never reads its table): the last note per user, and how many bytes
/// of notes were seen before it (so values change length). Its table can hold its writes back in a rebuild.
struct LastNoteProjection: Projection {
    let name = "last_note"
    let version = 1
    let tables = ["by_user"]

    func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let fields = try event.fields()
        let user = try fields.string("user_id"), note = try fields.string("note")
        var value = withUnsafeBytes(of: event.seq.bigEndian) { Array($0) }
        value.append(contentsOf: note.utf8)
        try state.table(self, "by_user").put(Array(user.utf8), value)
    }
}
