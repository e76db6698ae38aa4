"""Observability end to end: authd with `--log-format json` at the most verbose level and `--metrics-listen` runs a
full flow (register, password logins in both modes, refresh and a refresh reuse, TOTP enrolment and an MFA login with
a backup code, a wrong password, a password reset through the mailed link, introspection with the admin key, logout).

Every secret the flow used or received (passwords, session and device cookies, access and refresh tokens, the MFA
token, the TOTP seed and codes, backup codes, the reset token, the admin key) must be absent from the whole log
output; every log line must be one JSON object, and the per-request lines must carry the request id. The metrics
listener, scraped afterwards, must show the counters moved; the API listener must not serve /metrics.
"""
import json
import os
import re
import time

import pyotp
import pytest
import requests

from conftest import ADMIN_KEY, FAST_ARGS, Authd, free_port, wait_for_mailed_link

EMAIL = "observed@example.com"
PASSWORD = "first password for observability"
NEW_PASSWORD = "second password after the reset"


def parse_metrics(text):
    """{(name, frozenset(labels)): value} from the Prometheus text format."""
    samples = {}
    line_pattern = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
    label_pattern = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        match = line_pattern.match(line)
        assert match, f"not a sample line: {line!r}"
        name, labels, value = match.groups()
        samples[(name, frozenset(label_pattern.findall(labels or "")))] = float(value)
    return samples


def value(samples, name, **labels):
    """The sum of the samples of `name` whose labels include `labels`."""
    wanted = set(labels.items())
    found = [v for (n, ls), v in samples.items() if n == name and wanted <= set(ls)]
    assert found, f"no sample {name} {labels}"
    return sum(found)


@pytest.fixture
def observed(workdir):
    data_dir = os.path.join(workdir, "data")
    mail_dir = os.path.join(workdir, "mail")
    metrics_port = free_port()
    server = Authd(data_dir, extra_args=[
        *FAST_ARGS, "--log-format", "json", "--log-level", "trace", "--mail-dir", mail_dir, "--refresh-grace", "0",
        "--metrics-listen", f"127.0.0.1:{metrics_port}"])
    server.metrics = f"http://127.0.0.1:{metrics_port}/metrics"
    server.mail_dir = mail_dir
    yield server
    server.stop()


def run_flow(server, secrets):
    base = server.base
    post = lambda path, body=None, token=None, **kw: requests.post(  # noqa: E731
        base + path, json=body if body is not None else {}, timeout=10,
        headers={"Authorization": f"Bearer {token}"} if token else {}, **kw)
    secrets += [PASSWORD, NEW_PASSWORD, ADMIN_KEY]

    assert post("/v1/users", {"email": EMAIL, "password": PASSWORD}).status_code == 201
    # A wrong password, then a token-mode login.
    assert post("/v1/login/password", {"email": EMAIL, "password": "not the password at all", "mode": "token"}).status_code == 401
    secrets.append("not the password at all")
    login = post("/v1/login/password", {"email": EMAIL, "password": PASSWORD, "mode": "token"})
    assert login.status_code == 200, login.text
    first = login.json()
    secrets += [first["access_token"], first["refresh_token"]]

    # Rotation, then the first refresh token again: reuse (the family and its session are revoked).
    rotated = post("/v1/token/refresh", {"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    secrets += [rotated.json()["access_token"], rotated.json()["refresh_token"]]
    reused = post("/v1/token/refresh", {"refresh_token": first["refresh_token"]})
    assert reused.status_code == 401, reused.text

    # A cookie-mode login: the session cookie and the device cookie are secrets too.
    cookie_login = post("/v1/login/password", {"email": EMAIL, "password": PASSWORD, "mode": "cookie"})
    assert cookie_login.status_code == 200, cookie_login.text
    secrets += [c.value for c in cookie_login.cookies]
    assert cookie_login.cookies.get("__Host-session")

    # A fresh token-mode login, TOTP enrolment (recent authentication: the login itself) and confirmation.
    login = post("/v1/login/password", {"email": EMAIL, "password": PASSWORD, "mode": "token"})
    assert login.status_code == 200, login.text
    access = login.json()["access_token"]
    secrets += [access, login.json()["refresh_token"]]
    enrol = post("/v1/mfa/totp/enroll", token=access)
    assert enrol.status_code == 200, enrol.text
    seed = enrol.json()["secret"]
    secrets += [seed, enrol.json()["otpauth_uri"]]
    code = pyotp.TOTP(seed).now()
    secrets.append(code)
    confirm = post("/v1/mfa/totp/confirm", {"code": code}, token=access)
    assert confirm.status_code == 200, confirm.text
    backup_codes = confirm.json()["backup_codes"]
    secrets += backup_codes

    # Password, then the second factor (a backup code: the TOTP step was just used).
    challenge = post("/v1/login/password", {"email": EMAIL, "password": PASSWORD, "mode": "token"})
    assert challenge.status_code == 200, challenge.text
    mfa_token = challenge.json()["mfa_token"]
    secrets.append(mfa_token)
    mfa_login = post("/v1/login/mfa", {"mfa_token": mfa_token, "backup_code": backup_codes[0]})
    assert mfa_login.status_code == 200, mfa_login.text
    aal2 = mfa_login.json()
    secrets += [aal2["access_token"], aal2["refresh_token"]]

    # Introspection with the admin key.
    introspected = post("/v1/introspect", {"token": aal2["access_token"]}, token=ADMIN_KEY)
    assert introspected.status_code == 200 and introspected.json()["active"] is True, introspected.text

    # Password reset through the mailed link (with a backup code: TOTP is on), then a login with the new password.
    assert post("/v1/password/reset/request", {"email": EMAIL}).status_code == 202
    _, reset_token = wait_for_mailed_link(server.mail_dir, EMAIL, "reset-password")
    secrets.append(reset_token)
    completed = post("/v1/password/reset/complete", {"token": reset_token, "new_password": NEW_PASSWORD, "backup_code": backup_codes[1]})
    assert completed.status_code == 200, completed.text
    challenge = post("/v1/login/password", {"email": EMAIL, "password": NEW_PASSWORD, "mode": "token"})
    assert challenge.status_code == 200 and "mfa_token" in challenge.json(), challenge.text
    secrets.append(challenge.json()["mfa_token"])
    final = post("/v1/login/mfa", {"mfa_token": challenge.json()["mfa_token"], "backup_code": backup_codes[2]})
    assert final.status_code == 200, final.text
    secrets += [final.json()["access_token"], final.json()["refresh_token"]]

    # Reads with the token, and logout.
    assert requests.get(base + "/v1/me", headers={"Authorization": f"Bearer {final.json()['access_token']}"}, timeout=10).status_code == 200
    assert post("/v1/logout", token=final.json()["access_token"]).status_code == 204


def test_logs_hold_no_secrets_and_metrics_move(observed):
    secrets = []
    run_flow(observed, secrets)
    # Metrics live on their own listener only.
    assert requests.get(observed.base + "/metrics", timeout=10).status_code == 404

    # The store's gauges are sampled every few seconds: wait until the head is seen.
    deadline = time.time() + 15
    while True:
        scraped = requests.get(observed.metrics, timeout=10)
        assert scraped.status_code == 200
        assert scraped.headers["Content-Type"].startswith("text/plain; version=0.0.4")
        samples = parse_metrics(scraped.text)
        if value(samples, "authd_log_head_seq", engine="lmdb") > 0 or time.time() > deadline:
            break
        time.sleep(0.5)

    assert observed.stop() == 0

    assert value(samples, "authd_logins_total", method="password", outcome="success") >= 3
    assert value(samples, "authd_logins_total", method="password", outcome="failure") >= 1
    assert value(samples, "authd_logins_total", method="password", outcome="mfa_required") >= 2
    assert value(samples, "authd_logins_total", method="backup_code", outcome="success") >= 2
    assert value(samples, "authd_logins_total", method="refresh", outcome="success") >= 1
    assert value(samples, "authd_refresh_rotations_total") >= 1
    assert value(samples, "authd_refresh_reuse_detections_total") >= 1
    assert value(samples, "authd_http_requests_total", route="/v1/login/password", method="POST", status="2xx") >= 5
    assert value(samples, "authd_http_requests_total", route="/v1/login/password", method="POST", status="4xx") >= 1
    assert value(samples, "authd_http_request_duration_seconds_count", route="/v1/login/password", status="2xx") >= 5
    assert value(samples, "authd_http_requests_total", route="NotFound", status="4xx") >= 1
    # No raw path, user, token or address is a label value.
    for (name, labels), _ in samples.items():
        for _, label_value in labels:
            assert EMAIL not in label_value and not any(s and s in label_value for s in secrets), (name, labels)
    assert value(samples, "authd_store_commits_total", engine="lmdb") >= 1
    assert value(samples, "authd_store_appended_events_total", engine="lmdb") >= 10
    assert value(samples, "authd_store_batch_commands_count", engine="lmdb") >= 1
    assert value(samples, "authd_store_commit_duration_seconds_count", engine="lmdb") >= 1
    assert value(samples, "authd_store_up", engine="lmdb") == 1
    assert value(samples, "authd_log_head_seq", engine="lmdb") > 0
    assert 0 < value(samples, "authd_store_map_used_bytes", engine="lmdb") <= value(samples, "authd_store_map_size_bytes", engine="lmdb")
    assert value(samples, "authd_worker_queue_length", pool="argon2") >= 0
    assert value(samples, "authd_worker_rejections_total", pool="argon2") >= 0

    with open(observed.log_path, encoding="utf-8") as handle:
        log = handle.read()
    secrets = [s for s in secrets if s]
    assert len(secrets) >= 20
    for secret in secrets:
        if secret.isdigit():  # a TOTP code: as a number of its own
            assert not re.search(r"(?<![0-9])" + secret + r"(?![0-9])", log), "a TOTP code is in the log"
        else:
            assert secret not in log, f"a secret ({len(secret)} characters, starting {secret[:3]!r}) is in the log"

    lines = [line for line in log.splitlines() if line.strip()]
    assert len(lines) > 20
    request_lines = 0
    for line in lines:
        entry = json.loads(line)
        assert isinstance(entry, dict), line
        assert {"ts", "level", "label", "msg"} <= entry.keys(), line
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z", entry["ts"]), line
        if entry["msg"] == "request":
            request_lines += 1
            assert re.fullmatch(r"[A-Za-z0-9_-]{22}", entry.get("request_id", "")), line
            assert "http.route" in entry and "http.status" in entry, line
    assert request_lines >= 15
