#!/bin/bash
# pouch-shim smoke test against real runc: container mode (log, exit.json, attach, tty, slow
# clients), exec mode, RSS of a running shim. Needs root, runc, jq, busybox and bin/pouch-shim.
# Usage: tests/integration/shim-smoke.sh   (from the repository root or anywhere)
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
SHIM=${SHIM:-$ROOT/bin/pouch-shim}
RUNC=${RUNC:-$(command -v runc || true)}
# shellcheck source=smoke-tap.bash
. "$ROOT/tests/integration/smoke-tap.bash"

if [ "$(id -u)" != 0 ] || [ -z "$RUNC" ] || ! command -v jq >/dev/null || [ ! -x "$SHIM" ]; then
        echo "skipped: needs root, runc, jq and $SHIM"
        echo "0 passed, 0 failed"
        exit 0
fi

T=$(mktemp -d /tmp/pouch-shim-smoke.XXXXXX)
RR=$T/runc-root
IDS=()
SHIMPIDS=()
cleanup() {
        for id in "${IDS[@]}"; do "$RUNC" --root "$RR" delete --force "$id" >/dev/null 2>&1; done
        for p in "${SHIMPIDS[@]}"; do kill -9 "$p" 2>/dev/null; done
        [ -n "${BGPID:-}" ] && kill "$BGPID" 2>/dev/null
        rm -rf "$T"
}
trap cleanup EXIT
[ -n "${KEEP:-}" ] && trap - EXIT && echo "keeping $T"

# --- fixtures ------------------------------------------------------------------------------
HELPER=$T/shim-attach
cc -std=gnu11 -Wall -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/lib" -o "$HELPER" \
        "$ROOT/tests/integration/helpers/shim-attach.c" "$ROOT/lib/unixsock.c" || { echo "cannot build helper"; echo "0 passed, 1 failed"; exit 1; }

mkdir -p "$T/rootfs/bin" "$T/rootfs/proc" "$T/rootfs/dev" "$T/rootfs/sys" "$T/rootfs/tmp" "$RR"
cp /bin/busybox "$T/rootfs/bin/busybox"
for l in sh echo cat sleep true head tr read; do ln -sf busybox "$T/rootfs/bin/$l"; done

# bundle NAME TTY ARGS_JSON -> $T/NAME (bundle dir; rootfs shared through a symlink-free copy path)
bundle() {
        local b=$T/b-$1
        mkdir -p "$b"
        (cd "$b" && "$RUNC" spec)
        jq --arg root "$T/rootfs" --argjson tty "$2" --argjson args "$3" '
                .root.path = $root
                | .process.terminal = $tty
                | .process.args = $args
                | .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]
                | .linux.namespaces |= map(select(.type != "network"))' "$b/config.json" >"$b/config.new"
        mv "$b/config.new" "$b/config.json"
}

# start_shim NAME [shim options...]: sets SYNC (the report line); state in $T/s-NAME
start_shim() {
        local name=$1
        shift
        local s=$T/s-$name
        mkdir -p "$s"
        mkfifo "$T/sync-$name"
        IDS+=("smoke-$name")
        "$SHIM" --id "smoke-$name" --bundle "$T/b-$name" --state-dir "$s" --runtime "$RUNC" \
                --runtime-root "$RR" --log-path "$s/c.log" --sync-fd 9 "$@" 9>"$T/sync-$name" &
        local first=$!
        SYNC=$(timeout 30 cat "$T/sync-$name")
        wait "$first"
        [ -f "$s/shim.pid" ] && SHIMPIDS+=("$(cat "$s/shim.pid")")
}

wait_exit() { # wait_exit NAME -> 0 when exit.json appeared
        for _ in $(seq 100); do
                [ -f "$T/s-$1/exit.json" ] && return 0
                sleep 0.1
        done
        return 1
}

wait_gone() { # the shim process of NAME exited
        local p
        p=$(cat "$T/s-$1/shim.pid" 2>/dev/null) || return 1
        for _ in $(seq 100); do
                kill -0 "$p" 2>/dev/null || return 0
                sleep 0.1
        done
        return 1
}

exit_field() { jq -r ".$2" "$T/s-$1/exit.json" 2>/dev/null; }
log_has() { jq -e -s --arg s "$2" --arg l "$3" 'any(.[]; .stream == $s and .log == $l)' "$T/s-$1/c.log" >/dev/null 2>&1; }

# --- 1. plain run: sync report, log, exit code, cleanup ----------------------------------------
bundle basic false '["sh","-c","echo hello; echo oops >&2; exit 3"]'
start_shim basic
check "basic: sync fd reports the pid" bash -c '[[ "$0" =~ ^\{\"pid\":[0-9]+\}$ ]]' "$SYNC"
check "basic: attach.sock exists before start" test -S "$T/s-basic/attach.sock"
"$RUNC" --root "$RR" start smoke-basic
check "basic: exit.json written" wait_exit basic
check "basic: ExitCode 3" test "$(exit_field basic ExitCode)" = 3
check "basic: Signal 0" test "$(exit_field basic Signal)" = 0
check "basic: FinishedAt is RFC3339Nano" bash -c '[[ "$0" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{9}Z$ ]]' "$(exit_field basic FinishedAt)"
check "basic: stdout logged" log_has basic stdout $'hello\n'
check "basic: stderr logged" log_has basic stderr $'oops\n'
check "basic: shim exited" wait_gone basic
check "basic: sockets removed" test ! -e "$T/s-basic/attach.sock" -a ! -e "$T/s-basic/console.sock"
check "basic: runc state deleted" bash -c '! "$0" --root "$1" state smoke-basic >/dev/null 2>&1' "$RUNC" "$RR"

# --- 2. create failure ------------------------------------------------------------------------
bundle fail false '["/no/such/binary"]'
start_shim fail
check "fail: sync fd reports an error" bash -c '[[ "$0" == *"\"error\""* ]]' "$SYNC"
echo "     ($SYNC)"

# --- 3. attach with stdin (stdin-once), framing ----------------------------------------------
bundle att false '["sh","-c","read x; echo got:$x; cat; echo to-err >&2"]'
start_shim att --stdin --stdin-once
"$HELPER" attach "$T/s-att/attach.sock" --stdin $'abc\nmore\n' >"$T/att.out" 2>&1 &
BGPID=$!
sleep 0.3
"$RUNC" --root "$RR" start smoke-att
check "attach: exit.json written" wait_exit att
wait "$BGPID"
BGPID=
check "attach: stdin reached the container, stdout frame" grep -qx '\[stdout\] got:abc' "$T/att.out"
# "more" comes from cat after the read; under load both writes may share one stdout frame
check "attach: stdin EOF closed the container's stdin (stdin-once)" grep -qx '\(\[stdout\] \)\{0,1\}more' "$T/att.out"
check "attach: stderr frame" grep -qx '\[stderr\] to-err' "$T/att.out"
check "attach: control connection closed at exit" grep -qx '\[closed\]' "$T/att.out"
check "attach: ExitCode 0" test "$(exit_field att ExitCode)" = 0

# --- 4. running container: PING, RESIZE, exec, RSS, kill ---------------------------------------
bundle run false '["sleep","30"]'
start_shim run
PID=$(jq -r .pid <<<"$SYNC")
"$RUNC" --root "$RR" start smoke-run
check "run: PING answers the init pid" test "$("$HELPER" request "$T/s-run/attach.sock" PING)" = "OK $PID"
check "run: RESIZE without tty is refused" test "$("$HELPER" request "$T/s-run/attach.sock" 'RESIZE 10 20')" = "ERR not a tty"
check "run: unknown request" test "$("$HELPER" request "$T/s-run/attach.sock" 'HELLO')" = "ERR unknown request"
jq '.process | .args = ["echo","hi"] | .terminal = false' "$T/b-run/config.json" >"$T/proc-echo.json"
"$HELPER" exec -- "$SHIM" exec --id smoke-run --exec-id e1 --runtime "$RUNC" --runtime-root "$RR" \
        --state-dir "$T/s-run" --process "$T/proc-echo.json" >"$T/exec1.out" 2>&1
check "exec: sync reports a pid" grep -q '^\[sync\] {"pid":[0-9]*}$' "$T/exec1.out"
check "exec: output frame" grep -qx '\[stdout\] hi' "$T/exec1.out"
check "exec: exit status 0" grep -qx '\[exit\] 0' "$T/exec1.out"
jq '.process | .args = ["sh","-c","cat; echo bye >&2; exit 5"] | .terminal = false' "$T/b-run/config.json" >"$T/proc-cat.json"
"$HELPER" exec --stdin $'in-data\n' -- "$SHIM" exec --id smoke-run --exec-id e2 --runtime "$RUNC" --runtime-root "$RR" \
        --state-dir "$T/s-run" --process "$T/proc-cat.json" --stdin >"$T/exec2.out" 2>&1
check "exec: stdin forwarded and EOF closes it" grep -qx '\[stdout\] in-data' "$T/exec2.out"
check "exec: stderr frame" grep -qx '\[stderr\] bye' "$T/exec2.out"
check "exec: exit status 5" grep -qx '\[exit\] 5' "$T/exec2.out"
jq '.process | .args = ["sh","-c","echo tty-exec"] | .terminal = true' "$T/b-run/config.json" >"$T/proc-tty.json"
"$HELPER" exec --tty -- "$SHIM" exec --id smoke-run --exec-id e4 --runtime "$RUNC" --runtime-root "$RR" \
        --state-dir "$T/s-run" --process "$T/proc-tty.json" --tty >"$T/exec4.out" 2>&1
check "exec: tty output is raw" grep -q '^\[raw\] tty-exec' "$T/exec4.out"
check "exec: tty exit status 0" grep -qx '\[exit\] 0' "$T/exec4.out"
jq '.process | .args = ["/nope"] | .terminal = false' "$T/b-run/config.json" >"$T/proc-bad.json"
"$HELPER" exec -- "$SHIM" exec --id smoke-run --exec-id e3 --runtime "$RUNC" --runtime-root "$RR" \
        --state-dir "$T/s-run" --process "$T/proc-bad.json" >"$T/exec3.out" 2>&1
check "exec: missing binary reports an error" grep -q '^\[sync\] {"error":' "$T/exec3.out"
check "exec: exec sockets removed" bash -c '! ls "$0"/exec-* >/dev/null 2>&1' "$T/s-run"
SHIMPID=$(cat "$T/s-run/shim.pid")
RSS=$(awk '/^VmRSS/ {print $2}' "/proc/$SHIMPID/status")
echo "     shim RSS while the container runs: ${RSS} kB"
check "run: shim RSS under ${RSS_LIMIT_KB:-1024} kB (${RSS} kB)" test "$RSS" -lt "${RSS_LIMIT_KB:-1024}"
check "run: shim is idle (no CPU while the container sleeps)" bash -c '
        a=$(awk "{print \$14+\$15}" /proc/$0/stat); sleep 1; b=$(awk "{print \$14+\$15}" /proc/$0/stat); [ "$a" = "$b" ]' "$SHIMPID"
"$RUNC" --root "$RR" kill smoke-run KILL
check "kill: exit.json written" wait_exit run
check "kill: ExitCode 137" test "$(exit_field run ExitCode)" = 137
check "kill: Signal 9" test "$(exit_field run Signal)" = 9
check "kill: shim exited" wait_gone run

# --- 5. tty: console socket, raw stream, RESIZE ------------------------------------------------
bundle tty true '["sh","-c","sleep 1; echo tty-out"]'
start_shim tty --tty
"$HELPER" attach "$T/s-tty/attach.sock" --tty >"$T/tty.out" 2>&1 &
BGPID=$!
sleep 0.3
"$RUNC" --root "$RR" start smoke-tty
check "tty: RESIZE on the pty" test "$("$HELPER" request "$T/s-tty/attach.sock" 'RESIZE 40 100')" = "OK"
check "tty: exit.json written" wait_exit tty
wait "$BGPID"
BGPID=
check "tty: raw output (no frames)" grep -q '^\[raw\] tty-out' "$T/tty.out"
check "tty: logged as stdout" bash -c 'jq -e -s "any(.[]; .stream == \"stdout\" and (.log | startswith(\"tty-out\")))" "$0" >/dev/null' "$T/s-tty/c.log"
check "tty: console.sock removed" test ! -e "$T/s-tty/console.sock"

# --- 6. a client that never reads does not block the container; log rotation --------------------
bundle flood false '["sh","-c","head -c 8000000 /dev/zero | tr \"\\\\0\" x; echo; echo end"]'
start_shim flood --log-max-size 1000000 --log-max-file 2
"$HELPER" noread "$T/s-flood/attach.sock" >"$T/flood.out" 2>&1 &
BGPID=$!
sleep 0.3
"$RUNC" --root "$RR" start smoke-flood
check "flood: container finished despite a stuck client" wait_exit flood
wait "$BGPID"
BGPID=
check "flood: stuck client was dropped" grep -q '^\[dropped\]' "$T/flood.out"
check "flood: ExitCode 0" test "$(exit_field flood ExitCode)" = 0
check "flood: log rotated to c.log.1" test -f "$T/s-flood/c.log.1"
check "flood: only max-file files kept" test ! -e "$T/s-flood/c.log.2"
check "flood: files within max-size" bash -c '[ $(stat -c %s "$0/c.log") -le 1000000 ] && [ $(stat -c %s "$0/c.log.1") -le 1000000 ]' "$T/s-flood"
check "flood: last line logged" log_has flood stdout $'end\n'

echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
