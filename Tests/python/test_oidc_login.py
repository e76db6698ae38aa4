"""External login (issue 19) against the real authd binary: a deliberately hostile provider written here
(hostile_provider.py) for every refusal, and its honest mode for the full flows."""
import json
import os
import time
import urllib.parse

import pytest
import requests

from conftest import Authd
from hostile_provider import CLIENT_ID, CLIENT_SECRET, HostileProvider
from test_passkeys_browser import replay


@pytest.fixture
def hostile():
    provider = HostileProvider()
    yield provider
    provider.stop()


def start_authd(workdir, providers, extra=()):
    path = os.path.join(workdir, "providers.json")
    with open(path, "w") as f:
        json.dump(providers, f)
    return Authd(os.path.join(workdir, "data"), extra_args=["--oidc-providers", path, *extra])


def hostile_config(provider, allow_signup=True):
    return [
        {"id": "hostile", "kind": "oidc", "issuer": provider.issuer, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
         "allow_signup": allow_signup, "display_name": "Hostile"},
        {"id": "octo", "kind": "github", "issuer": provider.issuer + "/github", "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
         "authorization_endpoint": provider.issuer + "/authorize", "token_endpoint": provider.issuer + "/token",
         "userinfo_endpoint": provider.issuer + "/user", "emails_endpoint": provider.issuer + "/user/emails", "allow_signup": True},
    ]


@pytest.fixture
def server(workdir, hostile):
    authd = start_authd(workdir, hostile_config(hostile))
    yield authd
    authd.stop()


def set_cookie_value(response, name):
    for header in response.raw.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def start(server, provider="hostile", return_to="/account", mode="cookie", headers=None):
    query = urllib.parse.urlencode({"return_to": return_to, "mode": mode})
    response = requests.get(f"{server.base}/v1/oauth/{provider}/start?{query}", allow_redirects=False, headers=headers or {}, timeout=15)
    return response


def login(server, provider="hostile", mode="cookie", return_to="/account", tamper=None):
    """Start → provider authorize (auto-consent) → callback; the callback's response and the callback URL."""
    first = start(server, provider, return_to, mode)
    assert first.status_code == 302, first.text
    flow_cookie = set_cookie_value(first, "__Host-oauth_flow")
    assert flow_cookie
    authorize = urllib.parse.urlsplit(first.headers["Location"])
    params = dict(urllib.parse.parse_qsl(authorize.query))
    assert params["response_type"] == "code" and params["code_challenge_method"] == "S256"
    assert len(params["state"]) >= 43
    back = requests.get(first.headers["Location"], allow_redirects=False, timeout=15)
    assert back.status_code == 302
    callback = back.headers["Location"]
    if tamper:
        callback, flow_cookie = tamper(callback, flow_cookie)
    cookies = {"Cookie": f"__Host-oauth_flow={flow_cookie}"} if flow_cookie else {}
    response = requests.get(callback, headers=cookies, allow_redirects=False, timeout=20)
    return response, callback, flow_cookie


def fragment(response):
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    path, _, frag = location.partition("#")
    return path, dict(urllib.parse.parse_qsl(frag))


def test_cookie_mode_signup_then_login_and_identities(server, hostile):
    response, _, _ = login(server)
    path, frag = fragment(response)
    assert path == "/account" and frag == {"login": "ok"}
    session = set_cookie_value(response, "__Host-session")
    assert session
    me = requests.get(server.base + "/v1/identities", headers={"Authorization": f"Bearer {session}"}, timeout=10)
    assert me.status_code == 200
    [identity] = me.json()["identities"]
    assert identity["provider"] == "hostile" and identity["subject"] == hostile.subject and identity["email_verified"] is True
    # Second login: same user, no second identity.
    again, _, _ = login(server)
    second = set_cookie_value(again, "__Host-session")
    assert second and second != session
    me2 = requests.get(server.base + "/v1/identities", headers={"Authorization": f"Bearer {second}"}, timeout=10)
    assert [i["id"] for i in me2.json()["identities"]] == [identity["id"]]


def test_token_mode_login_code_is_single_use(server, hostile):
    response, _, _ = login(server, mode="token")
    _, frag = fragment(response)
    code = frag["login_code"]
    exchange = requests.post(server.base + "/v1/login/oauth/exchange", json={"login_code": code}, timeout=10)
    assert exchange.status_code == 200, exchange.text
    body = exchange.json()
    assert body["token_type"] == "Bearer" and body["refresh_token"] and body["access_token"]
    replay = requests.post(server.base + "/v1/login/oauth/exchange", json={"login_code": code}, timeout=10)
    assert replay.status_code == 401
    assert replay.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("mode", ["wrong_nonce", "wrong_aud", "wrong_iss", "expired", "alg_none", "hmac_pubkey",
                                  "bad_signature", "wrong_azp", "bad_at_hash", "no_id_token"])
def test_bad_id_tokens_are_refused(server, hostile, mode):
    hostile.mode = mode
    response, _, _ = login(server)
    path, frag = fragment(response)
    assert path == "/account" and frag == {"error": "id_token_invalid"}
    assert set_cookie_value(response, "__Host-session") is None


def test_good_at_hash_is_accepted(server, hostile):
    hostile.mode = "good_at_hash"
    _, frag = fragment(login(server)[0])
    assert frag == {"login": "ok"}


def test_access_denied(server, hostile):
    hostile.mode = "deny"
    _, frag = fragment(login(server)[0])
    assert frag == {"error": "access_denied"}


@pytest.mark.parametrize("mode", ["down_500", "timeout"])
def test_provider_unavailable(server, hostile, mode):
    # Discovery succeeds first (the start), then the provider breaks.
    first = start(server)
    assert first.status_code == 302
    hostile.mode = mode
    began = time.time()
    response, _, _ = login(server)
    assert time.time() - began < 12
    _, frag = fragment(response)
    assert frag == {"error": "provider_unavailable"}


def test_provider_down_at_start(workdir, hostile):
    hostile.mode = "down_500"
    authd = start_authd(workdir, hostile_config(hostile))
    try:
        _, frag = fragment(start(authd))
        assert frag == {"error": "provider_unavailable"}
    finally:
        authd.stop()


def test_state_missing_forged_reused_and_wrong_cookie(server, hostile):
    def drop_state(url, cookie):
        parts = urllib.parse.urlsplit(url)
        q = [(k, v) for k, v in urllib.parse.parse_qsl(parts.query) if k != "state"]
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q))), cookie

    def forge_state(url, cookie):
        parts = urllib.parse.urlsplit(url)
        q = [(k, "forged" + "A" * 40 if k == "state" else v) for k, v in urllib.parse.parse_qsl(parts.query)]
        return urllib.parse.urlunsplit(parts._replace(query=urllib.parse.urlencode(q))), cookie

    def other_cookie(url, cookie):
        return url, "someone-elses-flow-cookie"

    def no_cookie(url, cookie):
        return url, None

    for tamper in (drop_state, forge_state, other_cookie, no_cookie):
        response, _, _ = login(server, tamper=tamper)
        path, frag = fragment(response)
        assert frag == {"error": "state_invalid"}, tamper.__name__
        assert set_cookie_value(response, "__Host-session") is None
    # Reused state (a second callback for the same flow, the code replayed): refused.
    first, callback, cookie = login(server)
    assert fragment(first)[1] == {"login": "ok"}
    again = requests.get(callback, headers={"Cookie": f"__Host-oauth_flow={cookie}"}, allow_redirects=False, timeout=10)
    assert fragment(again)[1] == {"error": "state_invalid"}
    # Every refusal is in the log: login.failed with method oidc, the provider and the reason.
    failures = [e["payload"] for e in replay(server.data_dir, "login.failed")]
    assert len(failures) == 5
    assert all(f["method"] == "oidc" and f["provider"] == "hostile" and f["reason"] == "state_invalid" for f in failures)


def test_unknown_kid_flood_refetches_jwks_at_most_once_per_10_seconds(server, hostile):
    assert fragment(login(server)[0])[1] == {"login": "ok"}
    fetches = hostile.jwks_fetches
    hostile.mode = "unknown_kid"
    for _ in range(5):
        assert fragment(login(server)[0])[1] == {"error": "id_token_invalid"}
    assert hostile.jwks_fetches - fetches <= 1


def test_key_rotation_is_picked_up(server, hostile):
    from hostile_provider import Key
    assert fragment(login(server)[0])[1] == {"login": "ok"}
    hostile.keys.append(Key("k2"))
    time.sleep(10.5)
    assert fragment(login(server)[0])[1] == {"login": "ok"}


def test_github_kind_needs_a_verified_primary_email(server, hostile):
    hostile.github_primary_verified = False
    hostile.email = "octo@example.com"
    assert fragment(login(server, provider="octo")[0])[1] == {"error": "email_missing"}
    hostile.github_primary_verified = True
    response, _, _ = login(server, provider="octo")
    assert fragment(response)[1] == {"login": "ok"}


def test_no_auto_link_to_an_unverified_local_account(server, hostile):
    hostile.email = "local@example.com"
    created = requests.post(server.base + "/v1/users", json={"email": "local@example.com", "password": "correct horse battery"}, timeout=10)
    assert created.status_code == 201
    assert fragment(login(server)[0])[1] == {"error": "email_unverified_conflict"}


def test_auto_link_only_when_both_sides_verified(server, hostile):
    # The account made by the OIDC provider (verified email) is linked by the GitHub-kind one with the same verified email.
    hostile.email = "both@example.com"
    first = login(server)[0]
    session = set_cookie_value(first, "__Host-session")
    second = login(server, provider="octo")[0]
    assert fragment(second)[1] == {"login": "ok"}
    ids = requests.get(server.base + "/v1/identities", headers={"Authorization": f"Bearer {session}"}, timeout=10).json()["identities"]
    assert sorted(i["provider"] for i in ids) == ["hostile", "octo"]
    # The other way: the provider does not vouch for the email → refused.
    hostile.subject = "another-subject"
    hostile.email_verified = False
    assert fragment(login(server)[0])[1] == {"error": "email_unverified_conflict"}


def test_unlink_refuses_the_last_way_to_log_in(server, hostile):
    session = set_cookie_value(login(server)[0], "__Host-session")
    auth = {"Authorization": f"Bearer {session}"}
    [identity] = requests.get(server.base + "/v1/identities", headers=auth, timeout=10).json()["identities"]
    last = requests.delete(server.base + f"/v1/identities/{identity['id']}", headers=auth, timeout=10)
    assert last.status_code == 409 and last.headers["Content-Type"].startswith("application/problem+json")


@pytest.mark.parametrize("return_to", ["//evil.com", "/\\evil.com", "https://evil.com/", "javascript:alert(1)", "/%2F/evil.com"])
def test_start_refuses_open_redirects(server, return_to):
    response = start(server, return_to=return_to)
    assert response.status_code == 400
    assert response.headers["Content-Type"].startswith("application/problem+json")


def test_providers_list(server):
    body = requests.get(server.base + "/v1/oauth/providers", timeout=10).json()
    assert body == {"providers": [{"id": "hostile", "display_name": "Hostile"}, {"id": "octo", "display_name": "octo"}]}
