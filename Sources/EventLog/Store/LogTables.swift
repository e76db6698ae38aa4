import LMDB

/// The fixed databases of a log environment and the keys of its meta table.
package struct LogTables: Sendable {
    /// `seq (8 bytes BE) → hash || event bytes`.
    package let log: Database
    /// Head, checkpoints and other bookkeeping (never part of the digest).
    package let meta: Database

    package static let logName = "log"
    package static let metaName = "meta"
    package static let headKey = Array("head".utf8)
    /// Written by ``CommandContext/requireDurableCommit()``: the time of the last batch that had to be durable
    /// without appending an event. Nothing reads it.
    package static let durableMarkKey = Array("durable-mark".utf8)

    /// Opens (or creates, when writable) the fixed tables.
    package init(environment: Environment, create: Bool) throws {
        let flags: DatabaseFlags = create ? [.create] : []
        log = try environment.openDatabase(Self.logName, flags: flags)
        meta = try environment.openDatabase(Self.metaName, flags: flags)
    }
}

/// The newest event: what the chain's head is.
public struct LogHead: Sendable, Equatable, CustomStringConvertible {
    /// Sequence number of the newest event (0 for an empty log).
    public var seq: UInt64
    /// Its chain hash (32 zero bytes for an empty log).
    public var hash: [UInt8]
    /// Its timestamp (used to keep event time monotonic).
    public var timestamp: Timestamp

    /// The head of an empty log.
    public static let empty = LogHead(seq: 0, hash: EventCodec.genesisHash, timestamp: Timestamp(microseconds: 0))

    /// Creates a head.
    public init(seq: UInt64, hash: [UInt8], timestamp: Timestamp) {
        self.seq = seq
        self.hash = hash
        self.timestamp = timestamp
    }

    package var encoded: [UInt8] {
        EventCodec.seqKey(seq) + hash + EventCodec.seqKey(UInt64(bitPattern: timestamp.microseconds))
    }

    package init(encoded: [UInt8]) throws {
        guard encoded.count == 48 else { throw EventStoreError.corrupt("head record has \(encoded.count) bytes") }
        seq = EventCodec.seq(fromKey: Array(encoded[0..<8]))!
        hash = Array(encoded[8..<40])
        timestamp = Timestamp(microseconds: Int64(bitPattern: EventCodec.seq(fromKey: Array(encoded[40..<48]))!))
    }

    /// `seq:hexhash`, the form `authctl head` prints and `verify --expect-head` takes.
    public var description: String {
        "\(seq):\(hash.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined())"
    }

    /// The head of the log in `environment` (which may be read-only).
    public static func read(environment: Environment) throws -> LogHead {
        let tables = try LogTables(environment: environment, create: false)
        return try environment.read { txn in try read(txn, tables) }
    }

    package static func read(_ txn: Transaction, _ tables: LogTables) throws -> LogHead {
        guard let value = try txn.get(tables.meta, key: LogTables.headKey) else { return .empty }
        return try LogHead(encoded: value)
    }
}
