#!/usr/bin/env bash
# Run every integration suite (bats files, then shell suites) and print one closing count line.
set -u
cd "$(dirname "$0")"
if [ "$(id -u)" != 0 ]; then
        echo "integration tests need root (namespaces, mounts, runc): skipped"
        echo "0 passed, 0 failed, 1 skipped"
        exit 0
fi
pass=0 fail=0 skip=0
out="$(mktemp)"
for f in [0-9]*.bats; do
        [ -e "$f" ] || continue
        echo "== $f"
        bats --tap "$f" 2>&1 | tee "$out"
        p=$(grep -c '^ok ' "$out" || true)
        s=$(grep -c '^ok .* # skip' "$out" || true)
        n=$(grep -c '^not ok ' "$out" || true)
        # a file that crashed before reporting its plan counts as a failure
        if ! grep -q '^1\.\.' "$out"; then n=$((n + 1)); fi
        pass=$((pass + p - s)) skip=$((skip + s)) fail=$((fail + n))
done
for f in *-smoke.sh; do
        [ -x "$f" ] || continue
        echo "== $f"
        if ./"$f"; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
rm -f "$out"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
