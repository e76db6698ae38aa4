"""authd logs the chain head at a configurable interval, in the form `authctl head` prints and
`authctl verify --expect-head` takes."""
import os
import re
import subprocess
import time

import requests

from conftest import Authd, binary


def test_authd_logs_the_chain_head(workdir):
    data = os.path.join(workdir, "data")
    server = Authd(data, extra_args=["--head-log-interval", "1", "--argon2-memory-kib", "1024",
                                     "--argon2-iterations", "1", "--argon2-parallelism", "1"])
    try:
        r = requests.post(server.base + "/v1/users", json={"email": "anchor@example.com", "password": "long enough pw"})
        assert r.status_code == 201
        time.sleep(2.5)
        head = subprocess.run([binary("authctl"), "head", "--data", data], capture_output=True, text=True, check=True).stdout.strip()
    finally:
        assert server.stop() == 0
    log = open(server.log_path).read()
    logged = re.findall(r"head=(\d+:[0-9a-f]{64}) \[authd\] chain head", log)
    assert logged, log[-2000:]
    assert head in logged, f"authctl head {head} not among logged heads {logged}"
    result = subprocess.run([binary("authctl"), "verify", "--data", data, "--expect-head", logged[-1]], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
