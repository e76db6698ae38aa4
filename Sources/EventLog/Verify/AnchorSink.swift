import AuthCrypto
import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Appends signed ``HeadCheckpoint`` lines to an append-only anchor file (`authd --anchor-file`), which should live
/// outside the data directory (another disk, a log shipper, a WORM mount): the file is opened `O_APPEND` (every
/// write goes to its end, never over an earlier line), created 0600, never through a symbolic link, and each line is
/// fsynced before ``append(_:at:)`` returns.
/// `@unchecked Sendable`: its file descriptor is only written under its lock.
public final class AnchorSink: @unchecked Sendable {
    private let descriptor: Int32
    private let key: SigningKey
    private let lock = NSLock()
    private var lastSeq: UInt64 = 0
    /// The anchor file.
    public let path: String

    /// Opens (creating if needed) `path` for appending; `key` must be an Ed25519 key.
    public init(path: String, key: SigningKey) throws(AnchorError) {
        guard key.algorithm == .eddsa else { throw AnchorError("the anchoring key must be an Ed25519 key") }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw AnchorError("cannot open \(path) for appending: \(String(cString: strerror(errno)))") }
        descriptor = fd
        self.key = key
        self.path = path
    }

    deinit { close(descriptor) }

    /// Appends a checkpoint of `head` made at `time`, unless `head` is empty or this sink already wrote its seq.
    /// Returns whether a line was written.
    @discardableResult
    public func append(_ head: LogHead, at time: Timestamp) throws(AnchorError) -> Bool {
        lock.lock()
        defer { lock.unlock() }
        guard head.seq > 0, head.seq != lastSeq else { return false }
        let checkpoint = HeadCheckpoint(seq: head.seq, hash: head.hash, time: time)
        let signature: [UInt8]
        do {
            signature = try key.sign(Array(checkpoint.signedText.utf8))
        } catch {
            throw AnchorError("signing the checkpoint failed: \(error)")
        }
        let bytes = Array(checkpoint.line(signature: signature).utf8)
        // One write of the whole line: with O_APPEND it lands at the end in one piece.
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        guard written == bytes.count else { throw AnchorError("cannot append to \(path): \(String(cString: strerror(errno)))") }
        guard fsync(descriptor) == 0 else { throw AnchorError("cannot sync \(path): \(String(cString: strerror(errno)))") }
        lastSeq = head.seq
        return true
    }
}
