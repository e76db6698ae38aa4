import AuthAPI
import Testing

/// The `return_to` rules of external logins, table-driven: every bypass of the open-redirect list is refused, and
/// what is allowed stays allowed.
@Suite struct ReturnToPolicyTests {
    static let policy = ReturnToPolicy(allowedURLs: ["https://app.example.com/dashboard", "http://localhost:5173/"])

    static let refused: [String] = [
        "//evil.com", "/\\evil.com", "\\/evil.com", "\\\\evil.com", "https:evil.com", "https:/evil.com", "http://evil.com",
        "https://evil.com/dashboard", "javascript:alert(1)", "JavaScript:alert(1)", "JAVASCRIPT:alert(1)", "data:text/html,x",
        "https://app.example.com@evil.com", "https://app.example.com@evil.com/dashboard", "https://user@app.example.com/dashboard",
        "https://app.example.com.evil.com/dashboard", "https://app.example.com:443.evil.com/dashboard",
        "https://app.example.com:8443/dashboard", "http://app.example.com/dashboard",
        "%2F%2Fevil.com", "/%2F/evil.com", "/%2f/evil.com", "/%5Cevil.com", "/%5cevil.com", "%2f%2fevil.com", "/%252F/evil.com",
        "/%00", "/%0d%0aSet-Cookie:x=1", "/%09/evil.com", "/\u{0}x", "/\r\nLocation: https://evil.com", "/\tx", "/ x",
        "/dash\u{7F}", "/caf\u{E9}", "https://app.example.com/dashboard-evil", "https://app.example.com/dashboardevil",
        "https://app.example.com/", "https://app.example.com", "https://app.example.com/dash", "https://app.example.com/Dashboard",
        "https://app.example.com/dashboard#frag", "/path#frag", "https://app.example.com/%2E%2E/admin", "", "evil.com",
        "./x", "?x", "https://[::1]@evil.com/", "https://app.example.com%2Eevil.com/dashboard", "http://localhost:5174/",
        "https://localhost:5173/", "http://localhost/", String(repeating: "/a", count: 1100),
    ]

    static let allowed: [String] = [
        "/", "/account", "/account?tab=security", "/a/b/c", "/%7Euser", "https://app.example.com/dashboard",
        "https://app.example.com/dashboard/", "https://app.example.com/dashboard/settings?x=1", "https://app.example.com/dashboard?x=1",
        "HTTPS://APP.EXAMPLE.COM/dashboard", "https://app.example.com:443/dashboard", "http://localhost:5173/", "http://localhost:5173/app",
    ]

    @Test(arguments: refused) func refusesBypass(_ candidate: String) {
        #expect(Self.policy.validate(candidate) == nil, "accepted \(candidate.debugDescription)")
    }

    @Test(arguments: allowed) func acceptsAllowed(_ candidate: String) {
        #expect(Self.policy.validate(candidate) == candidate)
    }

    @Test func configuredURLsMustBeAbsoluteHTTP() {
        #expect(ReturnToPolicy.AllowedURL("https://app.example.com/dashboard") != nil)
        for bad in ["app.example.com", "javascript:x", "https://u@app.example.com/", "https://app.example.com/#x", "https://app.example.com/?q=1"] {
            #expect(ReturnToPolicy.AllowedURL(bad) == nil, "accepted \(bad)")
        }
    }
}
