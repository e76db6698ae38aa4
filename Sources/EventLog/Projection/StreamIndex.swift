/// The forensic index: every event under each stream it names (user, session, refresh family, credential).
///
/// Key: `kind:id` (UTF-8) `|| 0x00 || seq (8 bytes big-endian)`, empty value; a prefix scan yields a stream's events
/// in log order without reading the rest of the log.
public struct StreamIndex: Projection {
    /// Creates the index projection.
    public init() {}

    public let name = "index"
    public let version = 1
    public let tables = ["by_stream"]

    public func apply(_ event: RecordedEvent, to state: ProjectionState) throws {
        let table = state.table(self, "by_stream")
        let seq = event.seq.bigEndian
        var failure: (any Error)?
        // Each key is built in one stack buffer, from the stream's bytes in place: no array per key.
        event.forEachStreamInPlace { stream in
            guard failure == nil else { return }
            withUnsafeTemporaryAllocation(byteCount: stream.count + 9, alignment: 1) { key in
                key.copyMemory(from: stream)
                key[stream.count] = 0
                withUnsafeBytes(of: seq) { UnsafeMutableRawBufferPointer(rebasing: key[(stream.count + 1)...]).copyMemory(from: $0) }
                do {
                    try table.insert(at: UnsafeRawBufferPointer(key))
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
    }

    /// The index key of `seq` in `stream`.
    public static func key(_ stream: StreamRef, seq: UInt64) -> [UInt8] {
        var key = prefix(stream)
        key.append(contentsOf: EventCodec.seqKey(seq))
        return key
    }

    /// The key prefix shared by all entries of `stream`.
    public static func prefix(_ stream: StreamRef) -> [UInt8] {
        var key = Array(stream.description.utf8)
        key.append(0)
        return key
    }
}
