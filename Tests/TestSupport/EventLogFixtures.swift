import EventLog

/// A small projection for testing the spine: counts events per stream and remembers the last type per stream.
public struct CounterProjection: Projection {
    public var name = "counter"
    public var version = 1
    public let tables = ["by_stream"]

    /// The projection named `name` at `version`.
    public init(name: String = "counter", version: Int = 1) {
        self.name = name
        self.version = version
    }

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
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
public func testEvent(_ type: String = "test.happened", user: String = "u1", note: String = "hello") -> PendingEvent {
    var writer = PayloadWriter()
    writer.add("user_id", user)
    writer.add("note", note)
    return PendingEvent(
        type: type, version: 1, actor: .user(user), request: RequestInfo(requestID: "req-\(note)", clientIP: "127.0.0.1", userAgent: "tests"),
        streams: [StreamRef(.user, user)], payload: writer.bytes)
}

/// Opens a store on a fresh directory with the counter projection.
public func makeStore(_ dir: TemporaryDirectory, clock: ManualClock = ManualClock(), projections: [any Projection] = [CounterProjection()]) throws -> EventStore {
    try EventStore(path: dir.path, projections: projections, clock: clock)
}

