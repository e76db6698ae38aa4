import AuthCrypto
import CBOR

/// A credential public key in COSE_Key form (RFC 9052 §7, RFC 9053), checked and converted to a
/// ``PublicKey`` with its ``COSEAlgorithm``.
///
/// Accepted shapes (every other shape throws):
/// - EC2 (`kty` 2) with `alg` ES256/ES384/ES512, `crv` 1/2/3 (P-256/P-384/P-521) matching `alg`, and
///   byte-string `x` and `y` of exactly the curve's coordinate length (no compressed points);
/// - OKP (`kty` 1) with `alg` EdDSA (-8), `crv` 6 (Ed25519) and a 32-byte `x`; EdDSA with another curve is
///   refused as ``WebAuthnError/unsupportedAlgorithm(_:)`` -8;
/// - OKP (`kty` 1) with `alg` Ed448 (-53), `crv` 7 (Ed448) and a 57-byte `x`;
/// - EdDSA keys must be canonically encoded and not of small order (``PublicKey`` refuses them: such a key
///   lets one fixed signature verify for every message);
/// - RSA (`kty` 3) with `alg` RS256/384/512, PS256/384/512 or RS1, `n` and `e`, a modulus of at least 2048 bits.
///
/// Parsing a key says nothing about policy: whether its algorithm is acceptable (RS1 in particular) is the
/// relying party's ``RelyingParty/allowedAlgorithms``, checked by the ceremonies.
///
/// `alg` is required (WebAuthn §5.8.5 requires it in credential public keys), must be an integer, and must
/// agree with `kty`. Private-key members (`d`, and RSA's private parameters) are refused.
public struct COSEKey: Sendable {
    /// The signature algorithm the key is bound to.
    public let algorithm: COSEAlgorithm
    /// The public key.
    public let publicKey: PublicKey

    /// Parses a COSE_Key from a decoded CBOR map.
    public init(cbor: CBORValue) throws(WebAuthnError) {
        guard let entries = cbor.entries else { throw .invalidPublicKey("COSE key is not a CBOR map") }
        for entry in entries where entry.key.int == nil && entry.key.text == nil {
            throw .invalidPublicKey("COSE key has a label that is neither an integer nor a text string")
        }
        guard let keyType = cbor[1]?.int else { throw .invalidPublicKey("COSE key has no integer kty (1)") }
        guard let algValue = cbor[3]?.int else { throw .invalidPublicKey("COSE key has no integer alg (3)") }
        let algorithm = try COSEAlgorithm.from(algValue)
        guard algorithm.keyType == keyType else {
            throw .invalidPublicKey("COSE kty \(keyType) does not fit alg \(algValue)")
        }
        let components: PublicKey.Components
        switch algorithm {
        case .es256, .es384, .es512:
            guard cbor[-4] == nil else { throw .invalidPublicKey("COSE EC2 key carries a private key (d)") }
            let (curveID, curve): (Int, ECCurve) = switch algorithm {
            case .es384: (2, .p384)
            case .es512: (3, .p521)
            default: (1, .p256)
            }
            guard let crv = cbor[-1]?.int else { throw .invalidPublicKey("COSE EC2 key has no integer crv (-1)") }
            guard crv == curveID else { throw .invalidPublicKey("COSE EC2 crv \(crv) does not fit alg \(algValue)") }
            guard let x = cbor[-2]?.bytes, let y = cbor[-3]?.bytes else {
                throw .invalidPublicKey("COSE EC2 key needs byte-string x (-2) and y (-3)")
            }
            guard x.count == curve.coordinateByteCount, y.count == curve.coordinateByteCount else {
                throw .invalidPublicKey("COSE EC2 coordinates must be \(curve.coordinateByteCount) bytes each")
            }
            components = .ec(curve: curve, x: x, y: y)
        case .eddsa:
            guard cbor[-4] == nil else { throw .invalidPublicKey("COSE OKP key carries a private key (d)") }
            guard let crv = cbor[-1]?.int else { throw .invalidPublicKey("COSE OKP key has no integer crv (-1)") }
            guard crv == 6 else { throw .unsupportedAlgorithm(algValue) }
            guard let x = cbor[-2]?.bytes, x.count == 32 else {
                throw .invalidPublicKey("COSE Ed25519 key needs a 32-byte x (-2)")
            }
            components = .ed25519(x)
        case .ed448:
            guard cbor[-4] == nil else { throw .invalidPublicKey("COSE OKP key carries a private key (d)") }
            guard let crv = cbor[-1]?.int else { throw .invalidPublicKey("COSE OKP key has no integer crv (-1)") }
            guard crv == 7 else { throw .invalidPublicKey("COSE OKP crv \(crv) does not fit alg \(algValue) (Ed448 is crv 7)") }
            guard let x = cbor[-2]?.bytes, x.count == 57 else {
                throw .invalidPublicKey("COSE Ed448 key needs a 57-byte x (-2)")
            }
            components = .ed448(x)
        case .rs256, .rs384, .rs512, .ps256, .ps384, .ps512, .rs1:
            for label in -8 ... -3 where cbor[label] != nil {
                throw .invalidPublicKey("COSE RSA key carries private parameters")
            }
            guard let n = cbor[-1]?.bytes, let e = cbor[-2]?.bytes else {
                throw .invalidPublicKey("COSE RSA key needs byte-string n (-1) and e (-2)")
            }
            components = .rsa(modulus: n, exponent: e)
        }
        do {
            publicKey = try PublicKey(components: components)
        } catch {
            throw .invalidPublicKey(error.description)
        }
        self.algorithm = algorithm
    }

    /// Parses a COSE_Key from its CBOR encoding, which must be exactly one strict CBOR item.
    public init(bytes: [UInt8]) throws(WebAuthnError) {
        let value: CBORValue
        do {
            value = try CBORDecoder().decode(bytes)
        } catch {
            throw .badCBOR("COSE key: \(error)")
        }
        try self.init(cbor: value)
    }

    /// The DER SubjectPublicKeyInfo of the key, the form to store with the credential.
    public var spkiDER: [UInt8] { publicKey.spkiDER }
}
