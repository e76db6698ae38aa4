"""External login against a real OpenID provider implementation: oidc-provider-mock (Authlib) on loopback, with the
real authd binary. Full flows in cookie and token mode, signup, the auto-link refusal for an unverified local account,
explicit link and unlink, MFA after a social login, the log's events, and the demo page in headless Chromium."""
import json
import os
import subprocess
import time
import urllib.parse

import oidc_provider_mock
import pyotp
import pytest
import requests
from selenium.webdriver.common.by import By

from conftest import FAST_ARGS, Authd, binary
from test_passkeys_browser import browser, click, replay, wait_status  # noqa: F401 (fixture)

PASSWORD = "correct horse battery"


@pytest.fixture
def provider(monkeypatch):
    # The mock refuses plain http unless told it is a test.
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")
    with oidc_provider_mock.run_server_in_thread() as server:
        base = f"http://localhost:{server.server_port}"
        yield base


def start_authd(workdir, provider, *extra_args):
    path = os.path.join(workdir, "providers.json")
    with open(path, "w") as f:
        json.dump([{"id": "mock", "kind": "oidc", "issuer": provider, "client_id": "authd", "client_secret": "mock-secret",
                    "allow_signup": True, "display_name": "Mock ID"}], f)
    return Authd(os.path.join(workdir, "data"), extra_args=[*FAST_ARGS, "--oidc-providers", path, *extra_args])


@pytest.fixture
def server(workdir, provider):
    authd = start_authd(workdir, provider)
    yield authd
    assert authd.stop() == 0


@pytest.fixture
def strict_server(workdir, provider):
    authd = start_authd(workdir, provider, "--require-verified-email")
    yield authd
    assert authd.stop() == 0


def set_user(provider, sub, email, verified=True):
    response = requests.put(f"{provider}/users/{sub}", json={"email": email, "email_verified": verified}, timeout=10)
    assert response.status_code == 204


def set_cookie_value(response, name):
    for header in response.raw.headers.getlist("Set-Cookie"):
        if header.startswith(name + "="):
            return header.split(";", 1)[0].split("=", 1)[1]
    return None


def login(server, sub, mode="cookie", link_with=None):
    """start → the provider's form (POST sub) → callback; the outcome fragment and the callback response."""
    query = {"return_to": "/account", "mode": mode}
    headers = {}
    if link_with:
        query["link"] = "true"
        headers["Authorization"] = f"Bearer {link_with}"
    start = requests.get(f"{server.base}/v1/oauth/mock/start?" + urllib.parse.urlencode(query), headers=headers,
                         allow_redirects=False, timeout=15)
    assert start.status_code == 302, start.text
    flow = set_cookie_value(start, "__Host-oauth_flow")
    form = requests.get(start.headers["Location"], timeout=10)
    assert form.status_code == 200 and 'name="sub"' in form.text
    consent = requests.post(start.headers["Location"], data={"sub": sub}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text
    callback = requests.get(consent.headers["Location"], headers={"Cookie": f"__Host-oauth_flow={flow}"},
                            allow_redirects=False, timeout=20)
    assert callback.status_code == 303, callback.text
    path, _, frag = callback.headers["Location"].partition("#")
    assert path == "/account"
    return dict(urllib.parse.parse_qsl(frag)), callback


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_signup_and_login_in_cookie_and_token_mode(server, provider):
    set_user(provider, "alice", "alice@example.com")
    outcome, callback = login(server, "alice")
    assert outcome == {"login": "ok"}
    session = set_cookie_value(callback, "__Host-session")
    me = requests.get(server.base + "/v1/session", headers=bearer(session), timeout=10).json()
    identities = requests.get(server.base + "/v1/identities", headers=bearer(session), timeout=10).json()["identities"]
    assert [(i["provider"], i["issuer"], i["subject"], i["email"], i["email_verified"]) for i in identities] == [
        ("mock", provider, "alice", "alice@example.com", True)]

    outcome, _ = login(server, "alice", mode="token")
    exchange = requests.post(server.base + "/v1/login/oauth/exchange", json={"login_code": outcome["login_code"]}, timeout=10)
    assert exchange.status_code == 200, exchange.text
    body = exchange.json()
    assert body["user_id"] == me["user_id"] and body["token_type"] == "Bearer"
    refreshed = requests.post(server.base + "/v1/token/refresh", json={"refresh_token": body["refresh_token"]}, timeout=10)
    assert refreshed.status_code == 200
    again = requests.post(server.base + "/v1/login/oauth/exchange", json={"login_code": outcome["login_code"]}, timeout=10)
    assert again.status_code == 401

    events = replay(server.data_dir, "identity.", "login.", "user.")
    types = [(e["type"], e["payload"].get("method"), e["payload"].get("provider")) for e in events]
    assert ("identity.linked", None, "mock") in types
    assert types.count(("login.succeeded", "oidc", "mock")) == 2
    registered = [e for e in events if e["type"] == "user.registered"]
    assert registered[0]["payload"]["email"] == "alice@example.com"
    linked = [e for e in events if e["type"] == "identity.linked"]
    assert linked[0]["payload"]["via"] == "signup"

    # The auditors' views show the linked identity: the state at a point of the log, and the investigation.
    state = json.loads(authctl("state", "--data", server.data_dir, "--user", "alice@example.com", "--at", "1000000", "--format", "json"))
    assert [(i["provider"], i["subject"]) for i in state["identities"]] == [("mock", "alice")]
    report = json.loads(authctl("investigate", "--data", server.data_dir, "--user", "alice@example.com", "--format", "json"))
    assert [i["provider"] for i in report["linked_identities"]] == ["mock"]
    assert "linked identities: 1" in authctl("state", "--data", server.data_dir, "--user", "alice@example.com", "--at", "1000000")


def authctl(*args):
    return subprocess.run([binary("authctl"), *args], check=True, capture_output=True, text=True, timeout=60).stdout


def test_unverified_local_account_is_not_linked_then_explicit_link_and_unlink(server, provider):
    assert requests.post(server.base + "/v1/users", json={"email": "bob@example.com", "password": PASSWORD}, timeout=10).status_code == 201
    set_user(provider, "bob", "bob@example.com")
    outcome, callback = login(server, "bob")
    assert outcome == {"error": "email_unverified_conflict"}
    assert set_cookie_value(callback, "__Host-session") is None

    token = requests.post(server.base + "/v1/login/password", json={"email": "bob@example.com", "password": PASSWORD, "mode": "token"},
                          timeout=10).json()["access_token"]
    outcome, _ = login(server, "bob", link_with=token)
    assert outcome == {"linked": "mock"}
    [identity] = requests.get(server.base + "/v1/identities", headers=bearer(token), timeout=10).json()["identities"]
    # Now the identity logs bob in.
    outcome, callback = login(server, "bob")
    assert outcome == {"login": "ok"}
    session = set_cookie_value(callback, "__Host-session")
    assert requests.get(server.base + "/v1/session", headers=bearer(session), timeout=10).json()["user_id"] == \
        requests.get(server.base + "/v1/session", headers=bearer(token), timeout=10).json()["user_id"]
    # bob has a password: unlinking is allowed.
    assert requests.delete(server.base + f"/v1/identities/{identity['id']}", headers=bearer(token), timeout=10).status_code == 204
    assert requests.get(server.base + "/v1/identities", headers=bearer(token), timeout=10).json()["identities"] == []


def test_identity_linked_to_another_user_is_409(server, provider):
    set_user(provider, "carol", "carol@example.com")
    assert login(server, "carol")[0] == {"login": "ok"}
    assert requests.post(server.base + "/v1/users", json={"email": "dave@example.com", "password": PASSWORD}, timeout=10).status_code == 201
    token = requests.post(server.base + "/v1/login/password", json={"email": "dave@example.com", "password": PASSWORD, "mode": "token"},
                          timeout=10).json()["access_token"]
    start = requests.get(f"{server.base}/v1/oauth/mock/start?return_to=%2F&link=true", headers=bearer(token), allow_redirects=False, timeout=10)
    flow = set_cookie_value(start, "__Host-oauth_flow")
    consent = requests.post(start.headers["Location"], data={"sub": "carol"}, allow_redirects=False, timeout=10)
    callback = requests.get(consent.headers["Location"], headers={"Cookie": f"__Host-oauth_flow={flow}"}, allow_redirects=False, timeout=20)
    assert callback.status_code == 409
    assert callback.headers["Content-Type"].startswith("application/problem+json")


def test_mfa_is_not_skipped_after_a_social_login(server, provider):
    set_user(provider, "erin", "erin@example.com")
    outcome, _ = login(server, "erin", mode="token")
    body = requests.post(server.base + "/v1/login/oauth/exchange", json={"login_code": outcome["login_code"]}, timeout=10).json()
    token = body["access_token"]
    enrollment = requests.post(server.base + "/v1/mfa/totp/enroll", json={}, headers=bearer(token), timeout=10)
    assert enrollment.status_code == 200, enrollment.text
    totp = pyotp.parse_uri(enrollment.json()["otpauth_uri"])
    assert requests.post(server.base + "/v1/mfa/totp/confirm", json={"code": totp.now()}, headers=bearer(token), timeout=10).status_code == 200

    outcome, callback = login(server, "erin")
    assert set(outcome) == {"mfa_token"}
    assert set_cookie_value(callback, "__Host-session") is None
    done = requests.post(server.base + "/v1/login/mfa", json={"mfa_token": outcome["mfa_token"], "code": totp.at(time.time() + 30)}, timeout=10)
    assert done.status_code == 200, done.text
    assert done.json()["aal"] == "aal2"


def test_required_verification_refuses_unverified_external_logins(strict_server, provider):
    # A signup the provider did not verify: the account is made, the login refused (no session, no login code).
    set_user(provider, "gina", "gina@example.com", verified=False)
    outcome, callback = login(strict_server, "gina")
    assert outcome == {"error": "email_not_verified"}
    assert set_cookie_value(callback, "__Host-session") is None
    # The identity is linked now: the next login finds the account and is refused the same way.
    outcome, _ = login(strict_server, "gina", mode="token")
    assert outcome == {"error": "email_not_verified"}
    # A provider-verified signup is a verified account.
    set_user(provider, "hal", "hal@example.com")
    assert login(strict_server, "hal")[0] == {"login": "ok"}
    events = replay(strict_server.data_dir, "login.", "identity.", "user.")
    failed = [e["payload"] for e in events if e["type"] == "login.failed"]
    assert [(f["reason"], f["method"], f["provider"]) for f in failed] == [("email_not_verified", "oidc", "mock")] * 2
    assert [e["payload"]["via"] for e in events if e["type"] == "identity.linked"] == ["signup", "signup"]


def test_a_deleted_users_identity_no_longer_logs_it_in(server, provider):
    set_user(provider, "ivy", "ivy@example.com")
    outcome, callback = login(server, "ivy")
    assert outcome == {"login": "ok"}
    session = set_cookie_value(callback, "__Host-session")
    first = requests.get(server.base + "/v1/session", headers=bearer(session), timeout=10).json()["user_id"]
    deleted = requests.delete(server.base + "/v1/me", headers=bearer(session), timeout=10)
    assert deleted.status_code == 200, deleted.text
    # The same external account signs up anew: a new user, never a session of the deleted one.
    outcome, callback = login(server, "ivy")
    assert outcome == {"login": "ok"}
    again = requests.get(server.base + "/v1/session", headers=bearer(set_cookie_value(callback, "__Host-session")), timeout=10)
    assert again.status_code == 200 and again.json()["user_id"] != first


def test_demo_page_provider_button_logs_in(server, provider, browser):  # noqa: F811
    set_user(provider, "frank", "frank@example.com")
    browser.get(server.base + "/")
    click(browser, "btn-provider-mock")
    sub = browser.find_element(By.CSS_SELECTOR, 'input[name="sub"]')
    sub.send_keys("frank")
    sub.submit()
    wait_status(browser, "Logged in with an external account")
    assert browser.find_element(By.ID, "who").text.startswith("Signed in as usr_")
    identities = browser.find_element(By.ID, "identities").text
    assert "mock" in identities and "frank@example.com" in identities
    assert browser.find_element(By.ID, "btn-link-mock")
