/// The kinds of asymmetric key the signing layer accepts.
public enum KeyType: String, Sendable, CaseIterable {
    /// An elliptic-curve key on one of `ECCurve`'s curves (JWK `kty` "EC").
    case ec = "EC"
    /// An RSA key of at least 2048 bits (JWK `kty` "RSA").
    case rsa = "RSA"
    /// An Ed25519 key (JWK `kty` "OKP", `crv` "Ed25519").
    case ed25519 = "Ed25519"
    /// An Ed448 key (JWK `kty` "OKP", `crv` "Ed448"; COSE OKP `crv` 7). Verification only.
    case ed448 = "Ed448"
}
