"""Schemathesis against schema/openapi.yaml and the running server: no 5xx, every response matches the document.

Bounded: a fixed seed and SCHEMATHESIS_MAX_EXAMPLES examples per operation (default 25); about a minute. Equivalent
command line, against a server started by hand:

    schemathesis run schema/openapi.yaml --url http://localhost:8080 -n 25 --seed 1 \
      --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,response_headers_conformance \
      -H "Authorization: Bearer <session token>"
"""
import os
import subprocess
import sys

import requests

from conftest import ADMIN_KEY, ROOT, register_and_login

CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance",
])
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "25")
SCHEMATHESIS = os.path.join(os.path.dirname(sys.executable), "schemathesis")


def run_schemathesis(server, token, extra):
    """Runs the CLI from the server's temp dir, so its cache (.schemathesis/) stays out of the repository."""
    command = [
        # The console script beside the interpreter running the tests (the venv's), never a bare name looked up on
        # PATH: a fresh machine has schemathesis only inside the venv (and this version has no `python -m` entry).
        SCHEMATHESIS, "run", os.path.join(ROOT, "schema", "openapi.yaml"), "--url", server.base, "--checks", CHECKS,
        "-n", MAX_EXAMPLES, "--seed", "1", "--request-timeout", "30", "-H", f"Authorization: Bearer {token}", *extra,
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=900, cwd=os.path.dirname(server.data_dir))
    assert result.returncode == 0, result.stdout[-8000:] + result.stderr[-4000:]
    return result.stdout


def test_schemathesis_session_endpoints(fast_authd):
    """Everything a signed-in user can call (logout and introspection run separately, below)."""
    _, cookie = register_and_login(fast_authd, mode="cookie")
    out = run_schemathesis(fast_authd, cookie, ["--exclude-path", "/v1/logout", "--exclude-path", "/v1/introspect"])
    assert "passed" in out
    log = open(fast_authd.log_path).read()
    assert " error " not in log, log[-4000:]


def test_schemathesis_admin_and_logout(fast_authd):
    """Introspection and the bootstrap with the admin key; logout (which ends the session the header carries)."""
    run_schemathesis(fast_authd, ADMIN_KEY, ["--include-path", "/v1/introspect", "--include-path", "/v1/admin/bootstrap"])
    _, cookie = register_and_login(fast_authd, email="bob@example.com", mode="cookie")
    run_schemathesis(fast_authd, cookie, ["--include-path", "/v1/logout"])
    assert requests.get(fast_authd.base + "/healthz", timeout=10).status_code == 200
