import Metrics

/// The API's counters (swift-metrics; authd exports them in the Prometheus format). Every label has a small fixed set
/// of values: no user, session, address or token ever becomes a label.
///
/// - `authd_logins_total{method, outcome}`: login attempts by method (`password`, `passkey`, `totp`, `backup_code`,
///   `external`, `refresh`) and outcome (`success`, `failure`, `mfa_required`, `locked`, `reuse_detected`).
/// - `authd_refresh_rotations_total`: refresh tokens rotated.
/// - `authd_refresh_reuse_detections_total`: refresh tokens presented again after their rotation (family revoked).
/// - `authd_rate_limit_rejections_total{scope}`: requests refused with 429 by a rate limiter (`ip`, `account`).
enum APIMetrics {
    /// A login method.
    enum Method: String {
        case password, passkey, totp, backupCode = "backup_code", external, refresh
    }

    /// How a login attempt ended.
    enum Outcome: String {
        case success, failure, mfaRequired = "mfa_required", locked
        case reuseDetected = "reuse_detected"
    }

    /// Counts one login attempt.
    static func login(_ method: Method, _ outcome: Outcome) {
        Counter(label: "authd_logins_total", dimensions: [("method", method.rawValue), ("outcome", outcome.rawValue)]).increment()
    }

    /// Counts one refresh token rotation.
    static func refreshRotated() {
        Counter(label: "authd_refresh_rotations_total").increment()
    }

    /// Counts one detected refresh token reuse.
    static func refreshReuseDetected() {
        Counter(label: "authd_refresh_reuse_detections_total").increment()
    }

    /// Counts one request refused by a rate limiter of `scope`.
    static func rateLimited(scope: String) {
        Counter(label: "authd_rate_limit_rejections_total", dimensions: [("scope", scope)]).increment()
    }
}
