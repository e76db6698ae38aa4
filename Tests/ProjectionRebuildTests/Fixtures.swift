import EventLog
import Foundation
import ProjectionRebuild
import Synchronization

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

    func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let byStream = state.table(self, "by_stream"), byType = state.table(self, "by_type")
        counts.kept.add(1, ordering: .relaxed)
        for stream in event.streams {
            let key = Array(stream.description.utf8)
            if let old = try byStream.get(key) { try byType.delete(Self.typeKey(type: old, stream: key)) }
            try byStream.put(key, Array(event.type.utf8))
            try byType.put(Self.typeKey(type: event.type.utf8, stream: key), [UInt8]())
        }
    }
}

/// While `by_type` is deferred (a rebuild's fold), only `by_stream` is written; afterwards (a catch-up) `apply`
/// keeps both.
extension LastTypeProjection: FastFold {
    var derivedTables: [DerivedTable] { [
        DerivedTable("by_type", from: "by_stream") { stream, type in (Self.typeKey(type: type, stream: stream), []) },
    ] }

    func fold(_ event: FoldEvent, into tables: FoldTables) throws -> Bool {
        guard tables.table(self, "by_type").isDeferred else { return false }
        counts.deferred.add(1, ordering: .relaxed)
        let byStream = tables.table(self, "by_stream")
        for stream in event.recorded.streams { byStream.put(Array(stream.description.utf8), Array(event.type.utf8)) }
        return true
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
