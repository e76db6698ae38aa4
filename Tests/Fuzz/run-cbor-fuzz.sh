#!/usr/bin/env bash
# Builds the CBOR libFuzzer target and fuzzes the decoder for a bounded time.
#
# Usage: Tests/Fuzz/run-cbor-fuzz.sh [SECONDS] [extra libFuzzer flags...]
#   SECONDS            fuzzing time, passed as -max_total_time (default 60)
# Environment:
#   CBOR_VECTORS       seed vector file (default <repo>/../shared/vectors/cbor_rfc8949.json)
#   CBOR_FUZZ_BUILD    SwiftPM scratch path for the sanitizer build (default <repo>/.build-fuzz)
#   SWIFT_BACKTRACE    defaults to enable=no: the Swift runtime's crash backtracer reads the
#                      stack in a way AddressSanitizer flags, which would bury the real report
#
# Seeds: every hex value of the RFC 8949 vector file (examples and not-well-formed cases) is
# written to a fresh temporary corpus directory. Prints the number of executions and the
# result; exits non-zero if the fuzzer found a crash (the reproducer is kept and its path
# printed; replay it with the printed binary, or without sanitizers via
# `swift run CBORFuzz <file>`).
set -euo pipefail

seconds="${1:-60}"
if [[ $# -gt 0 ]]; then shift; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [[ "$seconds" -lt 1 ]]; then
    echo "run-cbor-fuzz: SECONDS must be a positive integer, got '$seconds'" >&2
    exit 2
fi

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
vectors="${CBOR_VECTORS:-$root/../shared/vectors/cbor_rfc8949.json}"
scratch="${CBOR_FUZZ_BUILD:-$root/.build-fuzz}"

if [[ ! -f "$vectors" ]]; then
    echo "run-cbor-fuzz: seed vectors not found at $vectors" >&2
    exit 2
fi

echo "== building CBORFuzz with libFuzzer + AddressSanitizer (scratch: $scratch)"
build_started=$SECONDS
set +e
(
    cd "$root"
    swift build -c debug --product CBORFuzz --scratch-path "$scratch" \
        -Xswiftc -sanitize=fuzzer,address \
        -Xswiftc -DCBOR_FUZZ \
        -Xswiftc -enable-experimental-feature -Xswiftc Extern \
        2>&1 | grep -v "Cannot export local symbol '__asan"
    exit "${PIPESTATUS[0]}"
)
build_status=$?
set -e
binary="$scratch/debug/CBORFuzz"
# A failed build must not fall back to a binary left by an earlier one.
if [[ $build_status -ne 0 || ! -x "$binary" ]]; then
    echo "run-cbor-fuzz: build failed (swift build exit status $build_status)" >&2
    exit 2
fi
echo "== build took $((SECONDS - build_started))s"

work="$(mktemp -d "${TMPDIR:-/tmp}/cbor-fuzz.XXXXXX")"
corpus="$work/corpus"
mkdir -p "$corpus"
python3 - "$vectors" "$corpus" <<'PY'
import json, sys
data = json.load(open(sys.argv[1]))
count = 0
for group in ("cases", "not_well_formed_cases", "rfc7049_only_cases"):
    for index, case in enumerate(data.get(group, [])):
        with open(f"{sys.argv[2]}/{group}-{index:03d}", "wb") as f:
            f.write(bytes.fromhex(case["hex"]))
        count += 1
print(f"== seeded {count} inputs from {sys.argv[1]}")
PY

log="$work/fuzz.log"
echo "== fuzzing for ${seconds}s (log: $log)"
fuzz_started=$SECONDS
set +e
SWIFT_BACKTRACE="${SWIFT_BACKTRACE:-enable=no}" "$binary" "$corpus" \
    -max_total_time="$seconds" \
    -max_len=4096 \
    -timeout=10 \
    -print_final_stats=1 \
    -artifact_prefix="$work/" \
    "$@" >"$log" 2>&1
status=$?
set -e

execs="$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)"
if [[ -z "$execs" ]]; then
    # libFuzzer prints final stats only on a normal exit; fall back to the last status line.
    execs="$(grep -oE '^#[0-9]+' "$log" | tail -n 1 | tr -d '#')"
fi
tail -n 3 "$log" | grep -E '^(#|Done|stat::)' || true
echo "== executions: ${execs:-unknown} in $((SECONDS - fuzz_started))s"

artifacts=$(find "$work" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'leak-*' -o -name 'timeout-*' -o -name 'oom-*' \) | sort)
if [[ $status -ne 0 || -n "$artifacts" ]]; then
    echo "== result: FAILED (libFuzzer exit status $status)"
    grep -E 'ERROR: libFuzzer|ERROR: AddressSanitizer|Fatal error|invariant violated' "$log" | head -n 5 || true
    for artifact in $artifacts; do echo "   reproducer: $artifact"; done
    echo "   full log: $log; replay with: $binary <reproducer>"
    exit 1
fi
echo "== result: OK, no crashes in ${seconds}s (corpus grew to $(ls "$corpus" | wc -l) inputs)"
rm -rf "$work"
