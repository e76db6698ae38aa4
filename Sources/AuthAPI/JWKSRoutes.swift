import AuthHTTP
import Hummingbird
import JOSE

extension AuthService {
    func addJWKSRoutes(_ routes: AuthRoutes) {
        routes.get("/.well-known/jwks.json") { _, _ in
            let body = Array(try self.tokens.jwks(now: self.clock.now()).json.utf8)
            return Response(
                status: .ok,
                headers: [.contentType: "application/json", .contentLength: String(body.count), .cacheControl: "public, max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: body)))
        }
    }
}
