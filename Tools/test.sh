#!/usr/bin/env bash
# The project's test command (README.md, .ci/run): builds everything, runs the Swift test suites (unit, integration
# over loopback, crash test), then the Python suites (schemas, interop) in a venv against the built binaries.
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== swift build (debug, with tests)"
swift build --build-tests

echo "== swift test"
swift test --skip-build

echo "== python tests"
VENV="${AUTHLOG_VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r Tests/python/requirements.txt
"$VENV/bin/python" -m pytest -q -p no:cacheprovider Tests/python
