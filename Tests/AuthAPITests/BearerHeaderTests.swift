@testable import AuthAPI
import Testing

/// `Authorization: Bearer <token>` as ``AuthService/bearer(_:)`` reads it, byte by byte.
@Suite("Bearer header parsing")
struct BearerHeaderTests {
    @Test("the token after a case-insensitive scheme and spaces, with whether it holds a dot")
    func accepted() {
        let token = String(repeating: "A", count: 43)
        #expect(AuthService.bearer("Bearer \(token)").map { String($0.token) } == token)
        #expect(AuthService.bearer("Bearer \(token)")?.hasDot == false)
        #expect(AuthService.bearer("bEaReR   a.b.c").map { String($0.token) } == "a.b.c")
        #expect(AuthService.bearer("bEaReR   a.b.c")?.hasDot == true)
        #expect(AuthService.bearer("Bearer ünïcödé").map { String($0.token) } == "ünïcödé")
        #expect(AuthService.bearerToken("Bearer x") == "x")
        #expect(AuthService.bearer("Bearer " + String(repeating: "t", count: 8192))?.token.utf8.count == 8192)
    }

    @Test("no token, another scheme, a space inside or an oversized token: none")
    func refused() {
        for header in [
            "", "Bearer", "Bearer ", "Bearer    ", "Bearerabc", "Basic abc", "Bearer a b", "Bearer a\u{20}", "Bearex abc",
            "Bearer\tabc", "ßearer abc", "Bearer " + String(repeating: "t", count: 8193),
        ] {
            #expect(AuthService.bearer(header) == nil, "\(header.prefix(20))")
        }
    }
}
