import StrictJSON
/// Typed member access over a strictly parsed JSON object: what a ``CredentialResponseJSON`` reads its members from.
/// Every accessor throws ``WebAuthnError/malformedResponse(_:)`` naming the member's path (e.g. `response.signature`).
public struct CredentialJSONFields {
    private let members: [String: JSONNode]
    private let path: String

    /// Parses `json` strictly and requires an object.
    init(json: [UInt8]) throws(WebAuthnError) {
        let root: JSONNode
        do {
            root = try StrictJSONParser.parse(json)
        } catch {
            throw .malformedResponse(error.description)
        }
        guard let members = root.object else { throw .malformedResponse("not a JSON object") }
        self.members = members
        self.path = ""
    }

    private init(members: [String: JSONNode], path: String) {
        self.members = members
        self.path = path
    }

    private func name(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    /// A required object member.
    public func object(_ key: String) throws(WebAuthnError) -> CredentialJSONFields {
        guard let value = members[key]?.object else { throw .malformedResponse("missing object '\(name(key))'") }
        return CredentialJSONFields(members: value, path: name(key))
    }

    /// A required string member.
    public func string(_ key: String) throws(WebAuthnError) -> String {
        guard let value = members[key]?.string else { throw .malformedResponse("missing string '\(name(key))'") }
        return value
    }

    /// An optional string member (`null` counts as absent).
    public func optionalString(_ key: String) throws(WebAuthnError) -> String? {
        guard let value = members[key], value != .null else { return nil }
        guard let text = value.string else { throw .malformedResponse("'\(name(key))' is not a string") }
        return text
    }

    /// An optional integer member.
    public func optionalInt(_ key: String) throws(WebAuthnError) -> Int? {
        guard let value = members[key], value != .null else { return nil }
        guard let number = value.int else { throw .malformedResponse("'\(name(key))' is not an integer") }
        return number
    }

    /// An optional array of strings.
    public func optionalStrings(_ key: String) throws(WebAuthnError) -> [String]? {
        guard let value = members[key], value != .null else { return nil }
        guard let items = value.array else { throw .malformedResponse("'\(name(key))' is not an array") }
        var strings: [String] = []
        for item in items {
            guard let text = item.string else { throw .malformedResponse("'\(name(key))' has a non-string element") }
            strings.append(text)
        }
        return strings
    }
}
