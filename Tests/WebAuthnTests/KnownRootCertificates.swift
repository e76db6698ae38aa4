import AuthCrypto
import Foundation

/// Root certificates that a vector file names by reference instead of carrying them.
///
/// py_webauthn's `raises_when_root_cert_invalid_for_response` passes
/// `"<GlobalSign Root CA - R2 PEM: webauthn.helpers.known_root_certs.globalsign_r2>"` as the `packed` trust anchor:
/// the vector records which certificate, not its bytes. The certificate is a public root, typed in here from
/// duo-labs/py_webauthn `webauthn/helpers/known_root_certs.py` (`globalsign_r2`, "Downloaded from
/// https://pki.goog/repo/certs/gsr2.pem"), and checked on every load against the SHA-256 fingerprint that file
/// documents, so a transcription error fails the test instead of changing its meaning.
enum KnownRootCertificates {
    struct Entry {
        let pem: String
        /// SHA-256 of the DER, as the source documents it.
        let sha256Fingerprint: String
    }

    /// Entries by the reference the vector uses (the part after `PEM: `).
    static let byReference: [String: Entry] = [
        "webauthn.helpers.known_root_certs.globalsign_r2": Entry(
            pem: """
                -----BEGIN CERTIFICATE-----
                MIIDvDCCAqSgAwIBAgINAgPk9GHsmdnVeWbKejANBgkqhkiG9w0BAQUFADBMMSAw
                HgYDVQQLExdHbG9iYWxTaWduIFJvb3QgQ0EgLSBSMjETMBEGA1UEChMKR2xvYmFs
                U2lnbjETMBEGA1UEAxMKR2xvYmFsU2lnbjAeFw0wNjEyMTUwODAwMDBaFw0yMTEy
                MTUwODAwMDBaMEwxIDAeBgNVBAsTF0dsb2JhbFNpZ24gUm9vdCBDQSAtIFIyMRMw
                EQYDVQQKEwpHbG9iYWxTaWduMRMwEQYDVQQDEwpHbG9iYWxTaWduMIIBIjANBgkq
                hkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAps8kDr4ubyiZRULEqz4hVJsL03+EcPoS
                s8u/h1/Gf4bTsjBc1v2t8Xvc5fhglgmSEPXQU977e35ziKxSiHtKpspJpl6op4xa
                Ebx6guu+jOmzrJYlB5dKmSoHL7Qed7+KD7UCfBuWuMW5Oiy81hK561l94tAGhl9e
                SWq1OV6INOy8eAwImIRsqM1LtKB9DHlN8LgtyyHK1WxbfeGgKYSh+dOUScskYpEg
                vN0L1dnM+eonCitzkcadG6zIy+jgoPQvkItN+7A2G/YZeoXgbfJhE4hcn+CTClGX
                ilrOr6vV96oJqmC93Nlf33KpYBNeAAHJSvo/pOoHAyECjoLKA8KbjwIDAQABo4Gc
                MIGZMA4GA1UdDwEB/wQEAwIBhjAPBgNVHRMBAf8EBTADAQH/MB0GA1UdDgQWBBSb
                4gdXZxwewGoG3lm0mi3f3BmGLjAfBgNVHSMEGDAWgBSb4gdXZxwewGoG3lm0mi3f
                3BmGLjA2BgNVHR8ELzAtMCugKaAnhiVodHRwOi8vY3JsLmdsb2JhbHNpZ24ubmV0
                L3Jvb3QtcjIuY3JsMA0GCSqGSIb3DQEBBQUAA4IBAQANeX81Z1YqDIs4EaLjG0qP
                OxIzaJI/y4kiRj3a+y3KOx74clIkLuMgi/9/5iv/n+1LyhGU9g7174slbzJOPbSp
                p1eT19ST2mYbdgTLx/hm3tTLoHIY/w4ZbnQYwfnPwAG4RefnEFYPQJmpD+Wh8BJw
                Bgtm2drTale/T6NBwmwnEFunfaMfMX3g6IBrx7VKnxIkJh/3p190WveLKgl9n7i5
                SWce/4woPimEn9WfEQWRvp6wKhaCKFjuCMuulEZusoOUJ4LfJnXxcuQTgIrSnwI7
                KfSSjsd42w3lX1fbgJp7vPmLM6OBRvAXuYRKTFqMAWbb7OaGIEE+cbxY6PDepnva
                -----END CERTIFICATE-----
                """,
            sha256Fingerprint: "69:E2:D0:6C:30:F3:66:16:61:65:E9:1D:68:D1:CE:E5:CC:47:58:4A:80:22:7E:76:66:60:86:C0:10:72:41:EB"),
    ]

    /// The certificate a vector placeholder (`"<Name PEM: reference>"`) names; throws for an unknown reference,
    /// a PEM that does not parse, or a fingerprint mismatch.
    static func certificate(placeholder: String) throws -> X509Certificate {
        guard placeholder.hasPrefix("<"), placeholder.hasSuffix(">"), let marker = placeholder.range(of: "PEM: ") else {
            throw VectorHarness.Failure(description: "not a certificate placeholder: \(placeholder)")
        }
        let reference = String(placeholder[marker.upperBound...].dropLast())
        guard let entry = byReference[reference] else {
            throw VectorHarness.Failure(description: "no known root certificate for reference \(reference)")
        }
        let body = entry.pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        guard let data = Data(base64Encoded: body) else { throw VectorHarness.Failure(description: "\(reference): PEM body is not base64") }
        let der = Array(data)
        let fingerprint = SHA256.hash(der).map { String(format: "%02X", $0) }.joined(separator: ":")
        guard fingerprint == entry.sha256Fingerprint else {
            throw VectorHarness.Failure(description: "\(reference): SHA-256 fingerprint \(fingerprint) is not the documented one")
        }
        return try X509Certificate(der: der)
    }
}
