#!/usr/bin/env bash
# The project's test command (README.md, .ci/run): builds everything, runs the Swift test suites (unit, integration
# over loopback, crash test), then the Python suites (schemas, interop) in a venv against the built binaries, then a
# bounded fuzz run of the CBOR decoder (its own sanitizer build; see docs/FUZZING.md).
set -euo pipefail
cd "$(dirname "$0")/.."

# A throwaway PostgreSQL cluster for the PostgreSQL engine's tests (unless AUTHD_TEST_POSTGRES names one already).
if [ -z "${AUTHD_TEST_POSTGRES:-}" ]; then
    echo "== PostgreSQL 15 for the tests (Tools/postgres-cluster.sh)"
    PG_TEST_DIR="$(mktemp -d /tmp/authd-test-pg.XXXXXX)"
    AUTHD_TEST_POSTGRES="$(bash Tools/postgres-cluster.sh start "$PG_TEST_DIR" $((56000 + RANDOM % 1000)))"
    export AUTHD_TEST_POSTGRES
    trap 'bash Tools/postgres-cluster.sh stop "$PG_TEST_DIR"; rm -rf "$PG_TEST_DIR"' EXIT
fi

echo "== swift build (debug, with tests)"
swift build --build-tests

echo "== swift test: libraries, log, crash test (parallel)"
swift test --skip-build --skip "AuthAPITests|AuthHTTPTests"

# The live-server suites run one test at a time: they measure timing (enumeration) and open many loopback
# connections, and on 2 cores running them beside each other only adds noise.
echo "== swift test: HTTP suites against live servers (serial)"
swift test --skip-build --no-parallel --filter "AuthAPITests|AuthHTTPTests"

# The same API suites again, every store a replica of a shared log in PostgreSQL (the engine of several nodes).
echo "== swift test: HTTP API suites on the PostgreSQL engine (serial)"
AUTHD_TEST_ENGINE=postgres swift test --skip-build --no-parallel --filter "AuthAPITests"

echo "== python tests"
VENV="${AUTHLOG_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r Tests/python/requirements.txt
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/python

# Last, as its own step: 30 s of libFuzzer + AddressSanitizer on the CBOR decoder, seeded from the RFC 8949 vectors.
# The script builds into .build-fuzz/ (about a minute cold on 2 cores) and exits non-zero on a crash, leak, timeout
# or build failure, which fails this command (set -e).
echo "== CBOR fuzzing (libFuzzer + AddressSanitizer, 30 s)"
bash Tests/Fuzz/run-cbor-fuzz.sh 30
