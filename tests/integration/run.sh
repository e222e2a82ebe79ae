#!/usr/bin/env bash
# Run the integration suites: every tests/integration/*.bats with bats (TAP), then every executable
# *-smoke.sh. Needs root (skips with a message otherwise). Prints one closing line
# "N passed, M failed" (", K skipped" when any were skipped) and exits non-zero on any failure.
#   tests/integration/run.sh [FILE.bats...]        default: all of them
# Env: POUCH_BIN (binaries, default bin/), POUCH_IT_TIMEOUT (seconds per file, default 600),
#      POUCH_IT_BUDGET (seconds for the whole run, default 2700: files not started by then fail).
set -u
cd "$(dirname "$0")" || exit 1
if [ "$(id -u)" != 0 ]; then
        echo "integration tests need root (namespaces, mounts, runc): skipped"
        echo "0 passed, 0 failed, 1 skipped"
        exit 0
fi
if ! command -v bats > /dev/null; then
        echo "bats is not installed (apt-get install bats, or packaging/install-deps.sh)" >&2
        echo "0 passed, 1 failed"
        exit 1
fi
# marks the temp homes of this run, so the sweep below never touches another run's
POUCH_IT_RUN_ID="$$-$(date +%s%N)"
export POUCH_IT_RUN_ID
# shellcheck source=helpers.bash
. ./helpers.bash

# After a file, remove what a killed or crashed bats left: daemons, shims, mounts, homes.
sweep() {
        local d
        for d in /tmp/pouch-it.*; do
                [ "$(cat "$d/run-id" 2> /dev/null)" = "$POUCH_IT_RUN_ID" ] || continue
                echo "# cleaning up after the suite: $d"
                (PT="$d" PHOME="$d/home" PSOCK="$d/d.sock" pouchd_teardown_file) || true
        done
}
trap sweep EXIT

# a hung file must not take the whole run with it: once the budget is spent, the rest fail unrun
over_budget() {
        [ "$SECONDS" -lt "${POUCH_IT_BUDGET:-2700}" ] && return 1
        echo "# not run: the suite's time budget (${POUCH_IT_BUDGET:-2700} s) is spent"
}

files=("$@")
[ ${#files[@]} -gt 0 ] || files=([0-9]*.bats)
pass=0 fail=0 skip=0
out="$(mktemp /tmp/pouch-it-tap.XXXXXX)"
for f in "${files[@]}"; do
        [ -e "$f" ] || continue
        echo "== $f"
        if over_budget; then
                fail=$((fail + 1))
                continue
        fi
        t0=$SECONDS
        timeout --kill-after=30 "${POUCH_IT_TIMEOUT:-600}" bats --tap "$f" 2>&1 | tee "$out"
        rc=${PIPESTATUS[0]}
        ok=$(grep -c '^ok ' "$out")
        s=$(grep -ci '^ok [0-9]* .*# skip' "$out")
        n=$(grep -c '^not ok ' "$out")
        # a file that died before its plan, or was killed by the timeout, counts as a failure
        if ! grep -q '^1\.\.[0-9]' "$out" || [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
                echo "# $f did not finish (exit $rc)"
                n=$((n + 1))
        elif [ "$rc" -ne 0 ] && [ "$n" -eq 0 ]; then
                echo "# bats exited $rc for $f with no failing test"
                n=1
        fi
        pass=$((pass + ok - s)) skip=$((skip + s)) fail=$((fail + n))
        echo "# $f: $((SECONDS - t0)) s"
        sweep
done
# the library-level smoke scripts (shim, networking, quota): each counts as one test
if [ $# -eq 0 ]; then
        for s in ./*-smoke.sh; do
                [ -x "$s" ] || continue
                echo "== $s"
                if over_budget; then
                        fail=$((fail + 1))
                        continue
                fi
                t0=$SECONDS
                if timeout --kill-after=30 "${POUCH_IT_TIMEOUT:-600}" "$s"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
                echo "# $s: $((SECONDS - t0)) s"
        done
fi
rm -f "$out"
line="$pass passed, $fail failed"
[ "$skip" -gt 0 ] && line="$line, $skip skipped"
echo "$line"
[ "$fail" -eq 0 ]
