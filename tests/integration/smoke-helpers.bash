# Helpers for the core smoke tests: one pouchd per file in a temporary home, docker CLI wrapper,
# teardown that kills, unmounts and deletes everything the file created.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
BIN="${POUCH_BIN:-$ROOT/bin}"

smoke_build_busybox_tar() {
        local out="$1" dir
        dir="$(mktemp -d /tmp/pouch-bb.XXXXXX)"
        mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root"
        chmod 1777 "$dir/tmp"
        cp /bin/busybox "$dir/bin/busybox"
        for a in $(/bin/busybox --list); do
                [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
        done
        printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir/etc/passwd"
        printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
        tar -C "$dir" -cf "$out" .
        rm -rf "$dir"
}

smoke_start_daemon() {
        SMOKE_HOME="$(mktemp -d /tmp/pouch-it.XXXXXX)"
        export SMOKE_HOME
        export SMOKE_SOCK="$SMOKE_HOME/d.sock"
        export DOCKER_HOST="unix://$SMOKE_SOCK"
        export POUCH_HOST="unix://$SMOKE_SOCK"
        # a default bridge of the file's own, apart from a pouchd the host may run (pouch0)
        local n=$(($$ % 250 + 1))
        export SMOKE_BRIDGE="psm$n" SMOKE_BIP="10.211.$n.1/24"
        "$BIN/pouchd" --home "$SMOKE_HOME/home" --listen "unix://$SMOKE_SOCK" --debug \
                --bridge "$SMOKE_BRIDGE" --bip "$SMOKE_BIP" > "$SMOKE_HOME/pouchd.log" 2>&1 &
        echo $! > "$SMOKE_HOME/pouchd.pidfile"
        smoke_wait_ping
}

smoke_wait_ping() {
        for _ in $(seq 1 100); do
                curl -sf --unix-socket "$SMOKE_SOCK" http://x/_ping > /dev/null 2>&1 && return 0
                sleep 0.1
        done
        echo "pouchd did not come up:" >&2
        cat "$SMOKE_HOME/pouchd.log" >&2
        return 1
}

smoke_kill_daemon() {
        local pid
        pid="$(cat "$SMOKE_HOME/pouchd.pidfile" 2>/dev/null)" || return 0
        kill "-${1:-TERM}" "$pid" 2>/dev/null || true
        for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
}

smoke_restart_daemon() {
        "$BIN/pouchd" --home "$SMOKE_HOME/home" --listen "unix://$SMOKE_SOCK" --debug \
                --bridge "$SMOKE_BRIDGE" --bip "$SMOKE_BIP" "$@" >> "$SMOKE_HOME/pouchd.log" 2>&1 &
        echo $! > "$SMOKE_HOME/pouchd.pidfile"
        smoke_wait_ping
}

smoke_teardown() {
        [ -n "${SMOKE_HOME:-}" ] || return 0
        local ids
        mapfile -t ids < <(docker ps -aq 2>/dev/null)
        if [ "${#ids[@]}" -gt 0 ]; then docker rm -f "${ids[@]}" > /dev/null 2>&1 || true; fi
        smoke_kill_daemon TERM
        # shims outlive pouchd by design: kill the ones this run started
        for p in "$SMOKE_HOME"/home/run/*/shim.pid; do
                if [ -f "$p" ]; then kill -9 "$(cat "$p")" 2>/dev/null || true; fi
        done
        if [ -d "$SMOKE_HOME/home/runtime/runc" ]; then
                for c in $(runc --root "$SMOKE_HOME/home/runtime/runc" list -q 2>/dev/null); do
                        runc --root "$SMOKE_HOME/home/runtime/runc" delete -f "$c" > /dev/null 2>&1 || true
                done
        fi
        findmnt -rn -o TARGET | grep "^$SMOKE_HOME/" | sort -r | while read -r m; do
                umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
        done
        rm -rf "$SMOKE_HOME"
        if [ -n "${SMOKE_BRIDGE:-}" ]; then
                ip link del "$SMOKE_BRIDGE" 2> /dev/null || true
                "$ROOT/packaging/remove-host-rules.sh" "$SMOKE_BRIDGE"
        fi
}

dump_log_on_failure() {
        if [ -n "${SMOKE_HOME:-}" ]; then tail -40 "$SMOKE_HOME/pouchd.log" >&2 || true; fi
}
