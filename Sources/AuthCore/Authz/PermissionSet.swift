/// Permission strings (`resource:action`) and their wildcards: `*` grants everything, `posts:*` every permission
/// that starts with `posts:` (so `admin:*` covers `admin:users:read`).
public struct PermissionSet: Sendable, Equatable {
    /// Grants every permission.
    public private(set) var all = false
    /// Exact permissions.
    public private(set) var exact: Set<String> = []
    /// The prefixes of `prefix:*` patterns, with their colon (`posts:`).
    public private(set) var prefixes: [String] = []

    /// The set granted by `patterns`.
    public init(_ patterns: some Sequence<String>) {
        for pattern in patterns { insert(pattern) }
    }

    /// Adds a pattern.
    public mutating func insert(_ pattern: String) {
        if pattern == "*" {
            all = true
        } else if pattern.hasSuffix(":*") {
            let prefix = String(pattern.dropLast())
            if !prefixes.contains(prefix) { prefixes.append(prefix) }
        } else {
            exact.insert(pattern)
        }
    }

    /// Whether `permission` (a concrete permission) is granted.
    @inline(__always)
    public func covers(_ permission: String) -> Bool {
        if all || exact.contains(permission) { return true }
        for prefix in prefixes where permission.hasPrefix(prefix) { return true }
        return false
    }

    /// Whether every permission `pattern` stands for is granted (a wildcard only by an equal or wider wildcard):
    /// the test of "nobody can grant a permission they do not hold".
    public func coversPattern(_ pattern: String) -> Bool {
        if all { return true }
        if pattern == "*" { return false }
        if pattern.hasSuffix(":*") {
            let prefix = pattern.dropLast()
            return prefixes.contains { prefix.hasPrefix($0) }
        }
        return covers(pattern)
    }

    /// Whether `text` is a well-formed pattern: `*`, or 2 to 8 segments of `[A-Za-z0-9_.-]` joined by `:`, the last of
    /// which may be `*` (at most 128 bytes).
    public static func isValidPattern(_ text: String) -> Bool {
        guard text == "*" || (text.utf8.count <= 128 && !text.isEmpty) else { return false }
        if text == "*" { return true }
        let segments = text.split(separator: ":", omittingEmptySubsequences: false)
        guard segments.count >= 2, segments.count <= 8 else { return false }
        for (index, segment) in segments.enumerated() {
            if segment == "*" && index == segments.count - 1 && index > 0 { continue }
            guard !segment.isEmpty, segment.utf8.allSatisfy(AttributeObject.isNameByte) else { return false }
        }
        return true
    }

    /// Whether `text` is a well-formed concrete permission (a pattern without wildcard).
    public static func isValidPermission(_ text: String) -> Bool {
        isValidPattern(text) && !text.hasSuffix("*")
    }

    /// Whether `text` is a well-formed role name: 1 to 64 of `[A-Za-z0-9_.-]`.
    public static func isValidRoleName(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64 && text.utf8.allSatisfy(AttributeObject.isNameByte)
    }
}
