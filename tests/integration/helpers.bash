# Helpers for the integration suites: ONE pouchd per .bats file in a fresh temporary home.
#
#   setup_file()    { pouchd_setup_file; }        # start pouchd, import busybox:latest
#   teardown_file() { pouchd_teardown_file; }     # containers, pouchd, shims, runc state, mounts, home
#   teardown()      { dump_log_on_failure; }
#
# Paths (exported, so every test of the file sees them):
#   PT      the temporary dir (mktemp -d /tmp/pouch-it.XXXXXX: short, unix socket paths are <108 bytes)
#   PHOME   pouchd's home ($PT/home)     PSOCK  its API socket ($PT/d.sock)
#   PLOG    pouchd's log (stderr)        PBUSYBOX  the busybox rootfs tarball
# Commands: pouch ..., dockerc ... (the real docker CLI on PSOCK), api METHOD PATH [curl args],
# wait_for SECONDS CMD... (poll every 0.1 s), cid NAME, shim_pid NAME, pouchd_start/kill9/restart.

HELPERS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export BIN="${POUCH_BIN:-$HELPERS_ROOT/bin}"
export DOCKER_BIN="${DOCKER_BIN:-/usr/local/bin/docker}"
IMAGES="$HELPERS_ROOT/tests/images"
# the daemon's start must fit in this many seconds (ASan builds are slower)
PING_DEADLINE="${PING_DEADLINE:-30}"

pouch() { "$BIN/pouch" -H "unix://$PSOCK" "$@"; }
dockerc() { DOCKER_HOST="unix://$PSOCK" "$DOCKER_BIN" "$@"; }

# api METHOD PATH [curl args...]: the body on stdout; curl's own errors fail the call
api() {
        local m="$1" p="$2"
        shift 2
        curl -sS --max-time 60 --unix-socket "$PSOCK" -X "$m" "$@" "http://x$p"
}

# api_code METHOD PATH [curl args...]: only the HTTP status code
api_code() {
        local m="$1" p="$2"
        shift 2
        curl -s -o /dev/null -w '%{http_code}' --max-time 60 --unix-socket "$PSOCK" -X "$m" "$@" "http://x$p"
}

# wait_for SECONDS CMD...: run CMD every 0.1 s until it succeeds; fail after SECONDS
wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        while ! "$@" > /dev/null 2>&1; do
                if [ "$SECONDS" -ge "$deadline" ]; then
                        echo "timed out waiting for: $*" >&2
                        return 1
                fi
                sleep 0.1
        done
}

# a pid is alive and not a zombie
pid_alive() {
        local st
        [ -n "$1" ] && st="$(awk '/^State:/ {print $2}' "/proc/$1/status" 2> /dev/null)" && [ -n "$st" ] && [ "$st" != Z ]
}
pid_dead() { ! pid_alive "$1"; }

cid() { pouch inspect -f '{{.Id}}' "$1"; }
state_of() { pouch inspect -f '{{.State.Status}}' "$1"; }
state_is() { [ "$(pouch inspect -f '{{.State.Status}}' "$1" 2> /dev/null)" = "$2" ]; }
shim_pid() {
        local id
        id="$(cid "$1")" || return 1
        cat "$PHOME/run/${id:0:12}/shim.pid"
}

ping_ok() { curl -sf --max-time 5 --unix-socket "$PSOCK" http://x/_ping > /dev/null 2>&1; }

# pouchd_start [extra pouchd args]: start pouchd on PHOME/PSOCK, wait for /_ping
pouchd_start() {
        # A subshell detaches pouchd from the bats process: a killed pouchd is reaped at once (no
        # zombie that still answers kill -0), and fd 3 (bats' output pipe) is not inherited, so
        # pouchd and its shims cannot keep bats waiting.
        # a bridge and subnet of the file's own (see pouchd_setup_file), apart from a pouchd the
        # host may run (pouch0) and from test files running at the same time
        (exec "$BIN/pouchd" --home "$PHOME" --listen "unix://$PSOCK" --debug \
                --bridge "$PBRIDGE" --bip "$PBIP" "$@" \
                < /dev/null >> "$PLOG" 2>&1 3>&- &
                echo $! > "$PT/pouchd.pid")
        local pid deadline=$((SECONDS + PING_DEADLINE))
        pid="$(cat "$PT/pouchd.pid")"
        until ping_ok; do
                if pid_dead "$pid"; then
                        echo "pouchd exited during start; its log:" >&2
                        tail -n 60 "$PLOG" >&2
                        return 1
                fi
                if [ "$SECONDS" -ge "$deadline" ]; then
                        echo "pouchd did not answer /_ping within ${PING_DEADLINE}s; its log:" >&2
                        tail -n 60 "$PLOG" >&2
                        return 1
                fi
                sleep 0.05
        done
}

pouchd_pid() { cat "$PT/pouchd.pid" 2> /dev/null; }

# pouchd_stop [SIGNAL]: signal pouchd (TERM by default) and wait until it is gone (KILL after 15 s)
pouchd_stop() {
        local pid
        pid="$(pouchd_pid)" || return 0
        pid_alive "$pid" || return 0
        kill "-${1:-TERM}" "$pid" 2> /dev/null || true
        if ! wait_for 15 pid_dead "$pid"; then
                kill -KILL "$pid" 2> /dev/null || true
                wait_for 5 pid_dead "$pid" || true
        fi
}

pouchd_kill9() { pouchd_stop KILL; }

pouchd_restart() {
        echo "---- pouchd restarted $(date +%T.%N) ----" >> "$PLOG"
        pouchd_start "$@"
}

# Start pouchd for this .bats file and import busybox:latest.
pouchd_setup_file() {
        [ "$(id -u)" = 0 ] || skip "integration tests need root"
        [ -x "$BIN/pouchd" ] || { echo "$BIN/pouchd is not built (run make)" >&2; return 1; }
        PT="$(mktemp -d /tmp/pouch-it.XXXXXX)"
        # run.sh sweeps the homes of its own run after each file (in case bats was killed)
        [ -z "${POUCH_IT_RUN_ID:-}" ] || echo "$POUCH_IT_RUN_ID" > "$PT/run-id"
        export PT PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log" PBUSYBOX="$PT/busybox.tar"
        export POUCH_HOST="unix://$PSOCK"
        local net=$((RANDOM % 250 + 1))
        export PBRIDGE="${POUCH_IT_BRIDGE:-pit$net}" PBIP="${POUCH_IT_BIP:-10.213.$net.1/24}"
        # also for a stray bare `docker`: never the host's own daemon
        export DOCKER_HOST="unix://$PSOCK"
        : > "$PLOG"
        pouchd_start
        "$IMAGES/build-busybox.sh" "$PBUSYBOX"
        pouch import "$PBUSYBOX" busybox:latest > /dev/null
}

# Remove everything the file created. Every step tolerates failures of the previous ones.
pouchd_teardown_file() {
        [ -n "${PT:-}" ] && [ -d "$PT" ] || return 0
        local id ids p pid rt bin
        if ping_ok; then
                ids="$(curl -s --max-time 10 --unix-socket "$PSOCK" 'http://x/containers/json?all=1' | jq -r '.[].Id' 2> /dev/null)"
                for id in $ids; do
                        curl -s --max-time 20 --unix-socket "$PSOCK" -X DELETE "http://x/containers/$id?force=1" > /dev/null || true
                done
        fi
        if ping_ok; then
                ids="$(curl -s --max-time 10 --unix-socket "$PSOCK" 'http://x/networks' | jq -r '.[] | select(.Name != "bridge" and .Name != "host" and .Name != "none") | .Id' 2> /dev/null)"
                for id in $ids; do
                        curl -s --max-time 20 --unix-socket "$PSOCK" -X DELETE "http://x/networks/$id" > /dev/null || true
                done
        fi
        pouchd_stop TERM
        [ -z "${PBRIDGE:-}" ] || ip link del "$PBRIDGE" 2> /dev/null || true
        [ -z "${PBRIDGE:-}" ] || drop_host_rules "$PBRIDGE"
        # runtime state left behind (containers whose shim or daemon died): kill and delete them
        for rt in "$PHOME"/runtime/*/; do
                [ -d "$rt" ] || continue
                bin="$(basename "$rt")"
                command -v "$bin" > /dev/null || continue
                for id in $("$bin" --root "$rt" list -q 2> /dev/null); do
                        "$bin" --root "$rt" kill -a "$id" KILL > /dev/null 2>&1 || true
                        "$bin" --root "$rt" delete -f "$id" > /dev/null 2>&1 || true
                done
        done
        # shims outlive pouchd by design: kill the ones of this home (checking the pid is a shim)
        for p in "$PHOME"/run/*/shim.pid; do
                [ -f "$p" ] || continue
                pid="$(cat "$p" 2> /dev/null)"
                if [ -n "$pid" ] && grep -qa pouch-shim "/proc/$pid/cmdline" 2> /dev/null; then kill -KILL "$pid" 2> /dev/null || true; fi
        done
        unmount_under "$PT"
        if findmnt -rn -o TARGET | grep -q "^$PT/"; then
                echo "teardown: mounts remain under $PT; not deleting it:" >&2
                findmnt -rn -o TARGET | grep "^$PT/" >&2
                return 0
        fi
        rm -rf --one-file-system "$PT"
}

# unmount every mount point under DIR, deepest first; lazily as a last resort
unmount_under() {
        local dir="$1" m i
        for i in 1 2 3; do
                findmnt -rn -o TARGET | grep -q "^$dir/" || return 0
                findmnt -rn -o TARGET | grep "^$dir/" | sort -r | while read -r m; do
                        if [ "$i" -lt 3 ]; then umount "$m" 2> /dev/null || true; else umount -l "$m" 2> /dev/null || true; fi
                done
        done
}

# per-test teardown: on failure, show the end of pouchd's log under the test's output
# Remove the firewall rules pouchd keeps for a bridge network (comment "pouch:BRIDGE"); the
# default network's stay with the host, as docker0's do, so tests drop their own.
drop_host_rules() { "$HELPERS_ROOT/packaging/remove-host-rules.sh" "$@"; }

# Import the Debian rich image (tests/images/build-debian-rich.sh, cached) as debian-rich:latest;
# skips the calling file when it cannot be built (mmdebstrap needs Debian's archive).
import_debian_rich() {
        if ! "$IMAGES/build-debian-rich.sh" "$PT/debian-rich.tar" > "$PT/build-debian.log" 2>&1; then
                cat "$PT/build-debian.log" >&3
                skip "the Debian rich image could not be built (mmdebstrap needs Debian's archive)"
        fi
        pouch import "$PT/debian-rich.tar" debian-rich:latest > /dev/null
        rm -f "$PT/debian-rich.tar"
}

dump_log_on_failure() {
        [ "${BATS_TEST_COMPLETED:-}" = 1 ] && return 0
        [ -n "${PLOG:-}" ] && [ -f "$PLOG" ] || return 0
        echo "---- last 60 lines of $PLOG ----"
        tail -n 60 "$PLOG"
}
