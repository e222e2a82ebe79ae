#!/bin/sh
# Run libFuzzer targets (built by `make fuzz-bins`) for FUZZ_SECONDS each on a scratch copy of
# their seed corpus; FUZZ_SECONDS=0 runs each over its seed corpus only (-runs=0). A target named
# in tests/fuzz/short.list (small pure parsers that saturate in seconds) runs a quarter of the
# time. Prints one line per target; exits 1 when any target crashed, leaked, timed out or broke an
# invariant (the input is kept in $FUZZ_BUILD/artifacts/<name>/ and the log next to it).
set -eu
cd "$(dirname "$0")/../.."
build=${FUZZ_BUILD:-build-fuzz}
secs=${FUZZ_SECONDS:-20}
work=$(mktemp -d "${TMPDIR:-/tmp}/pouch-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT INT TERM
failed=0
for name in "$@"; do
        bin=$build/fuzz/$name
        seeds=tests/fuzz/corpus/$name
        art=$build/artifacts/$name
        rm -rf "$art"
        mkdir -p "$work/$name" "$art"
        if [ -d "$seeds" ]; then
                cp -R "$seeds/." "$work/$name/"
        fi
        t=$secs
        if [ "$t" -gt 0 ] && grep -qx "$name" tests/fuzz/short.list 2>/dev/null; then
                t=$(((t + 3) / 4))
        fi
        if [ "$t" = 0 ]; then
                limit=-runs=0
        else
                limit=-max_total_time=$t
        fi
        # targets in no-leak-check.list run without LeakSanitizer: fuzz-api's malformed requests
        # make libmicrohttpd 0.9.75 (Debian 12) lose one error response of its own (456 + 2 bytes,
        # allocated and dropped inside its connection thread), which no code of ours can free
        leaks=-detect_leaks=1
        if grep -qx "$name" tests/fuzz/no-leak-check.list 2>/dev/null; then
                leaks=-detect_leaks=0
        fi
        log=$art/log
        start=$(date +%s)
        # a hung target (e.g. a leak check over a huge heap after a timeout) must not hang the run
        if timeout --kill-after=10 $((t + 120)) "$bin" "$limit" "$leaks" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$art/" \
                "$work/$name" >"$log" 2>&1; then
                runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
                echo "fuzz $name: ok, ${runs:-?} runs in $(($(date +%s) - start)) s"
        else
                echo "fuzz $name: FAILED (log: $log)"
                grep -E '^(==[0-9]+==ERROR|SUMMARY|.*invariant failed|.*runtime error)' "$log" | head -n 5 || true
                for f in "$art"/*; do
                        [ "$f" = "$log" ] || echo "  artifact: $f"
                done
                failed=1
        fi
done
exit "$failed"
