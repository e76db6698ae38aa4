import AuthCore
import AuthCrypto
import AuthHTTP
import Hummingbird

/// Which failure budgets a password login draws on: the per-account budget is spent on **failures only**, and keyed
/// by account **and client**, so that a stranger's wrong passwords cannot keep the owner out.
///
/// - A **known device** (it presents the `__Host-device` cookie that a successful login with this email set) has a
///   budget of its own per account: strangers' failures never reach it.
/// - **Strangers** (no such cookie) have a budget per account and client address (IPv4, or the IPv6 /64), and all
///   strangers of an account share a larger one, which caps a spray from many addresses.
///
/// Buckets refill continuously (``AuthAPIOptions/loginPerAccount``, ``AuthAPIOptions/loginStrangersPerAccount``), so
/// a client that keeps failing is slowed, not walled off; a success empties nothing and resets the client's bucket.
struct LoginThrottle {
    /// The budgets of one attempt.
    struct Budgets {
        /// Keys in ``AuthService/loginPerAccount``.
        var client: String
        /// Key in ``AuthService/loginStrangersPerAccount`` (`nil` for a known device).
        var strangers: String?
    }

    /// The device cookie's name.
    static let deviceCookieName = "__Host-device"
    /// A year.
    static let deviceCookieMaxAge = 365 * 86_400

    let key: [UInt8]

    /// The budgets an attempt on `email` draws on, given the request's device cookie and client key.
    func budgets(email: String, deviceCookie: String?, clientKey: String) -> Budgets {
        if let deviceCookie, let device = knownDevice(deviceCookie, email: email) {
            return Budgets(client: "fail:" + email + "|dev:" + device, strangers: nil)
        }
        return Budgets(client: "fail:" + email + "|" + clientKey, strangers: "fail:" + email + "|strangers")
    }

    /// A new device cookie value for `email`: `<id>.<tag>`, the tag an HMAC of the id and the email under the server
    /// key, so that it cannot be forged or moved to another account.
    func newDeviceCookie(email: String) -> String {
        let id = Encoding.base64URL(SecureRandom.bytes(16))
        return id + "." + tag(id: id, email: email)
    }

    /// The device id of `cookie` if it is a valid device cookie for `email`.
    func knownDevice(_ cookie: String, email: String) -> String? {
        let parts = cookie.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0].utf8.count == 22, parts[1].utf8.count == 22 else { return nil }
        let id = String(parts[0])
        let expected = Array(tag(id: id, email: email).utf8)
        guard ConstantTime.equals(expected, Array(parts[1].utf8)) else { return nil }
        return id
    }

    private func tag(id: String, email: String) -> String {
        let mac = HMAC.authenticate(key: key, message: Array(("authd device v1\u{0}" + id + "\u{0}" + email).utf8), algorithm: .sha256)
        return Encoding.base64URL(Array(mac.prefix(16)))
    }
}

extension AuthService {
    /// Reserves one failure from each budget before the password is checked (429, recording `login.throttled` once
    /// per window, if one is spent): concurrent attempts cannot outrun a budget. A success gives the reservations
    /// back (``refundLoginBudgets(_:)``), so only failures are spent.
    func reserveLoginBudgets(_ budgets: LoginThrottle.Budgets, userID: String?, context: AuthRequestContext) async throws {
        try await consume(loginPerAccount, key: budgets.client, scope: "account", userID: userID, context: context)
        guard let strangers = budgets.strangers else { return }
        do {
            try await consume(loginStrangersPerAccount, key: strangers, scope: "account", userID: userID, context: context)
        } catch {
            loginPerAccount.refund(budgets.client)
            throw error
        }
    }

    /// The attempt succeeded: its reservations are given back, and the client's failures forgotten.
    func refundLoginBudgets(_ budgets: LoginThrottle.Budgets) {
        loginPerAccount.reset(budgets.client)
        if let strangers = budgets.strangers { loginStrangersPerAccount.refund(strangers) }
    }

    /// `Set-Cookie` for a known device of `email`.
    func deviceCookie(email: String) -> String {
        "\(LoginThrottle.deviceCookieName)=\(loginThrottle.newDeviceCookie(email: email)); Path=/; Max-Age=\(LoginThrottle.deviceCookieMaxAge); HttpOnly; Secure; SameSite=Lax"
    }
}
