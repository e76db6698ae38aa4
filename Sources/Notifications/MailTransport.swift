import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Delivers mail. Throwing means "not delivered, try again later"; the notifier retries with backoff.
public protocol MailTransport: Sendable {
    /// Delivers `message` (blocking; called on the notifier's own thread).
    func deliver(_ message: MailMessage) throws
    /// A short description for logs, e.g. `smtp://127.0.0.1:2525`.
    var description: String { get }
}

/// Why a delivery failed. A transient failure (network, 4xx reply) is retried; a permanent one (a recipient the
/// transport cannot address, a 5xx reply) would fail the same way every time, so the notifier drops that notice
/// instead of blocking every later one behind it.
public struct MailDeliveryError: Error, CustomStringConvertible, Sendable {
    public let description: String
    /// Whether retrying cannot help.
    public let isPermanent: Bool
    /// Creates the error.
    public init(_ description: String, permanent: Bool = false) {
        self.description = description
        isPermanent = permanent
    }
}

/// Writes each message as `<file name>.eml` into a directory (the development default: `<data>/mail`). Files
/// are written to a temporary name, synced and renamed, so a reader never sees half a message; a redelivery
/// of the same notice replaces its file.
public struct MailDirectoryTransport: MailTransport {
    /// The directory.
    public let directory: String

    /// Creates the transport; the directory is created (0700) on first delivery.
    public init(directory: String) { self.directory = directory }

    public var description: String { "maildir://" + directory }

    public func deliver(_ message: MailMessage) throws {
        let manager = FileManager.default
        if !manager.fileExists(atPath: directory) {
            try manager.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let name = String(message.messageID.prefix { $0 != "@" }.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "." ? $0 : "_" })
        let path = directory + "/" + name + ".eml"
        let temporary = path + ".tmp"
        let bytes = message.rfc5322
        guard manager.createFile(atPath: temporary, contents: Data(bytes), attributes: [.posixPermissions: 0o600]) else {
            throw MailDeliveryError("cannot write \(temporary)")
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: temporary))
        try handle.synchronize()
        try handle.close()
        guard rename(temporary, path) == 0 else { throw MailDeliveryError("cannot rename \(temporary): errno \(errno)") }
    }
}
