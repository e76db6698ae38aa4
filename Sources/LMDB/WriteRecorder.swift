/// The writes of one transaction as bytes (a *write set*), so that another copy of the same environment can apply
/// them and reach the same state: the log's shared engines ship each batch's write set to the other nodes.
///
/// Attach one to a write transaction (``Transaction/recorder``); every put, delete and drop made through it after
/// that is appended, in order. The encoding, per write: an operation byte (1 put, 2 delete, 3 delete of one
/// key/value pair of a dup-sort database, 4 drop of every entry), the database name (1-byte length, UTF-8), then
/// the key and, for 1 and 3, the value, each with a 4-byte big-endian length.
public final class WriteRecorder {
    /// The encoded writes so far.
    public private(set) var bytes: [UInt8] = []
    /// The number of writes so far.
    public private(set) var count = 0

    /// An empty recorder.
    public init() {}

    enum Operation: UInt8 {
        case put = 1, delete = 2, deletePair = 3, drop = 4
    }

    func record(_ operation: Operation, _ db: Database, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        record(operation, database: db.name, key: key, value: value)
    }

    private func record(_ operation: Operation, database: String, key: UnsafeRawBufferPointer?, value: UnsafeRawBufferPointer?) {
        let name = Array(database.utf8)
        precondition(name.count <= 255, "database names are at most 255 bytes")
        count += 1
        bytes.append(operation.rawValue)
        bytes.append(UInt8(name.count))
        bytes.append(contentsOf: name)
        if let key { appendField(key) }
        if let value { appendField(value) }
    }

    func record(_ operation: Operation, _ db: Database, key: [UInt8]?, value: [UInt8]?) {
        if let key {
            key.withUnsafeBytes { key in
                if let value {
                    value.withUnsafeBytes { value in record(operation, db, key: key, value: value) }
                } else {
                    record(operation, db, key: key, value: nil)
                }
            }
        } else {
            record(operation, db, key: nil as UnsafeRawBufferPointer?, value: nil)
        }
    }

    /// Appends a put of `value` under `key` to the database named `database`, without a transaction: for write sets
    /// made from another environment's contents (a log copied into a shared log). `database` is at most 255 bytes.
    public func put(database: String, key: [UInt8], value: [UInt8]) {
        key.withUnsafeBytes { key in
            value.withUnsafeBytes { value in record(.put, database: database, key: key, value: value) }
        }
    }

    private func appendField(_ field: UnsafeRawBufferPointer) {
        let length = UInt32(field.count)
        bytes.append(UInt8(truncatingIfNeeded: length >> 24))
        bytes.append(UInt8(truncatingIfNeeded: length >> 16))
        bytes.append(UInt8(truncatingIfNeeded: length >> 8))
        bytes.append(UInt8(truncatingIfNeeded: length))
        bytes.append(contentsOf: field)
    }
}

/// One write of a write set (see ``WriteRecorder``), as decoded.
public struct RecordedWrite: Sendable, Equatable {
    /// What the write does.
    public enum Kind: Sendable, Equatable {
        /// `key` now holds `value`.
        case put(value: [UInt8])
        /// `key` is gone.
        case delete
        /// The pair `key`/`value` of a dup-sort database is gone.
        case deletePair(value: [UInt8])
        /// Every entry of the database is gone (`key` is empty).
        case drop
    }

    /// The database's name.
    public let database: String
    /// The key written.
    public let key: [UInt8]
    /// The write.
    public let kind: Kind

    /// Decodes a write set made by ``WriteRecorder``; throws ``LMDBError/badValueSize`` if it is malformed.
    public static func decode(_ bytes: [UInt8]) throws(LMDBError) -> [RecordedWrite] {
        var writes: [RecordedWrite] = []
        var index = 0
        func take(_ count: Int) throws(LMDBError) -> ArraySlice<UInt8> {
            guard count >= 0, index + count <= bytes.count else { throw .badValueSize }
            defer { index += count }
            return bytes[index..<(index + count)]
        }
        func field() throws(LMDBError) -> [UInt8] {
            let length = try take(4).reduce(0) { $0 << 8 | Int($1) }
            return Array(try take(length))
        }
        while index < bytes.count {
            let operation = try take(1).first!
            let nameLength = Int(try take(1).first!)
            let name = String(decoding: try take(nameLength), as: UTF8.self)
            switch WriteRecorder.Operation(rawValue: operation) {
            case .put:
                let key = try field()
                writes.append(RecordedWrite(database: name, key: key, kind: .put(value: try field())))
            case .delete:
                writes.append(RecordedWrite(database: name, key: try field(), kind: .delete))
            case .deletePair:
                let key = try field()
                writes.append(RecordedWrite(database: name, key: key, kind: .deletePair(value: try field())))
            case .drop:
                writes.append(RecordedWrite(database: name, key: [], kind: .drop))
            case nil:
                throw .badValueSize
            }
        }
        return writes
    }
}

extension Transaction {
    /// Applies a write set recorded by ``WriteRecorder`` (on another copy of the environment) to this write
    /// transaction, opening (creating) each database it names. Not recorded itself, even with a recorder attached.
    public func apply(writeSet bytes: [UInt8]) throws {
        try apply(try RecordedWrite.decode(bytes))
    }

    /// Applies decoded writes (``RecordedWrite/decode(_:)``), as ``apply(writeSet:)`` does.
    public func apply(_ writes: [RecordedWrite]) throws {
        let saved = recorder
        recorder = nil
        defer { recorder = saved }
        var handles: [String: Database] = [:]
        for write in writes {
            let db: Database
            if let known = handles[write.database] {
                db = known
            } else {
                db = try openDatabase(write.database)
                handles[write.database] = db
            }
            switch write.kind {
            case .put(let value): try put(db, key: write.key, value: value)
            case .delete: try delete(db, key: write.key)
            case .deletePair(let value): try delete(db, key: write.key, value: value)
            case .drop: try drop(db)
            }
        }
    }
}
