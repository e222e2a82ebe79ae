# Helpers for the suites that run pouch-init on its own, without the daemon (25-27-pouch-init*.bats):
# the static binary is PID 1 of a new pid and mount namespace, chrooted into a busybox rootfs
# (tests/images/build-busybox.sh), with the state directory at /run/pouch-init as in a rich container.
#
#   setup_file() { pouch_init_check_host [CMD...] || return 0; pouch_init_build_rootfs; }
#   setup()      { pouch_init_setup PREFIX [DIR...]; }   # a fresh $ROOT: mktemp -d /tmp/PREFIX.XXXXXX
#   teardown()   { pouch_init_teardown; }
#
# Variables: REPO (the source tree), INIT_BIN (the pouch-init binary), INIT_SKIP (why the file's
# tests are skipped, empty if they run), ROOT (the test's rootfs), STATUS (its status.json),
# UPID (unshare's pid for a pouch-init started by start_init), rc (its exit code after wait_init).
# Commands: run_init, start_init, init_pid, wait_init, wait_for, st, st_is, svc, svc_is, ms_now, service.

REPO="$(cd "$BATS_TEST_DIRNAME/../.." && pwd)"
INIT_BIN="${POUCH_BIN:-$REPO/bin}/pouch-init"

# pouch_init_check_host [CMD...]: the part of setup_file that checks for root, unshare, chroot, jq,
# the CMDs the file needs besides, and a built pouch-init. Sets INIT_SKIP and returns 1 when the
# file's tests cannot run. (a skip in setup_file is reported as a failure by some bats versions:
# pouch_init_setup skips instead)
# shellcheck disable=SC2120 # the CMDs are optional
pouch_init_check_host() {
        local c
        export INIT_SKIP=""
        if [ "$(id -u)" != 0 ]; then
                INIT_SKIP="pouch-init's integration tests need root (namespaces, chroot)"
                return 1
        fi
        for c in unshare chroot jq "$@"; do
                command -v "$c" > /dev/null || { INIT_SKIP="$c is not installed"; return 1; }
        done
        [ -x "$INIT_BIN" ] || { INIT_SKIP="$INIT_BIN is not built (make bin/pouch-init)"; return 1; }
}

# pouch_init_build_rootfs: the busybox rootfs tarball every test extracts ($BATS_FILE_TMPDIR/busybox.tar)
pouch_init_build_rootfs() {
        "$REPO/tests/images/build-busybox.sh" "$BATS_FILE_TMPDIR/busybox.tar" > /dev/null 2>&1 ||
                INIT_SKIP="no busybox rootfs (apt-get install busybox-static)"
}

# pouch_init_setup PREFIX [DIR...]: skip if INIT_SKIP says so, else a fresh rootfs in ROOT
# (mktemp -d /tmp/PREFIX.XXXXXX) with the state directory, services.d, /dev/null, /proc, pouch-init
# in /run/pouch-init, and the DIRs (relative to the rootfs) the file needs besides
pouch_init_setup() {
        local prefix="$1" d
        shift
        ROOT=""
        UPID=""
        [ -z "$INIT_SKIP" ] || skip "$INIT_SKIP"
        ROOT="$(mktemp -d "/tmp/$prefix.XXXXXX")"
        tar -xf "$BATS_FILE_TMPDIR/busybox.tar" -C "$ROOT"
        mkdir -p "$ROOT/run/pouch-init" "$ROOT/etc/pouch/services.d" "$ROOT/etc/profile.d" "$ROOT/dev" "$ROOT/proc"
        for d in "$@"; do
                mkdir -p "$ROOT/$d"
        done
        : > "$ROOT/dev/null"
        cp "$INIT_BIN" "$ROOT/run/pouch-init/pouch-init"
        STATUS="$ROOT/run/pouch-init/status.json"
}

# pouch_init_teardown: kill the test's pouch-init and unshare, show its output and status.json if
# the test failed, remove the rootfs
pouch_init_teardown() {
        # the namespace dies with its PID 1; its mounts (proc, /dev/null) were private to it
        local ipid
        ipid="$(init_pid 2> /dev/null)" || true
        [ -z "$ipid" ] || kill -KILL "$ipid" 2> /dev/null || true
        if [ -n "$UPID" ]; then
                kill -KILL "$UPID" 2> /dev/null || true
                wait "$UPID" 2> /dev/null || true
        fi
        if [ -n "$ROOT" ] && [ -d "$ROOT" ]; then
                umount -l "$ROOT/proc" "$ROOT/dev/null" 2> /dev/null || true
                if [ "$BATS_TEST_COMPLETED" != 1 ]; then
                        echo "# pouch-init output:" >&3
                        sed 's/^/#   /' "$ROOT/.out" >&3 2> /dev/null || true
                        echo "# status.json: $(cat "$STATUS" 2> /dev/null)" >&3
                fi
                rm -rf "$ROOT"
        fi
}

# run_init [-N] ARGS...: run pouch-init to its end; $status, $output as bats' run (stdout+stderr);
# -N tells run that exit code N is expected
run_init() {
        local expect=()
        [[ "$1" =~ ^-[0-9]+$ ]] && { expect=("$1"); shift; }
        run "${expect[@]}" timeout 60 unshare --pid --fork --mount --mount-proc="$ROOT/proc" \
                sh -c 'mount --bind /dev/null "$0/dev/null" && exec chroot "$0" /run/pouch-init/pouch-init "$@"' \
                "$ROOT" "$@"
}

# start_init ARGS...: start pouch-init in the background (output in $ROOT/.out); UPID is unshare's pid
start_init() {
        unshare --pid --fork --mount --mount-proc="$ROOT/proc" \
                sh -c 'mount --bind /dev/null "$0/dev/null" && exec chroot "$0" /run/pouch-init/pouch-init "$@"' \
                "$ROOT" "$@" > "$ROOT/.out" 2>&1 3>&- &
        UPID=$!
        wait_for 10 init_pid > /dev/null
}

# pouch-init's pid on the host: unshare's only child
init_pid() {
        local c
        [ -n "$UPID" ] || return 1
        c="$(cat "/proc/$UPID/task/$UPID/children" 2> /dev/null)" || return 1
        c="${c%% *}"
        [ -n "$c" ] && echo "$c"
}

# wait for the background pouch-init to exit: its exit code in $rc
# shellcheck disable=SC2034 # rc is read by the tests
wait_init() {
        rc=0
        wait "$UPID" || rc=$?
        UPID=""
}

# wait_for SECONDS CMD...: poll CMD every 0.1 s until it succeeds
wait_for() {
        local deadline=$((SECONDS + $1))
        shift
        until "$@"; do
                [ "$SECONDS" -lt "$deadline" ] || { echo "timed out waiting for: $*" >&2; return 1; }
                sleep 0.1
        done
}

# jq on status.json
st() { jq -r "$1" "$STATUS" 2> /dev/null; }
st_is() { [ "$(st "$1")" = "$2" ]; }
# svc NAME FIELD: a field of a service's entry in status.json
svc() { st "[.services[] | select(.name == \"$1\") | .$2] | .[0]"; }
svc_is() { [ "$(svc "$1" "$2")" = "$3" ]; }

ms_now() { echo $(($(date +%s%N) / 1000000)); }

# service NAME < UNIT: write /etc/pouch/services.d/NAME.service in the rootfs
service() { cat > "$ROOT/etc/pouch/services.d/$1.service"; }
