/// Why a data key file could not be loaded or created.
public enum DataKeyFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No file at the path (from `load`; `loadOrCreate` creates it instead).
    case notFound(path: String)
    /// The path is a symbolic link, directory or other non-regular file.
    case notARegularFile(path: String)
    /// The file's permissions let the group or others read, write or execute it (mode shown in octal
    /// by `description`). Fix with `chmod 600`.
    case insecurePermissions(path: String, mode: UInt32)
    /// The file belongs to another user than the one running the server.
    case wrongOwner(path: String, owner: UInt32)
    /// The file does not hold exactly 32 bytes.
    case wrongSize(path: String, byteCount: Int)
    /// A system call failed with `errno`.
    case system(operation: String, path: String, errno: Int32)

    /// A short English explanation.
    public var description: String {
        switch self {
        case .notFound(let path): "data key file \(path) does not exist"
        case .notARegularFile(let path): "data key file \(path) is not a regular file (symbolic links are refused)"
        case .insecurePermissions(let path, let mode):
            "data key file \(path) has mode \(String(mode & 0o7777, radix: 8)); it must not be accessible to group or others (chmod 600)"
        case .wrongOwner(let path, let owner): "data key file \(path) is owned by uid \(owner), not by this process's user"
        case .wrongSize(let path, let count): "data key file \(path) holds \(count) bytes, not 32"
        case .system(let operation, let path, let code): "\(operation) \(path) failed: errno \(code)"
        }
    }
}
