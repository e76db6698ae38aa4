/// A segment of a compact JWS, named in errors.
public enum JWSPart: String, Sendable {
    /// The protected header (first segment).
    case header
    /// The payload (second segment).
    case payload
    /// The signature (third segment).
    case signature
}
