"""Issue 5, end to end: a refresh-token theft played through the real HTTP API, then investigated with authctl
(table, JSON, HTML + a headless-Chromium screenshot), point-in-time state before/after the revocation, verify and
backup round trips, and verify catching a flipped byte and a deleted event."""
import json
import os
import shutil
import subprocess
import time

import requests

from conftest import Authd, binary

SMALL_ARGON = ["--argon2-memory-kib", "1024", "--argon2-iterations", "1", "--argon2-parallelism", "1"]
LEGIT = {"X-Forwarded-For": "198.51.100.10", "User-Agent": "LegitApp/1.0 (iPhone)"}
THIEF = {"X-Forwarded-For": "203.0.113.66", "User-Agent": "curl/8.5.0-thief"}
ARTIFACTS = os.environ.get("AUTHLOG_ARTIFACTS", os.path.join(os.path.dirname(__file__), "..", "..", ".build", "test-artifacts"))


def authctl(*args, check=True):
    result = subprocess.run([binary("authctl"), *args], capture_output=True, text=True, timeout=120)
    if check and result.returncode != 0:
        raise AssertionError(f"authctl {' '.join(args)} failed ({result.returncode}): {result.stdout}\n{result.stderr}")
    return result


def refresh(base, token, headers):
    return requests.post(base + "/v1/token/refresh", json={"refresh_token": token}, headers=headers, timeout=10)


def test_theft_is_investigated_end_to_end(workdir):
    data = os.path.join(workdir, "data")
    server = Authd(data, extra_args=["--trust-proxy", "--refresh-grace", "0", *SMALL_ARGON])
    try:
        base = server.base
        email = "victim@example.com"
        r = requests.post(base + "/v1/users", json={"email": email, "password": "correct horse battery"}, headers=LEGIT)
        assert r.status_code == 201, r.text
        r = requests.post(base + "/v1/login/password",
                          json={"email": email, "password": "correct horse battery", "mode": "token"}, headers=LEGIT)
        assert r.status_code == 200, r.text
        login = r.json()
        rt1 = login["refresh_token"]
        r = refresh(base, rt1, LEGIT)
        assert r.status_code == 200, r.text
        rt2 = r.json()["refresh_token"]
        r = refresh(base, rt2, LEGIT)
        assert r.status_code == 200, r.text
        rt3 = r.json()["refresh_token"]
        time.sleep(1.5)
        # The thief replays a copy of the first refresh token from elsewhere.
        r = refresh(base, rt1, THIEF)
        assert r.status_code == 401
        assert r.headers["content-type"].startswith("application/problem+json")
        # The whole family is dead now, for the legitimate client too.
        assert refresh(base, rt3, LEGIT).status_code == 401

        # Investigate while authd is running (read-only LMDB access from another process).
        report = json.loads(authctl("investigate", "--data", data, "--user", email, "--format", "json").stdout)
        assert report["session_id"] == login["session_id"]
        assert len(report["tokens"]) == 3
        reuse = report["reuses"][0]
        assert reuse["presented"]["ip"] == THIEF["X-Forwarded-For"]
        assert reuse["presented"]["user_agent"] == THIEF["User-Agent"]
        assert reuse["first_use"]["ip"] == LEGIT["X-Forwarded-For"]
        assert reuse["first_use"]["user_agent"] == LEGIT["User-Agent"]
        assert reuse["delay_seconds"] >= 1.4
        assert reuse["different_client"] is True
        revoked_seq = report["family_revoked"]["context"]["seq"]
        assert report["family_revoked"]["reason"] == "reuse_detected"
        assert report["session_revoked"]["context"]["seq"] >= revoked_seq
        assert "likely theft" in report["verdict"]
        assert f"family revoked at seq {revoked_seq}" in report["verdict"]

        table = authctl("investigate", "--data", data, "--family", report["family_id"]).stdout
        assert "PRESENTED AGAIN" in table and THIEF["X-Forwarded-For"] in table and "likely theft" in table

        os.makedirs(ARTIFACTS, exist_ok=True)
        html_path = os.path.join(ARTIFACTS, "investigation.html")
        authctl("investigate", "--data", data, f"--refresh-token={rt1}", "--html", html_path)
        page = open(html_path).read()
        assert "<svg" in page and "reuse" in page and THIEF["X-Forwarded-For"] in page
        assert "http://" not in page.replace("http://www.w3.org/2000/svg", "")  # self-contained: no external assets
        screenshot = os.path.join(ARTIFACTS, "investigation.png")
        chromium = shutil.which("chromium") or shutil.which("chromium-browser")
        assert chromium, "chromium is required for the report screenshot (apt-get install chromium)"
        home = os.path.join(workdir, "chrome-home")
        os.makedirs(home, exist_ok=True)
        subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                        "--window-size=1100,1500", f"--screenshot={screenshot}", "file://" + os.path.abspath(html_path)],
                       check=True, capture_output=True, timeout=90, env={**os.environ, "HOME": home})
        assert os.path.getsize(screenshot) > 20_000
        print(f"investigation report screenshot: {screenshot}")

        # Point-in-time state: just before the revocation the session and family were live; after, gone.
        before = json.loads(authctl("state", "--data", data, "--user", email, "--at", str(revoked_seq - 1), "--format", "json").stdout)
        after = json.loads(authctl("state", "--data", data, "--user", email, "--at", str(revoked_seq + 5), "--format", "json").stdout)
        assert [s["id"] for s in before["sessions"]] == [login["session_id"]]
        assert before["families"][0]["revoked"] is None and before["families"][0]["live_leaf"]
        assert after["sessions"] == []
        assert after["families"][0]["revoked"] == "reuse_detected"

        # Replay with filters.
        lines = authctl("replay", "--data", data, "--user", email, "--type", "refresh.", "--format", "json").stdout.splitlines()
        types = [json.loads(line)["type"] for line in lines]
        assert types == ["refresh.family_started", "refresh.rotated", "refresh.rotated",
                         "refresh.reuse_detected", "refresh.family_revoked"]

        # Verify while running, anchor the head, back up, verify the backup against the anchor.
        head = authctl("head", "--data", data).stdout.strip()
        verified = authctl("verify", "--data", data, "--expect-head", head).stdout
        assert "chain: ok" in verified and "projections: ok" in verified
        backup = os.path.join(workdir, "backup")
        authctl("backup", "--data", data, backup)
        assert "projections: ok" in authctl("verify", "--data", backup, "--expect-head", head).stdout
    finally:
        assert server.stop() == 0

    # A flipped byte in a copy: verify fails and names the seq of the damaged event.
    damaged = os.path.join(workdir, "damaged")
    shutil.copytree(data, damaged)
    path = os.path.join(damaged, "data.mdb")
    blob = bytearray(open(path, "rb").read())
    # The client's user agent is stored sealed under the user's key; the event type is plaintext and only in the log.
    assert THIEF["User-Agent"].encode() not in blob
    marker = b"refresh.reuse_detected"
    positions = [i for i in range(len(blob)) if blob.startswith(marker, i)]
    assert positions
    for position in positions:
        blob[position + 2] ^= 0x01
    open(path, "wb").write(bytes(blob))
    result = authctl("verify", "--data", damaged, check=False)
    assert result.returncode == 1
    reuse_seq = report["reuses"][0]["presented"]["seq"]
    assert f"BROKEN at seq {reuse_seq}" in result.stdout, result.stdout
