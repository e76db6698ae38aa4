import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing the secret files under `<data>/keys`, with the checks of the data key (`DataKeyFile`):
///
/// - reading opens with `O_NOFOLLOW` (a symbolic link is refused, not followed), and refuses anything but a regular
///   file, a file of another owner, a file group or others may read, write or execute, and an oversized file;
/// - writing creates a temporary file exclusively with mode 0600 (whatever the umask), writes and fsyncs it, links
///   it into place — an atomic rename that never replaces a file another process created meanwhile — removes the
///   temporary name and fsyncs the directory, so the key file appears complete or not at all, and survives a crash.
public enum SecretFile {
    /// The largest secret file read (PEM keys are a few KiB).
    public static let maxByteCount = 64 * 1024

    /// The contents of `path`, or `nil` if it does not exist; throws if a check fails.
    public static func contents(_ path: String) throws(KeyFiles.Failure) -> [UInt8]? {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            if code == ENOENT { return nil }
            if code == ELOOP { throw KeyFiles.Failure("\(path) is a symbolic link; key files must be regular files") }
            throw KeyFiles.Failure("cannot open \(path): \(String(cString: strerror(code)))")
        }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else { throw KeyFiles.Failure("cannot stat \(path): errno \(errno)") }
        let mode = UInt32(info.st_mode)
        guard mode & 0o170000 == 0o100000 else { throw KeyFiles.Failure("\(path) is not a regular file") }
        guard info.st_uid == geteuid() else {
            throw KeyFiles.Failure("\(path) is owned by uid \(info.st_uid), not by this process's user (\(geteuid()))")
        }
        guard mode & 0o077 == 0 else {
            throw KeyFiles.Failure("\(path) is accessible by group or others (mode \(String(mode & 0o7777, radix: 8))); chmod 600 it")
        }
        guard Int(info.st_size) <= maxByteCount else { throw KeyFiles.Failure("\(path) is too large for a key file") }
        var bytes = [UInt8](repeating: 0, count: maxByteCount + 1)
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress! + filled, $0.count - filled) }
            if count < 0 {
                if errno == EINTR { continue }
                throw KeyFiles.Failure("cannot read \(path): errno \(errno)")
            }
            if count == 0 { break }
            filled += count
        }
        guard filled <= maxByteCount else { throw KeyFiles.Failure("\(path) is too large for a key file") }
        return Array(bytes.prefix(filled))
    }

    /// Creates `path` atomically with `bytes` and mode 0600; throws a failure ending in "exists" if it exists.
    public static func create(_ path: String, _ bytes: [UInt8]) throws(KeyFiles.Failure) {
        let temporary = path + ".tmp-" + UUID().uuidString
        defer { unlink(temporary) }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw KeyFiles.Failure("cannot create \(temporary): errno \(errno)") }
        try writeAndSync(descriptor, bytes, path: temporary)
        // link(2) is the rename that cannot replace: EEXIST if another process put a key there first.
        guard link(temporary, path) == 0 else {
            let code = errno
            throw KeyFiles.Failure(code == EEXIST ? "\(path) exists" : "cannot link \(path): errno \(code)")
        }
        syncDirectory(containing: path)
    }

    /// Writes `bytes` to the new file `descriptor` (mode set to 0600), fsyncs and closes it.
    private static func writeAndSync(_ descriptor: Int32, _ bytes: [UInt8], path: String) throws(KeyFiles.Failure) {
        defer { close(descriptor) }
        guard fchmod(descriptor, 0o600) == 0 else { throw KeyFiles.Failure("cannot chmod \(path): errno \(errno)") }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, $0.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw KeyFiles.Failure("cannot write \(path): errno \(errno)")
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw KeyFiles.Failure("cannot sync \(path): errno \(errno)") }
    }

    /// Flushes the directory entry of `path` to disk (best effort: some file systems refuse).
    private static func syncDirectory(containing path: String) {
        let directory = (path as NSString).deletingLastPathComponent
        let descriptor = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
