import COpenSSL

/// A parsed DER X.509 certificate (RFC 5280), read once and exposed as plain values: the version, subject
/// attributes, extensions and subject public key.
///
/// Parsing is reading, not validating: nothing in `init(der:)` checks the certificate's signature, issuer,
/// validity dates, revocation or key usage. ``validatePath(intermediates:trustAnchors:at:)`` validates a path
/// to trust anchors the caller chooses.
public struct X509Certificate: Sendable, Equatable {
    /// One extension as it appears in the certificate.
    public struct Extension: Sendable, Equatable {
        /// The extension's OID in dotted-decimal form, e.g. `"2.5.29.19"` for basic constraints.
        public let oid: String
        /// Whether the extension is marked critical.
        public let isCritical: Bool
        /// The DER bytes inside the `extnValue` OCTET STRING.
        public let value: [UInt8]
    }

    /// The DER encoding the certificate was parsed from.
    public let der: [UInt8]
    /// The X.509 version: 1, 2 or 3.
    public let version: Int
    /// The subject's attributes in order, as (dotted OID, value) pairs; values are the string bytes
    /// decoded as UTF-8 (PrintableString, UTF8String and IA5String are all ASCII-compatible).
    public let subject: [(oid: String, value: String)]
    /// The extensions in order.
    public let extensions: [Extension]
    /// The subject public key, or the reason it is unusable (an unsupported type or size).
    private let publicKeyResult: Result<PublicKey, CryptoError>

    /// Parses a DER certificate; trailing bytes after it are rejected. Throws `.invalidInput` when the bytes
    /// are not a certificate.
    public init(der: [UInt8]) throws(CryptoError) {
        var consumed = 0
        let parsed: OpaquePointer? = der.withNonNullUInt8s { start, count in
            var cursor: UnsafePointer<UInt8>? = start
            let result = d2i_X509(nil, &cursor, count)
            if let cursor { consumed = start.distance(to: cursor) }
            return result
        }
        guard let certificate = parsed else { throw CryptoError(.invalidInput, "X.509 certificate DER did not parse") }
        defer { X509_free(certificate) }
        guard consumed == der.count else { throw CryptoError(.invalidInput, "X.509 certificate DER has trailing bytes") }

        self.der = der
        self.version = Int(X509_get_version(certificate)) + 1
        self.subject = Self.readSubject(certificate)
        self.extensions = Self.readExtensions(certificate)
        if let key = X509_get_pubkey(certificate) {
            do throws(CryptoError) {
                publicKeyResult = .success(try PublicKey(checking: EVPKey.take(key)))
            } catch {
                publicKeyResult = .failure(error)
            }
        } else {
            publicKeyResult = .failure(CryptoError(.invalidKey, "certificate public key did not parse"))
        }
        CryptoError.discardOpenSSLErrors()
    }

    /// The subject public key. Throws `.invalidKey` if it is not a supported key (EC P-256/384/521,
    /// RSA of 2048 bits or more, Ed25519, Ed448).
    public func publicKey() throws(CryptoError) -> PublicKey {
        try publicKeyResult.get()
    }

    /// The first extension with `oid` (dotted decimal), or `nil`.
    public func `extension`(oid: String) -> Extension? {
        extensions.first { $0.oid == oid }
    }

    /// The values of the subject attributes with `oid` (dotted decimal), e.g. `"2.5.4.11"` for OU.
    public func subjectValues(oid: String) -> [String] {
        subject.filter { $0.oid == oid }.map(\.value)
    }

    /// Certificates are equal when their DER encodings are.
    public static func == (lhs: X509Certificate, rhs: X509Certificate) -> Bool { lhs.der == rhs.der }

    private static func readSubject(_ certificate: OpaquePointer) -> [(oid: String, value: String)] {
        guard let name = X509_get_subject_name(certificate) else { return [] }
        var result: [(oid: String, value: String)] = []
        for index in 0..<max(0, X509_NAME_entry_count(name)) {
            guard let entry = X509_NAME_get_entry(name, index),
                  let object = X509_NAME_ENTRY_get_object(entry),
                  let data = X509_NAME_ENTRY_get_data(entry)
            else { continue }
            result.append((oid: dottedOID(object), value: String(decoding: bytes(of: data), as: UTF8.self)))
        }
        return result
    }

    private static func readExtensions(_ certificate: OpaquePointer) -> [Extension] {
        var result: [Extension] = []
        for index in 0..<max(0, X509_get_ext_count(certificate)) {
            guard let entry = X509_get_ext(certificate, index),
                  let object = X509_EXTENSION_get_object(entry),
                  let data = X509_EXTENSION_get_data(entry)
            else { continue }
            result.append(Extension(oid: dottedOID(object), isCritical: X509_EXTENSION_get_critical(entry) == 1,
                                    value: bytes(of: data)))
        }
        return result
    }

    /// The contents of an ASN.1 string (or OCTET STRING).
    private static func bytes(of string: UnsafePointer<ASN1_STRING>) -> [UInt8] {
        let count = Int(ASN1_STRING_length(string))
        guard count > 0, let start = ASN1_STRING_get0_data(string) else { return [] }
        return Array(UnsafeBufferPointer(start: start, count: count))
    }

    /// An OID in dotted-decimal form (`OBJ_obj2txt` with numeric output).
    private static func dottedOID(_ object: OpaquePointer) -> String {
        var buffer = [CChar](repeating: 0, count: 128)
        let length = OBJ_obj2txt(&buffer, Int32(buffer.count), object, 1)
        guard length > 0, Int(length) < buffer.count else { return "" }
        return String(decoding: buffer.prefix(Int(length)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
