# Counters and checks shared by the *-smoke.sh scripts: each check prints "ok   - ..." or
# "FAIL - ...", and the script ends with "N passed, M failed" (exit status 1 on any failure).
PASS=0
FAIL=0

ok() { PASS=$((PASS + 1)); echo "ok   - $*"; }
bad() { FAIL=$((FAIL + 1)); echo "FAIL - $*"; }
check() { # check DESCRIPTION COMMAND...
        local d=$1
        shift
        if "$@"; then ok "$d"; else bad "$d"; fi
}
