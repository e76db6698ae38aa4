/// A stream an event belongs to, such as a user, a session or a refresh-token family.
///
/// Every event names its streams in its envelope, so the forensic indexes (events by user, by session, by family,
/// by credential) are derived from the log alone and can be rebuilt without knowing event types.
public struct StreamRef: Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind of stream.
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable {
        case user, session, family, credential
    }

    /// The kind of stream.
    public var kind: Kind
    /// The stream's id.
    public var id: String

    /// Creates a stream reference.
    public init(_ kind: Kind, _ id: String) {
        self.kind = kind
        self.id = id
    }

    /// `kind:id`, the form stored in the envelope.
    public var description: String { "\(kind.rawValue):\(id)" }

    /// Parses `kind:id`.
    public init?(_ text: String) {
        guard let colon = text.firstIndex(of: ":"), let kind = Kind(rawValue: String(text[..<colon])) else { return nil }
        self.kind = kind
        self.id = String(text[text.index(after: colon)...])
    }
}
