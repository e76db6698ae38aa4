import AuthCrypto

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The server's 32-byte data key for `SecretBox`, kept in its own file (outside the event log) with mode
/// 0600, owned by the server's user.
///
/// Loading refuses symbolic links, files readable, writable or executable by group or others, files of
/// another owner and files of the wrong size. Creation writes a temporary file with mode 0600, syncs it
/// and links it into place, so the key file appears complete or not at all, and a concurrent creator's
/// key wins consistently.
public enum DataKeyFile {
    /// The key size in bytes.
    public static let keyByteCount = SecretBox.keyByteCount

    /// Reads the key at `path`, checking type, owner, permissions and size.
    public static func load(path: String) throws(DataKeyFileError) -> [UInt8] {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            switch code {
            case ENOENT: throw .notFound(path: path)
            case ELOOP: throw .notARegularFile(path: path)
            default: throw .system(operation: "open", path: path, errno: code)
            }
        }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw .system(operation: "fstat", path: path, errno: errno) }
        let mode = UInt32(status.st_mode)
        guard mode & 0o170000 == 0o100000 else { throw .notARegularFile(path: path) }
        guard status.st_uid == geteuid() else { throw .wrongOwner(path: path, owner: UInt32(status.st_uid)) }
        guard mode & 0o077 == 0 else { throw .insecurePermissions(path: path, mode: mode & 0o7777) }
        guard Int(status.st_size) == keyByteCount else { throw .wrongSize(path: path, byteCount: Int(status.st_size)) }

        var key = [UInt8](repeating: 0, count: keyByteCount + 1)
        var filled = 0
        while filled < key.count {
            let count = key.withUnsafeMutableBytes { buffer in
                read(descriptor, buffer.baseAddress! + filled, buffer.count - filled)
            }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "read", path: path, errno: errno)
            }
            if count == 0 { break }
            filled += count
        }
        // One byte more was asked for, to notice a file that grew after fstat.
        guard filled == keyByteCount else { throw .wrongSize(path: path, byteCount: filled) }
        return Array(key.prefix(keyByteCount))
    }

    /// Reads the key at `path`, or creates it with 32 fresh random bytes and mode 0600 if no file is
    /// there. The directory must exist. An existing file is checked exactly as by `load`.
    public static func loadOrCreate(path: String) throws(DataKeyFileError) -> [UInt8] {
        do throws(DataKeyFileError) {
            return try load(path: path)
        } catch .notFound {
            return try create(path: path)
        }
    }

    private static func create(path: String) throws(DataKeyFileError) -> [UInt8] {
        let key = SecureRandom.bytes(keyByteCount)
        let temporary = path + ".tmp-" + Encoding.hex(SecureRandom.bytes(8))
        do throws(DataKeyFileError) {
            try writeNewFile(key, path: temporary)
        } catch {
            unlink(temporary)
            throw error
        }
        defer { unlink(temporary) }
        // link(2) fails with EEXIST rather than replacing a file another process created meanwhile.
        guard link(temporary, path) == 0 else {
            let code = errno
            if code == EEXIST { return try load(path: path) }
            throw .system(operation: "link", path: path, errno: code)
        }
        syncDirectory(containing: path)
        return key
    }

    /// Creates `path` exclusively with mode 0600, writes `bytes` and syncs them to disk.
    private static func writeNewFile(_ bytes: [UInt8], path: String) throws(DataKeyFileError) {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw .system(operation: "create", path: path, errno: errno) }
        defer { close(descriptor) }
        // The umask can only clear bits; set the mode explicitly all the same.
        guard fchmod(descriptor, 0o600) == 0 else { throw .system(operation: "fchmod", path: path, errno: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer in write(descriptor, buffer.baseAddress! + written, buffer.count - written) }
            if count < 0 {
                if errno == EINTR { continue }
                throw .system(operation: "write", path: path, errno: errno)
            }
            written += count
        }
        guard fsync(descriptor) == 0 else { throw .system(operation: "fsync", path: path, errno: errno) }
    }

    /// Flushes the directory entry of `path` to disk (best effort: some file systems refuse).
    private static func syncDirectory(containing path: String) {
        let directory: String
        if let slash = path.lastIndex(of: "/") {
            directory = slash == path.startIndex ? "/" : String(path[..<slash])
        } else {
            directory = "."
        }
        let descriptor = open(directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        _ = fsync(descriptor)
        close(descriptor)
    }
}
