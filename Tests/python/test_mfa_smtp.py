"""MFA against the real authd and a real SMTP server (aiosmtpd on a loopback port):

- TOTP enrollment checked with pyotp (the otpauth URI parses, pyotp's codes are accepted), replay refused;
- login with the second factor, backup codes once;
- MFA recovery with a short waiting period (--mfa-recovery-delay 3s): the notice with the recovery token arrives in the
  SMTP server's mailbox, completion is refused before the waiting period and succeeds after it, and the completion
  notice arrives too; a login from a new device and refresh-token reuse are reported by mail as well.
"""
import email
import email.policy
import json
import os
import re
import subprocess
import threading
import time

import pyotp
import pytest
import requests
from aiosmtpd.controller import Controller

from conftest import FAST_ARGS, Authd, binary, free_port

PASSWORD = "correct horse battery"


class Mailbox:
    """aiosmtpd handler keeping every message it receives."""

    def __init__(self):
        self.messages = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.lock:
            self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def wait_for(self, subject, count=1, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            with self.lock:
                found = [m for m in self.messages if m[2]["Subject"] == subject]
            if len(found) >= count:
                return found
            time.sleep(0.1)
        with self.lock:
            subjects = [m[2]["Subject"] for m in self.messages]
        pytest.fail(f"no mail {subject!r} within {timeout} s; mailbox has {subjects}", pytrace=False)


@pytest.fixture
def smtp():
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller, mailbox
    finally:
        controller.stop()


@pytest.fixture
def server(workdir, smtp):
    controller, _ = smtp
    args = FAST_ARGS + ["--smtp", f"127.0.0.1:{controller.port}", "--mail-from", "authd@example.test", "--mfa-recovery-delay", "3s",
            "--refresh-grace", "0"]
    authd = Authd(os.path.join(workdir, "data"), extra_args=args)
    yield authd
    assert authd.stop() == 0


def post(server, path, body=None, token=None, agent="pytest/1"):
    headers = {"User-Agent": agent}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return requests.post(server.base + path, json=body if body is not None else {}, headers=headers, timeout=15)


def enroll(server, address):
    """Registers `address`, enrolls TOTP; returns (pyotp.TOTP, backup codes)."""
    assert post(server, "/v1/users", {"email": address, "password": PASSWORD}).status_code == 201
    login = post(server, "/v1/login/password", {"email": address, "password": PASSWORD, "mode": "token"})
    token = login.json()["access_token"]
    enrollment = post(server, "/v1/mfa/totp/enroll", token=token)
    assert enrollment.status_code == 200, enrollment.text
    body = enrollment.json()
    totp = pyotp.parse_uri(body["otpauth_uri"])
    assert isinstance(totp, pyotp.TOTP)
    assert totp.secret == body["secret"] and totp.digits == 6 and totp.interval == 30
    assert totp.name == address
    confirm = post(server, "/v1/mfa/totp/confirm", {"code": totp.now()}, token=token)
    assert confirm.status_code == 200, confirm.text
    codes = confirm.json()["backup_codes"]
    assert len(codes) == 10 and all(re.fullmatch(r"[0-9A-Z]{4}(-[0-9A-Z]{4}){3}", c) for c in codes)
    return totp, codes


def mfa_login(server, address, agent="pytest/1", **factor):
    first = post(server, "/v1/login/password", {"email": address, "password": PASSWORD, "mode": "token"}, agent=agent)
    assert first.status_code == 200 and first.json().get("mfa_required") is True, first.text
    assert "access_token" not in first.json()
    return post(server, "/v1/login/mfa", {"mfa_token": first.json()["mfa_token"], **factor}, agent=agent)


def test_totp_with_pyotp_replay_and_backup_codes(server):
    totp, codes = enroll(server, "ada@example.com")
    # pyotp's code for the next step is inside the ±1 window and after the confirming step: accepted.
    code = totp.at(time.time() + 30)
    ok = mfa_login(server, "ada@example.com", code=code)
    assert ok.status_code == 200, ok.text
    assert ok.json()["aal"] == "aal2" and ok.json()["access_token"]
    replay = mfa_login(server, "ada@example.com", code=code)
    assert replay.status_code == 401 and replay.json()["type"] == "urn:authd:problem:invalid-code"
    assert replay.headers["Content-Type"] == "application/problem+json"

    once = mfa_login(server, "ada@example.com", backup_code=codes[0].lower())
    assert once.status_code == 200, once.text
    twice = mfa_login(server, "ada@example.com", backup_code=codes[0])
    assert twice.status_code == 401


def test_recovery_notices_arrive_by_smtp_and_the_waiting_period_holds(server, smtp):
    _, mailbox = smtp
    totp, _ = enroll(server, "grace@example.com")
    login = mfa_login(server, "grace@example.com", code=totp.at(time.time() + 30))
    assert login.status_code == 200

    # Same answer for a known and an unknown email.
    known = post(server, "/v1/mfa/recovery/request", {"email": "grace@example.com"})
    unknown = post(server, "/v1/mfa/recovery/request", {"email": "nobody@example.com"})
    assert known.status_code == unknown.status_code == 202
    assert known.json() == unknown.json()

    mail_from, recipients, notice = mailbox.wait_for("Request to remove two-factor authentication")[0]
    assert mail_from == "authd@example.test" and recipients == ["grace@example.com"]
    body = notice.get_content()
    token = re.search(r"#recovery=([A-Za-z0-9_-]{43})", body).group(1)

    early = post(server, "/v1/mfa/recovery/complete", {"token": token})
    assert early.status_code == 409, early.text
    assert early.json()["type"] == "urn:authd:problem:recovery-waiting"
    assert 1 <= int(early.headers["Retry-After"]) <= 3
    time.sleep(3.2)
    done = post(server, "/v1/mfa/recovery/complete", {"token": token})
    assert done.status_code == 200, done.text
    assert done.json()["revoked_sessions"] >= 2
    # The old session is gone; the password alone logs in now.
    status = requests.get(server.base + "/v1/mfa", headers={"Authorization": f"Bearer {login.json()['access_token']}"}, timeout=10)
    assert status.status_code == 401
    plain = post(server, "/v1/login/password", {"email": "grace@example.com", "password": PASSWORD, "mode": "token"})
    assert plain.status_code == 200 and plain.json()["aal"] == "aal1"
    mailbox.wait_for("Two-factor authentication removed")

    # authctl state (read-only, beside the running server): MFA and the recovery before completion, none after.
    events = subprocess.run([binary("authctl"), "replay", "--data", server.data_dir, "--type", "mfa.recovery_", "--format", "json"],
                            check=True, capture_output=True, text=True, timeout=60).stdout.splitlines()
    completed_seq = next(json.loads(line)["seq"] for line in events if '"mfa.recovery_completed"' in line)

    def state(at):
        out = subprocess.run([binary("authctl"), "state", "--data", server.data_dir, "--user", "grace@example.com", "--at", str(at),
                              "--format", "json"], check=True, capture_output=True, text=True, timeout=60).stdout
        return json.loads(out)["mfa"]

    before, after = state(completed_seq - 1), state(completed_seq)
    assert before["totp_enabled"] is True and before["recovery"]["id"].startswith("rec_")
    assert after == {"totp_enabled": False, "last_step": None, "backup_codes_remaining": 0, "recovery": None}


def test_new_device_and_refresh_reuse_notices(server, smtp):
    _, mailbox = smtp
    address = "lin@example.com"
    assert post(server, "/v1/users", {"email": address, "password": PASSWORD}).status_code == 201
    body = {"email": address, "password": PASSWORD, "mode": "token"}
    assert post(server, "/v1/login/password", body, agent="Laptop/1").status_code == 200
    phone = post(server, "/v1/login/password", body, agent="Phone/2")
    assert phone.status_code == 200
    (_, _, notice), = mailbox.wait_for("New login to your account")
    assert "Phone/2" in notice.get_content()
    refresh = phone.json()["refresh_token"]
    assert post(server, "/v1/token/refresh", {"refresh_token": refresh}).status_code == 200
    assert post(server, "/v1/token/refresh", {"refresh_token": refresh}).status_code == 401
    mailbox.wait_for("Suspicious use of your session")


@pytest.mark.parametrize("address", ["two words@example.com", "Ada <ada@example.com>", "ada@example.com\r\nBcc: x@y", "nobody"])
def test_a_sender_address_unsafe_in_a_header_is_refused_at_start(tmp_path, address):
    result = subprocess.run([binary("authd"), "serve", "--data", str(tmp_path / "data"), "--listen", f"127.0.0.1:{free_port()}",
                             "--mail-from", address], capture_output=True, text=True, timeout=60)
    assert result.returncode != 0
    assert "for --mail-from: expected an address such as authd@example.com" in result.stderr, result.stderr
