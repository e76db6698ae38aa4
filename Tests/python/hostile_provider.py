"""A deliberately hostile OpenID provider (and a GitHub-like OAuth server) for the external-login tests.

It serves discovery, a JWKS, an authorization endpoint that redirects straight back with a code, a token endpoint
whose ID token is wrong in the way `mode` says, and GitHub's user and emails endpoints. Plain http.server on loopback.
"""
import base64
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

CLIENT_ID = "authd-client"
CLIENT_SECRET = "hostile-secret"


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def uint(n: int) -> str:
    return b64u(n.to_bytes((n.bit_length() + 7) // 8, "big"))


class Key:
    def __init__(self, kid):
        self.kid = kid
        self.private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        numbers = self.private.public_key().public_numbers()
        self.jwk = {"kty": "RSA", "kid": kid, "use": "sig", "n": uint(numbers.n), "e": uint(numbers.e)}
        self.pem = self.private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)

    def sign(self, header, claims):
        signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
        signature = self.private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64u(signature)


class HostileProvider:
    """`mode` picks the misbehaviour of the next token response; `subject`, `email`, `email_verified` the account."""

    def __init__(self):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.port = self.server.server_address[1]
        self.issuer = f"http://127.0.0.1:{self.port}"
        self.keys = [Key("k1")]
        self.mode = "ok"
        self.subject = "hostile-user-1"
        self.email = "mallory@example.com"
        self.email_verified = True
        self.github_primary_verified = True
        self.codes = {}
        self.jwks_fetches = 0
        self.token_requests = []
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()

    def id_token(self, nonce, access_token):
        now = int(time.time())
        key = self.keys[-1]
        claims = {"iss": self.issuer, "sub": self.subject, "aud": CLIENT_ID, "iat": now, "exp": now + 300, "nonce": nonce,
                  "email": self.email, "email_verified": self.email_verified}
        header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
        mode = self.mode
        if mode == "wrong_nonce":
            claims["nonce"] = "not-the-nonce"
        elif mode == "wrong_aud":
            claims["aud"] = "someone-else"
        elif mode == "wrong_iss":
            claims["iss"] = "http://127.0.0.1:1"
        elif mode == "expired":
            claims["iat"], claims["exp"] = now - 3600, now - 120
        elif mode == "wrong_azp":
            claims["aud"], claims["azp"] = [CLIENT_ID, "other"], "other"
        elif mode == "bad_at_hash":
            claims["at_hash"] = b64u(b"0" * 16)
        elif mode == "good_at_hash":
            claims["at_hash"] = b64u(hashlib.sha256(access_token.encode()).digest()[:16])
        elif mode == "unknown_kid":
            header["kid"] = "kid-" + secrets.token_hex(8)
        elif mode == "alg_none":
            header = {"alg": "none", "kid": key.kid}
            return b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode()) + "."
        elif mode == "hmac_pubkey":
            header = {"alg": "HS256", "kid": key.kid, "typ": "JWT"}
            signing_input = b64u(json.dumps(header).encode()) + "." + b64u(json.dumps(claims).encode())
            return signing_input + "." + b64u(hmac.new(key.pem, signing_input.encode(), hashlib.sha256).digest())
        elif mode == "bad_signature":
            token = key.sign(header, claims)
            return token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        return key.sign(header, claims)

    def _handler(provider_self):
        provider = provider_self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send_json(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urllib.parse.urlsplit(self.path)
                query = dict(urllib.parse.parse_qsl(url.query))
                if provider.mode == "down_500" and url.path != "/authorize":
                    return self.send_json(500, {"error": "server_error"})
                if url.path == "/.well-known/openid-configuration":
                    return self.send_json(200, {
                        "issuer": provider.issuer, "authorization_endpoint": provider.issuer + "/authorize",
                        "token_endpoint": provider.issuer + "/token", "jwks_uri": provider.issuer + "/jwks",
                        "id_token_signing_alg_values_supported": ["RS256", "HS256", "none"],
                        "response_types_supported": ["code"], "subject_types_supported": ["public"]})
                if url.path == "/jwks":
                    provider.jwks_fetches += 1
                    return self.send_json(200, {"keys": [k.jwk for k in provider.keys]})
                if url.path == "/authorize":
                    if provider.mode == "deny":
                        target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"error": "access_denied", "state": query["state"]})
                    else:
                        code = secrets.token_urlsafe(16)
                        provider.codes[code] = dict(query)
                        target = query["redirect_uri"] + "?" + urllib.parse.urlencode({"code": code, "state": query["state"]})
                    self.send_response(302)
                    self.send_header("Location", target)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if url.path == "/user":
                    return self.send_json(200, {"id": 4242, "login": "octo"})
                if url.path == "/user/emails":
                    return self.send_json(200, [
                        {"email": "octo-other@example.com", "primary": False, "verified": True},
                        {"email": provider.email, "primary": True, "verified": provider.github_primary_verified}])
                self.send_json(404, {})

            def do_POST(self):
                length = int(self.headers.get("Content-Length", "0"))
                form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
                provider.token_requests.append(form)
                if provider.mode == "timeout":
                    time.sleep(8)
                if provider.mode == "down_500":
                    return self.send_json(502, {"error": "bad_gateway"})
                expected = "Basic " + base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
                if self.headers.get("Authorization") != expected:
                    return self.send_json(401, {"error": "invalid_client"})
                flow = provider.codes.pop(form.get("code", ""), None)
                if flow is None:
                    return self.send_json(400, {"error": "invalid_grant"})
                challenge = b64u(hashlib.sha256(form.get("code_verifier", "").encode()).digest())
                if challenge != flow.get("code_challenge") or flow.get("code_challenge_method") != "S256":
                    return self.send_json(400, {"error": "invalid_grant", "error_description": "PKCE"})
                access = secrets.token_urlsafe(24)
                body = {"access_token": access, "token_type": "Bearer", "expires_in": 300}
                if provider.mode != "no_id_token" and "nonce" in flow:
                    body["id_token"] = provider.id_token(flow["nonce"], access)
                self.send_json(200, body)

        return Handler
