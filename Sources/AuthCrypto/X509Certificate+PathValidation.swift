import COpenSSL

extension X509Certificate {
    /// Validates the certification path from this certificate to one of `trustAnchors` (RFC 5280 §6, with
    /// OpenSSL's `X509_verify_cert`) and returns the path, this certificate first and the anchor last.
    ///
    /// - `intermediates` are untrusted candidates for the path (e.g. the rest of a WebAuthn `x5c`); only the
    ///   `trustAnchors` are trusted. An anchor need not be self-signed (`X509_V_FLAG_PARTIAL_CHAIN`): whatever
    ///   the caller lists is trusted, as RFC 5280 defines a trust anchor.
    /// - `time` is the validation instant in seconds since 1970-01-01T00:00:00Z; `nil` means now. A fixed time
    ///   lets a recorded ceremony be re-evaluated after its certificates expired.
    /// - Checked: signatures along the path, validity periods at `time`, CA basic constraints, key usage and path
    ///   length of the issuers, critical extensions understood. Not checked: revocation (no CRL or OCSP),
    ///   extended key usage or policies (no purpose is set).
    ///
    /// Throws ``CertificatePathError`` with OpenSSL's verdict; reason ``CertificatePathError/Reason/validationNotRun``
    /// when `trustAnchors` is empty or OpenSSL could not set up.
    public func validatePath(
        intermediates: [X509Certificate] = [], trustAnchors: [X509Certificate], at time: Int64? = nil
    ) throws(CertificatePathError) -> [X509Certificate] {
        guard !trustAnchors.isEmpty else { throw CertificatePathError(notRun: "no trust anchors") }
        defer { CryptoError.discardOpenSSLErrors() }
        guard let store = X509_STORE_new() else { throw CertificatePathError(notRun: "X509_STORE_new failed") }
        defer { X509_STORE_free(store) }
        for anchor in trustAnchors {
            // The store takes its own reference to each certificate it adds.
            guard let parsed = Self.parse(anchor.der) else { throw CertificatePathError(notRun: "a trust anchor did not parse") }
            defer { X509_free(parsed) }
            guard X509_STORE_add_cert(store, parsed) == 1 else { throw CertificatePathError(notRun: "X509_STORE_add_cert failed") }
        }
        guard let untrusted = c_authcrypto_x509_stack_new() else { throw CertificatePathError(notRun: "sk_X509_new_null failed") }
        var parsedIntermediates: [OpaquePointer] = []
        defer {
            c_authcrypto_x509_stack_free(untrusted)
            parsedIntermediates.forEach { X509_free($0) }
        }
        for intermediate in intermediates {
            guard let parsed = Self.parse(intermediate.der) else { throw CertificatePathError(notRun: "an intermediate did not parse") }
            parsedIntermediates.append(parsed)
            guard c_authcrypto_x509_stack_push(untrusted, parsed) > 0 else { throw CertificatePathError(notRun: "sk_X509_push failed") }
        }
        guard let leaf = Self.parse(der) else { throw CertificatePathError(notRun: "the certificate did not parse") }
        defer { X509_free(leaf) }
        guard let context = X509_STORE_CTX_new() else { throw CertificatePathError(notRun: "X509_STORE_CTX_new failed") }
        defer { X509_STORE_CTX_free(context) }
        guard X509_STORE_CTX_init(context, store, leaf, untrusted) == 1 else {
            throw CertificatePathError(notRun: "X509_STORE_CTX_init failed")
        }
        X509_STORE_CTX_set_flags(context, UInt(X509_V_FLAG_PARTIAL_CHAIN))
        if let time { X509_STORE_CTX_set_time(context, 0, time_t(time)) }

        let status = X509_verify_cert(context)
        guard status == 1 else {
            let code = X509_STORE_CTX_get_error(context)
            guard status == 0, code != X509_V_OK else { throw CertificatePathError(notRun: "X509_verify_cert failed (\(status))") }
            throw CertificatePathError(openSSLCode: code, depth: X509_STORE_CTX_get_error_depth(context))
        }
        guard let chain = X509_STORE_CTX_get1_chain(context) else { throw CertificatePathError(notRun: "X509_STORE_CTX_get1_chain failed") }
        defer { c_authcrypto_x509_stack_pop_free(chain) }
        var path: [X509Certificate] = []
        for index in 0..<c_authcrypto_x509_stack_count(chain) {
            guard let certificate = c_authcrypto_x509_stack_value(chain, index), let der = Self.der(of: certificate),
                  let parsed = try? X509Certificate(der: der)
            else { throw CertificatePathError(notRun: "the validated path could not be read back") }
            path.append(parsed)
        }
        return path
    }

    /// A new `X509` from DER (the caller frees it), or `nil`.
    private static func parse(_ der: [UInt8]) -> OpaquePointer? {
        der.withNonNullUInt8s { start, count in
            var cursor: UnsafePointer<UInt8>? = start
            return d2i_X509(nil, &cursor, count)
        }
    }

    /// The DER encoding of an `X509`, or `nil`.
    private static func der(of certificate: OpaquePointer) -> [UInt8]? {
        let length = i2d_X509(certificate, nil)
        guard length > 0 else { return nil }
        var out = [UInt8](repeating: 0, count: Int(length))
        let written = out.withUnsafeMutableBufferPointer { buffer in
            var cursor = buffer.baseAddress
            return i2d_X509(certificate, &cursor)
        }
        return written == length ? out : nil
    }
}
