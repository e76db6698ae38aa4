import TestSupport

/// Direct access to a vector file's top level.
enum W3CVectorFile {
    /// The W3C vector file's top-level object (attestation CA certificate and key, conventions).
    static func root() throws -> [String: Any]? {
        try Paths.vectorJSON("webauthn_vectors/w3c_webauthn_l3_test_vectors.json") as? [String: Any]
    }
}
