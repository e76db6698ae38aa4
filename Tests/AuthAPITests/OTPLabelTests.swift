import AuthAPI
import AuthCore
import AuthHTTP
import Foundation
import Hummingbird
import HummingbirdTesting
import OTP
import Testing

/// The `otpauth://` label of accounts whose email has characters that are reserved in a URI label.
@Suite struct OTPLabelTests {
    /// What pyotp's `parse_uri` does: percent-decode the whole URI, then split the path at its first colon into
    /// issuer and account name; the `issuer` parameter must equal the label's issuer.
    static func pyotpStyleParse(_ uri: String) -> (issuer: String, name: String, secret: String, issuerParameter: String)? {
        guard let decoded = uri.removingPercentEncoding, let components = URLComponents(string: uri),
            components.scheme == "otpauth", components.host == "totp"
        else { return nil }
        guard let pathStart = decoded.range(of: "otpauth://totp/")?.upperBound, let query = decoded.firstIndex(of: "?") else {
            return nil
        }
        let label = decoded[pathStart..<query]
        guard let colon = label.firstIndex(of: ":") else { return nil }
        let items = components.queryItems ?? []
        guard let secret = items.first(where: { $0.name == "secret" })?.value,
            let issuer = items.first(where: { $0.name == "issuer" })?.value
        else { return nil }
        return (String(label[..<colon]), String(label[label.index(after: colon)...]), secret, issuer)
    }

    /// Threat: `a:b@example.com` registered, then every TOTP enrollment wrote an event and answered 500.
    @Test func emailWithColonEnrollsWithPercentEncodedLabel() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let email = "a:b@example.com"
            _ = try await client.register(email)
            let login = try await client.login(email, mode: "token")
            let enroll = try await client.post("/v1/mfa/totp/enroll", [:], headers: [.authorization: "Bearer \(login.accessToken)"])
            #expect(enroll.status == .ok, "\(text(enroll))")
            let fields = object(enroll)
            let uri = try #require(fields["otpauth_uri"] as? String)
            let secret = try #require(fields["secret"] as? String)
            // Google Authenticator key-uri format: the label is `issuer:account`, each part percent-encoded (RFC 3986),
            // so the account's colon and '@' are `%3A` and `%40` and the separator is the only literal colon.
            #expect(uri.hasPrefix("otpauth://totp/authd:a%3Ab%40example.com?secret=\(secret)&issuer=authd&"))
            let parsed = try #require(Self.pyotpStyleParse(uri))
            #expect(parsed.issuer == "authd")
            #expect(parsed.name == email)
            #expect(parsed.secret == secret)
            #expect(parsed.issuerParameter == parsed.issuer)

            // The enrollment completes with a code of that seed.
            let code = try TOTP().code(secret: try Base32.decode(secret), at: harness.clock.now().seconds)
            let confirm = try await client.post(
                "/v1/mfa/totp/confirm", ["code": code], headers: [.authorization: "Bearer \(login.accessToken)"])
            #expect(confirm.status == .ok, "\(text(confirm))")
        }
    }

    /// Every OTP error a route can meet is a 400 problem, not a 500.
    @Test func otpErrorsAreBadRequestProblems() {
        let problems: [Problem] = [
            OTPError.invalidLabel("issuer contains a colon").problem, OTPError.secretTooShort(byteCount: 1).problem,
            OTPError.unsupportedDigits(9).problem, QRCodeError.payloadTooLarge(byteCount: 9_999, capacity: 2_331).problem,
            Base32Error.invalidLength(1).problem, BackupCodeError.malformedCode.problem,
        ]
        for problem in problems {
            #expect(problem.status == .badRequest)
            #expect(problem.type == "urn:authd:problem:otp-unavailable")
            #expect(problem.detail?.isEmpty == false)
        }
    }
}
