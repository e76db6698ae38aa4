import AuthHTTP
import Foundation
import Hummingbird

/// The demo page at `GET /`: plain HTML, a script and a style sheet served by this server (no build step, no external
/// assets), under a strict Content-Security-Policy. It registers with email and password, logs in with a password or
/// a passkey (discoverable, no email typed), adds, renames and deletes passkeys, and lists sessions and passkeys. It
/// also sets up an authenticator app (TOTP: QR code, confirmation, backup codes) and asks for its code at login.
/// The three files are the target's resources (`Sources/AuthAPI/Resources/demo.{html,js,css}`), read once when the
/// service is set up (``AuthService/init(store:options:)``), before the server starts.
extension AuthService {
    static let demoCSP =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; "
        + "form-action 'none'; frame-ancestors 'none'"

    func addDemoRoutes(_ routes: AuthRoutes) {
        let assets = demoAssets
        routes.get("/") { _, _ in Self.asset(assets.html, type: "text/html; charset=utf-8") }
        routes.get("/demo.js") { _, _ in Self.asset(assets.script, type: "text/javascript; charset=utf-8") }
        routes.get("/demo.css") { _, _ in Self.asset(assets.style, type: "text/css; charset=utf-8") }
    }

    static func asset(_ bytes: ByteBuffer, type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        headers[.contentSecurityPolicy] = demoCSP
        headers[HTTPFields.Element.Name("Cross-Origin-Opener-Policy")!] = "same-origin"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: bytes))
    }
}

/// The demo page's files, as they stand in the resource bundle (`authlog_AuthAPI.resources`, which SwiftPM puts next
/// to the built executables; an installed `authd` needs it beside it, see README).
struct DemoAssets: Sendable {
    let html: ByteBuffer
    let script: ByteBuffer
    let style: ByteBuffer

    /// Reads the three files from the module's bundle; a missing file is an installation error and stops the process
    /// at startup, naming the bundle it looked in.
    static func load() -> DemoAssets {
        DemoAssets(html: file("demo", "html"), script: file("demo", "js"), style: file("demo", "css"))
    }

    private static func file(_ name: String, _ type: String) -> ByteBuffer {
        guard let url = Bundle.module.url(forResource: name, withExtension: type), let data = try? Data(contentsOf: url) else {
            fatalError("The demo page's \(name).\(type) is missing from the resource bundle \(Bundle.module.bundlePath)")
        }
        return ByteBuffer(bytes: data)
    }
}
