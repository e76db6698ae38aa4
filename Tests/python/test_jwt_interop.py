"""Interop: our access tokens verify with PyJWT using nothing but our published JWKS, for every algorithm."""
import json
import subprocess
import time

import jwt
import pytest
import requests

from conftest import binary, register_and_login


def fetch_jwks(server):
    r = requests.get(server.base + "/.well-known/jwks.json", timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Type"].startswith("application/json")
    return r.json()


def verify_with_pyjwt(server, token):
    """Verifies `token` with PyJWT, picking the key by kid from the JWKS and the algorithm from the key."""
    jwks = jwt.PyJWKSet.from_dict(fetch_jwks(server))
    kid = jwt.get_unverified_header(token)["kid"]
    key = next(k for k in jwks.keys if k.key_id == kid)
    issuer = f"http://localhost:{server.port}"
    return jwt.decode(
        token, key.key, algorithms=[key.algorithm_name], audience=issuer, issuer=issuer,
        options={"require": ["exp", "iat", "iss", "aud", "sub"]})


def test_es256_access_token_verifies_with_pyjwt(fast_authd):
    login, _ = register_and_login(fast_authd)
    header = jwt.get_unverified_header(login["access_token"])
    assert header["alg"] == "ES256" and header["typ"] == "JWT" and header["kid"]
    claims = verify_with_pyjwt(fast_authd, login["access_token"])
    assert claims["sub"] == login["user_id"]
    assert claims["sid"] == login["session_id"]
    assert claims["aal"] == "aal1"
    assert claims["exp"] - claims["iat"] == 900
    assert set(claims) >= {"iss", "aud", "sub", "sid", "iat", "exp", "jti", "aal"}
    # A refreshed token too.
    r = requests.post(fast_authd.base + "/v1/token/refresh", json={"refresh_token": login["refresh_token"]}, timeout=10)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    assert verify_with_pyjwt(fast_authd, r.json()["access_token"])["sid"] == login["session_id"]


@pytest.mark.parametrize("algorithm", ["EdDSA", "RS256"])
def test_rotated_keys_verify_with_pyjwt(fast_authd, algorithm):
    first, _ = register_and_login(fast_authd)
    out = subprocess.run([binary("authctl"), "keys", "rotate", "--data", fast_authd.data_dir, "--algorithm", algorithm],
                         check=True, capture_output=True, text=True).stdout
    new_kid = dict(line.split(": ", 1) for line in out.strip().splitlines())["kid"]
    time.sleep(1.2)  # the server re-reads the published key set at most once a second
    r = requests.post(fast_authd.base + "/v1/login/password",
                      json={"email": "ada@example.com", "password": "correct horse battery", "mode": "token"}, timeout=10)
    assert r.status_code == 200
    token = r.json()["access_token"]
    header = jwt.get_unverified_header(token)
    assert header["alg"] == algorithm and header["kid"] == new_kid
    assert verify_with_pyjwt(fast_authd, token)["sub"] == first["user_id"]
    # The previous key stays published, so tokens it signed still verify.
    kids = {k["kid"] for k in fetch_jwks(fast_authd)["keys"]}
    assert new_kid in kids and jwt.get_unverified_header(first["access_token"])["kid"] in kids
    assert verify_with_pyjwt(fast_authd, first["access_token"])["sid"] == first["session_id"]


def test_pyjwt_rejects_a_tampered_token(fast_authd):
    login, _ = register_and_login(fast_authd)
    head, payload, signature = login["access_token"].split(".")
    claims = json.loads(jwt.utils.base64url_decode(payload))
    claims["sub"] = "usr_AAAAAAAAAAAAAAAAAAAAAA"
    forged = ".".join([head, jwt.utils.base64url_encode(json.dumps(claims).encode()).decode(), signature])
    with pytest.raises(jwt.InvalidSignatureError):
        verify_with_pyjwt(fast_authd, forged)
    r = requests.get(fast_authd.base + "/v1/session", headers={"Authorization": f"Bearer {forged}"}, timeout=10)
    assert r.status_code == 401 and r.headers["Content-Type"] == "application/problem+json"


def test_session_flow_over_real_http(fast_authd):
    """Cookie attributes, CSRF, logout through the real binary."""
    _, cookie = register_and_login(fast_authd, mode="cookie")
    assert cookie and len(cookie) == 43
    base = fast_authd.base
    headers = {"Cookie": f"__Host-session={cookie}"}
    assert requests.get(base + "/v1/session", headers=headers, timeout=10).status_code == 200
    assert requests.post(base + "/v1/logout", headers=headers, timeout=10).status_code == 403
    r = requests.post(base + "/v1/logout", headers={**headers, "Origin": base}, timeout=10)
    assert r.status_code == 204
    assert requests.get(base + "/v1/session", headers=headers, timeout=10).status_code == 401


def test_production_argon2_defaults_work_end_to_end(authd):
    """The default fixture runs the production parameters (m=64 MiB, t=3, p=4)."""
    login, _ = register_and_login(authd)
    assert verify_with_pyjwt(authd, login["access_token"])["sub"] == login["user_id"]
