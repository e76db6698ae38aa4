"""Runs one Swift export suite (`swift test --skip-build --filter ...`) with an output folder in the environment.

The Swift test targets write JSON for the Python cross-checks only when the variable is set; a plain `swift test`
writes nothing. The package must already be built with `swift build --build-tests` (Tools/test.sh does that).
"""
import os
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def run_swift_export(suite: str, variable: str, directory: str) -> None:
    """Runs the Swift suite `suite` with `variable` set to `directory`; fails with its output if it fails."""
    env = dict(os.environ)
    env[variable] = directory
    command = ["swift", "test", "--skip-build", "--filter", suite]
    scratch = os.environ.get("AUTHLOG_SCRATCH_PATH")
    if scratch:
        command += ["--scratch-path", scratch]
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"{' '.join(command)} failed ({result.returncode}):\n{output[-4000:]}"
    assert "passed" in output, f"{' '.join(command)} ran no test:\n{output[-4000:]}"
