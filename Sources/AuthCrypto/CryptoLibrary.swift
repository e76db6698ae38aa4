import COpenSSL

/// The OpenSSL library AuthCrypto runs on: its version, and which algorithms it can provide.
public enum CryptoLibrary {
    /// OpenSSL's version text, e.g. `"OpenSSL 3.0.22 25 Aug 2026"` (`OpenSSL_version(OPENSSL_VERSION)`).
    public static var openSSLVersion: String {
        OpenSSL_version(OPENSSL_VERSION).map { String(cString: $0) } ?? "unknown"
    }

    /// Whether OpenSSL's default library context provides the key type `name` (an OpenSSL algorithm name such as
    /// `"ED448"` or `"ML-DSA-44"`): `EVP_PKEY_CTX_new_from_name(NULL, name, NULL)` succeeds. Algorithms that OpenSSL
    /// lacks are not implemented by hand here, so this tells which of them the linked library could add.
    public static func providesKeyType(_ name: String) -> Bool {
        let context = EVP_PKEY_CTX_new_from_name(nil, name, nil)
        CryptoError.discardOpenSSLErrors()
        guard let context else { return false }
        EVP_PKEY_CTX_free(context)
        return true
    }
}
