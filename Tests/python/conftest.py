"""Shared fixtures: the real authd binary on a loopback port with a fresh data directory."""
import glob
import os
import re
import shutil
import signal
import socket
import subprocess
import tempfile
import time

import pytest
import requests

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("AUTHLOG_BUILD_DIR", os.path.join(ROOT, ".build", "debug"))


def wait_for_mailed_link(mail_dir, email, fragment, prefix=r"\S*", timeout=30):
    """The newest `<prefix>#<fragment>=TOKEN` link mailed to `email` in the .eml files of `mail_dir` (TOKEN: 43
    base64url characters), as (link, token)."""
    pattern = re.compile("(" + prefix + "#" + re.escape(fragment) + r"=([A-Za-z0-9_-]{43}))\s")
    deadline = time.time() + timeout
    while time.time() < deadline:
        links = []
        for path in sorted(glob.glob(os.path.join(mail_dir, "*.eml")), key=os.path.getmtime):
            with open(path, encoding="utf-8") as handle:
                text = handle.read()
            if f"To: {email}" in text:
                links += pattern.findall(text)
        if links:
            return links[-1]
        time.sleep(0.2)
    raise AssertionError(f"no #{fragment}= link mailed to {email} in {mail_dir}")


def binary(name: str) -> str:
    path = os.path.join(BUILD, name)
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"{path} is not built; run `swift build` first")
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Authd:
    """A running authd process."""

    def __init__(self, data_dir: str, extra_args=(), env=None):
        self.data_dir = data_dir
        self.port = free_port()
        self.base = f"http://localhost:{self.port}"
        self.log_path = os.path.join(os.path.dirname(os.path.abspath(data_dir)), f"authd-{self.port}.log")
        self.log = open(self.log_path, "wb")
        full_env = dict(os.environ)
        full_env.update(env or {})
        self.proc = subprocess.Popen(
            [binary("authd"), "serve", "--data", data_dir, "--listen", f"127.0.0.1:{self.port}", *extra_args],
            stdout=self.log, stderr=subprocess.STDOUT, env=full_env)
        deadline = time.time() + 30
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"authd exited with {self.proc.returncode}: {open(self.log_path).read()}")
            try:
                if requests.get(self.base + "/healthz", timeout=1).status_code == 200:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError("authd did not become healthy in 30 s")

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()
        return self.proc.returncode


@pytest.fixture
def workdir():
    path = tempfile.mkdtemp(prefix="authlog-py-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture
def authd(workdir):
    """A fresh authd on a free loopback port; stopped (SIGTERM) after the test."""
    server = Authd(os.path.join(workdir, "data"))
    yield server
    server.stop()


ADMIN_KEY = "pytest-admin-key-0123456789"

# Small argon2 parameters so tests that log in many times stay fast (production defaults: m=64 MiB, t=3, p=4).
FAST_ARGS = ["--argon2-memory-kib", "1024", "--argon2-iterations", "1", "--argon2-parallelism", "1", "--admin-key", ADMIN_KEY]


@pytest.fixture
def fast_authd(workdir):
    """Like `authd`, with small argon2 parameters and an admin key (ADMIN_KEY)."""
    server = Authd(os.path.join(workdir, "data"), extra_args=FAST_ARGS)
    yield server
    assert server.stop() == 0


def register_and_login(server, email="ada@example.com", password="correct horse battery", mode="token"):
    """Registers `email` and logs in; returns the login response's JSON and the session cookie (cookie mode)."""
    r = requests.post(server.base + "/v1/users", json={"email": email, "password": password}, timeout=10)
    assert r.status_code == 201, r.text
    r = requests.post(server.base + "/v1/login/password", json={"email": email, "password": password, "mode": mode}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json(), r.cookies.get("__Host-session")
