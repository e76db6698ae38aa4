import StrictJSON
import AuthCrypto

/// Parsed and checked `clientDataJSON` (WebAuthn §5.8.1, CollectedClientData).
///
/// The JSON must be a strict object (valid UTF-8, no duplicate members, nothing after it) with string
/// `type`, `challenge` and `origin`. Optional members are type-checked: `crossOrigin` must be a Boolean,
/// `topOrigin` a string. `tokenBinding`, when it is an object, must have `status` `"supported"`
/// (`"present"` is refused because this server does not do Token Binding; anything else is invalid);
/// a non-object `tokenBinding` (some old clients sent the string `"unused"`) is ignored. Other members are
/// ignored, as the specification requires.
public struct ClientData: Sendable, Equatable {
    /// The ceremony type, `webauthn.create` or `webauthn.get`.
    public let type: String
    /// The challenge, decoded from base64url.
    public let challenge: [UInt8]
    /// The origin of the calling page (or app).
    public let origin: String
    /// Whether the ceremony ran in a cross-origin iframe (absent means false).
    public let crossOrigin: Bool
    /// The top-level origin, sent by Level 3 clients for cross-origin ceremonies.
    public let topOrigin: String?

    /// The type of a registration ceremony.
    public static let createType = "webauthn.create"
    /// The type of an authentication ceremony.
    public static let getType = "webauthn.get"

    /// Parses `clientDataJSON` bytes (shape only; see ``verify(type:expectedChallenge:rp:)``).
    public init(json: [UInt8]) throws(WebAuthnError) {
        let root: JSONNode
        do {
            root = try StrictJSONParser.parse(json)
        } catch {
            throw .invalidClientData(error.description)
        }
        guard let members = root.object else { throw .invalidClientData("not a JSON object") }
        guard let type = members["type"]?.string else { throw .invalidClientData("missing string 'type'") }
        guard let challengeText = members["challenge"]?.string else { throw .invalidClientData("missing string 'challenge'") }
        guard let origin = members["origin"]?.string else { throw .invalidClientData("missing string 'origin'") }
        guard let challenge = Encoding.fromBase64URL(challengeText) else { throw .invalidBase64URL(field: "clientDataJSON.challenge") }
        var crossOrigin = false
        if let value = members["crossOrigin"] {
            guard let flag = value.bool else { throw .invalidClientData("'crossOrigin' is not a Boolean") }
            crossOrigin = flag
        }
        var topOrigin: String? = nil
        if let value = members["topOrigin"] {
            guard let text = value.string else { throw .invalidClientData("'topOrigin' is not a string") }
            topOrigin = text
        }
        if let binding = members["tokenBinding"]?.object {
            switch binding["status"]?.string {
            case "supported": break
            case "present": throw .tokenBindingInvalid("status 'present', but this server does not support Token Binding")
            case let status?: throw .tokenBindingInvalid("status '\(status)' is not 'present' or 'supported'")
            case nil: throw .tokenBindingInvalid("missing string 'status'")
            }
        }
        self.type = type
        self.challenge = challenge
        self.origin = origin
        self.crossOrigin = crossOrigin
        self.topOrigin = topOrigin
    }

    /// Checks the ceremony type, the challenge (constant-time), the origin (exact match against the allowed
    /// list) and the cross-origin policy (see ``RelyingParty/CrossOriginPolicy`` for `topOrigin`).
    public func verify(type expectedType: String, expectedChallenge: [UInt8], rp: RelyingParty) throws(WebAuthnError) {
        guard type == expectedType else { throw .wrongCeremonyType(expected: expectedType, actual: type) }
        guard !expectedChallenge.isEmpty, ConstantTime.equals(challenge, expectedChallenge) else { throw .challengeMismatch }
        guard rp.allowedOrigins.contains(origin) else { throw .originNotAllowed(origin) }
        if crossOrigin {
            guard case let .allowEmbedding(topOrigins) = rp.crossOrigin else { throw .crossOriginNotAllowed }
            if let topOrigin, !topOrigins.contains(topOrigin) { throw .topOriginNotAllowed(topOrigin) }
        } else if topOrigin != nil {
            throw .invalidClientData("'topOrigin' without 'crossOrigin: true'")
        }
    }
}
