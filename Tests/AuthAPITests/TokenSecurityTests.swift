import AuthAPI
import AuthCore
import AuthCrypto
import EventLog
import Foundation
import Hummingbird
import HummingbirdTesting
import JOSE
import Testing

@Suite struct TokenSecurityTests {
    @Test func introspectionWithTheAdminKey() async throws {
        let harness = try Harness()
        try await harness.run { client in
            let userID = try await client.register("ada@example.com")
            let token = try await client.login("ada@example.com", mode: "token")
            let cookie = try await client.login("ada@example.com")
            let admin: HTTPFields = [.authorization: "Bearer \(Harness.adminKey)"]

            let access = object(try await client.post("/v1/introspect", ["token": token.accessToken], headers: admin))
            #expect(access["active"] as? Bool == true)
            #expect(access["token_type"] as? String == "access_token")
            #expect(access["sub"] as? String == userID && access["sid"] as? String == token.sessionID)
            #expect(access["aal"] as? String == "aal1" && access["exp"] is Int && access["iss"] as? String == "https://auth.example.com")

            let session = object(try await client.post("/v1/introspect", ["token": cookie.cookie], headers: admin))
            #expect(session["active"] as? Bool == true && session["token_type"] as? String == "session_token")
            #expect(session["sid"] as? String == cookie.sessionID)
            let refresh = object(try await client.post("/v1/introspect", ["token": token.refreshToken], headers: admin))
            #expect(refresh["active"] as? Bool == true && refresh["token_type"] as? String == "refresh_token")

            for garbage in ["", "x", "a.b.c", String(repeating: "A", count: 43), String(repeating: ".", count: 5000), "ey.ey.ey"] {
                let response = try await client.post("/v1/introspect", ["token": garbage], headers: admin)
                #expect(response.status == .ok)
                #expect(text(response) == #"{"active":false}"#)
            }
            // Revoked: inactive.
            _ = try await client.execute(uri: "/v1/logout", method: .post, headers: [.authorization: "Bearer \(token.accessToken)"])
            #expect(object(try await client.post("/v1/introspect", ["token": token.accessToken], headers: admin))["active"] as? Bool == false)
            #expect(object(try await client.post("/v1/introspect", ["token": token.refreshToken], headers: admin))["active"] as? Bool == false)

            expectProblem(try await client.post("/v1/introspect", ["token": cookie.cookie]), .unauthorized)
            expectProblem(try await client.post("/v1/introspect", ["token": cookie.cookie], headers: [.authorization: "Bearer wrong-key-wrong-key"]), .unauthorized)
            // A user's own session token is not an admin key.
            expectProblem(try await client.post("/v1/introspect", ["token": cookie.cookie], headers: [.authorization: "Bearer \(cookie.cookie)"]), .unauthorized)
        }
    }

    @Test func jwksVerifiesOurTokensAndKeepsThePreviousKeyForTheOverlap() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let response = try await client.execute(uri: "/.well-known/jwks.json", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.cacheControl]?.contains("max-age") == true)
            let jwks = try JWKS(json: Array(response.body.readableBytesView))
            #expect(jwks.keys.count == 1 && jwks.keys[0].algorithm == .es256)
            // Only public members.
            #expect(!text(response).contains("\"d\""))

            let policy = JWTValidationPolicy(issuer: "https://auth.example.com", audience: "https://auth.example.com")
            let verifier = try JWTVerifier(keys: jwks.keys, policy: policy)
            let claims = try verifier.verify(login.accessToken, now: harness.clock.now().seconds)
            #expect(claims.all["sid"]?.stringValue == login.sessionID)
            #expect(claims.expiresAt - (claims.issuedAt ?? 0) == 900)
            for claim in ["iss", "aud", "sub", "sid", "iat", "exp", "jti", "aal"] { #expect(claims.all[claim] != nil, "\(claim)") }
            let oldKid = jwks.keys[0].keyID

            // Rotate (what `authctl keys rotate` does): the new key signs, both are published.
            let newKid = try SigningKeyRotation.rotate(
                store: harness.store, files: harness.api.files, algorithm: .eddsa, expectedCurrent: oldKid)
            #expect(newKid != nil)
            harness.clock.advance(seconds: 2)
            let fresh = try await client.login("ada@example.com", mode: "token")
            let header = try JSONSerialization.jsonObject(
                with: Data(Encoding.fromBase64URL(fresh.accessToken.split(separator: ".")[0])!)) as? [String: Any]
            #expect(header?["kid"] as? String == newKid && header?["alg"] as? String == "EdDSA")
            let both = try JWKS(json: Array(try await client.execute(uri: "/.well-known/jwks.json", method: .get).body.readableBytesView))
            #expect(Set(both.keys.map(\.keyID)) == Set([oldKid, newKid!]))
            #expect(try await client.get("/v1/session", bearer: login.accessToken).status == .ok)
            #expect(try await client.get("/v1/session", bearer: fresh.accessToken).status == .ok)

            harness.clock.advance(seconds: 86_400 + 5)
            let later = try JWKS(json: Array(try await client.execute(uri: "/.well-known/jwks.json", method: .get).body.readableBytesView))
            #expect(later.keys.map(\.keyID) == [newKid!])
        }
        let rotations = try harness.events(SigningKeyRotated.self)
        #expect(rotations.count == 2 && rotations[1].previousKid == rotations[0].kid)
        // The key files are 0600 and the log has only public keys.
        for rotation in rotations {
            let attributes = try FileManager.default.attributesOfItem(atPath: harness.api.files.signingKeyPath(rotation.kid))
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            #expect((try? PublicKey(spkiDER: rotation.publicKey)) != nil)
        }
    }

    @Test func jwtAttacksAreRefusedOnBearer() async throws {
        let harness = try Harness()
        try await harness.run { client in
            try await client.register("ada@example.com")
            let login = try await client.login("ada@example.com", mode: "token")
            let kid = try harness.store.query { try $0.currentSigningKeyID() }!
            let ourKey = try harness.api.files.signingKey(kid)!
            let now = harness.clock.now().seconds
            let parts = login.accessToken.split(separator: ".").map(String.init)
            let claims = try JSONSerialization.jsonObject(with: Data(Encoding.fromBase64URL(parts[1])!)) as! [String: Any]

            func b64(_ object: [String: Any]) -> String {
                Encoding.base64URL(try! JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]))
            }
            func signed(_ header: [String: Any], _ payload: [String: Any], key: SigningKey) -> String {
                let input = b64(header) + "." + b64(payload)
                return input + "." + Encoding.base64URL(try! key.sign(Array(input.utf8)))
            }
            func with(_ changes: [String: Any]) -> [String: Any] { claims.merging(changes) { $1 } }
            let header: [String: Any] = ["alg": "ES256", "kid": kid, "typ": "JWT"]
            let attacker = try SigningKey.generate(.es256)
            let pem = ourKey.publicKey.pem
            let hsInput = b64(["alg": "HS256", "kid": kid, "typ": "JWT"]) + "." + parts[1]

            let attacks: [(String, String)] = [
                ("alg none", b64(["alg": "none", "kid": kid, "typ": "JWT"]) + "." + parts[1] + "."),
                ("alg None", b64(["alg": "None", "kid": kid, "typ": "JWT"]) + "." + parts[1] + "."),
                ("HS256 with the public key", hsInput + "." + Encoding.base64URL(HMAC.authenticate(key: Array(pem.utf8), message: Array(hsInput.utf8), algorithm: .sha256))),
                ("attacker key, our kid", signed(header, claims, key: attacker)),
                ("embedded jwk", signed(header.merging(["jwk": ["kty": "EC", "crv": "P-256", "x": "AA", "y": "AA"]]) { $1 }, claims, key: attacker)),
                ("jku", signed(header.merging(["jku": "https://evil.example/jwks"]) { $1 }, claims, key: ourKey)),
                ("x5u", signed(header.merging(["x5u": "https://evil.example/cert"]) { $1 }, claims, key: ourKey)),
                ("unknown crit", signed(header.merging(["crit": ["exp"], "exp": 1]) { $1 }, claims, key: ourKey)),
                ("wrong issuer", signed(header, with(["iss": "https://evil.example"]), key: ourKey)),
                ("wrong audience", signed(header, with(["aud": "someone-else"]), key: ourKey)),
                ("expired", signed(header, with(["exp": now - 120, "iat": now - 1000]), key: ourKey)),
                ("not yet valid", signed(header, with(["nbf": now + 3600]), key: ourKey)),
                ("unknown kid", signed(header.merging(["kid": "k_unknown"]) { $1 }, claims, key: ourKey)),
                ("sid of another user", signed(header, with(["sub": "usr_AAAAAAAAAAAAAAAAAAAAAA"]), key: ourKey)),
                ("tampered payload", parts[0] + "." + b64(with(["sub": "usr_BBBBBBBBBBBBBBBBBBBBBB"])) + "." + parts[2]),
                ("truncated", parts[0] + "." + parts[1]),
                ("empty signature", parts[0] + "." + parts[1] + "."),
            ]
            for (name, token) in attacks {
                let response = try await client.get("/v1/session", bearer: token)
                #expect(response.status == .unauthorized, "\(name)")
            }
            // A correctly forged-by-us token is accepted (the harness signs what the server would).
            #expect(try await client.get("/v1/session", bearer: signed(header, claims, key: ourKey)).status == .ok)
            harness.clock.advance(seconds: 900 + 31)
            #expect(try await client.get("/v1/session", bearer: login.accessToken).status == .unauthorized)
        }
    }

    /// Only SHA-256 of session and refresh tokens is stored: neither the token strings nor their 32 raw bytes appear
    /// anywhere in the LMDB files.
    @Test func rawTokensNeverReachTheDisk() async throws {
        let harness = try Harness { $0.configuration.refreshGrace = 10 }
        let issued = try await collectTokens(harness)
        let files = ["data.mdb", "lock.mdb"].compactMap { FileManager.default.contents(atPath: harness.directory.path + "/" + $0) }
        #expect(files.count == 2 && files[0].count > 0)
        var hashesFound = 0
        for token in issued {
            let raw = Encoding.fromBase64URL(token)!
            for data in files {
                #expect(data.range(of: Data(token.utf8)) == nil)
                #expect(data.range(of: Data(raw)) == nil)
            }
            if files[0].range(of: Data(SHA256.hash(raw))) != nil { hashesFound += 1 }
        }
        #expect(issued.count >= 20)
        #expect(hashesFound == issued.count, "the scan must see the stored hashes")
    }

    private func collectTokens(_ harness: Harness) async throws -> [String] {
        final class Box: @unchecked Sendable { var tokens: [String] = [] }
        let box = Box()
        try await harness.run { client in
            try await client.register("ada@example.com")
            for _ in 0..<5 {
                box.tokens.append(try await client.login("ada@example.com").cookie)
                let login = try await client.login("ada@example.com", mode: "token")
                box.tokens.append(login.refreshToken)
                var current = login.refreshToken
                for _ in 0..<3 {
                    current = object(try await client.refresh(current))["refresh_token"] as? String ?? ""
                    box.tokens.append(current)
                }
            }
            // Reuse detection and logouts too.
            _ = try await client.refresh(box.tokens[1])
            _ = try await client.execute(uri: "/v1/logout", method: .post, headers: [.authorization: "Bearer \(box.tokens[0])"])
        }
        return box.tokens
    }
}
