#!/usr/bin/env bash
# make demo: start pouchd in a scratch home (/tmp/pouch-demo), import a busybox image built from
# the host's busybox-static, run containers through `pouch` (and `docker` when installed), then
# stop everything and clean up. Assumes the binaries are built (make). Root only.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO="${POUCH_DEMO_DIR:-/tmp/pouch-demo}"
SOCK="$DEMO/pouchd.sock"
HOME_DIR="$DEMO/home"
export POUCH_HOST="unix://$SOCK" DOCKER_HOST="unix://$SOCK"

[ "$(id -u)" = 0 ] || { echo "make demo needs root (namespaces, mounts, runc)" >&2; exit 1; }
for b in pouchd pouch pouch-shim; do
        [ -x "bin/$b" ] || { echo "bin/$b is missing: run make first" >&2; exit 1; }
done

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
# the command line as one would type it: arguments with spaces or specials in single quotes
quote() {
        local a out=""
        for a in "$@"; do
                if [[ "$a" =~ ^[A-Za-z0-9_./:=@%+,-]+$ ]]; then out+="$a "; else out+="'${a//\'/\'\\\'\'}' "; fi
        done
        printf '%s' "${out% }"
}
run() { say "$(quote "$@")"; "$@"; }

# Stop whatever runs in DEMO (a previous demo included) and remove it.
clean_demo() {
        local p pid m c
        [ -d "$DEMO" ] || return 0
        if curl -sf --max-time 5 --unix-socket "$SOCK" http://x/_ping > /dev/null 2>&1; then
                for c in $(bin/pouch ps -aq 2> /dev/null || true); do
                        bin/pouch rm -f "$c" > /dev/null 2>&1 || true
                done
        fi
        pid="$(cat "$DEMO/pouchd.pid" 2> /dev/null || true)"
        if [ -n "$pid" ] && kill "$pid" 2> /dev/null; then
                for _ in $(seq 1 100); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
                kill -9 "$pid" 2> /dev/null || true
        fi
        if [ -d "$HOME_DIR/runtime/runc" ]; then
                for c in $(runc --root "$HOME_DIR/runtime/runc" list -q 2> /dev/null); do
                        runc --root "$HOME_DIR/runtime/runc" delete -f "$c" > /dev/null 2>&1 || true
                done
        fi
        for p in "$HOME_DIR"/run/*/shim.pid; do
                [ -f "$p" ] || continue
                pid="$(cat "$p")"
                grep -qa pouch-shim "/proc/$pid/cmdline" 2> /dev/null && kill -9 "$pid" 2> /dev/null || true
        done
        { findmnt -rn -o TARGET | grep "^$DEMO/" | sort -r || true; } | while read -r m; do
                umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
        done
        if findmnt -rn -o TARGET | grep -q "^$DEMO/"; then
                echo "mounts remain under $DEMO; leaving it in place" >&2
                return 0
        fi
        rm -rf --one-file-system "$DEMO"
}

# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
        local rc=$?
        [ -f "$DEMO/pouchd.log" ] && cp "$DEMO/pouchd.log" /tmp/pouch-demo.log 2> /dev/null || true
        clean_demo
        if [ "$rc" -eq 0 ]; then
                printf '\n\033[1mdemo done\033[0m: everything stopped and removed (pouchd log kept in /tmp/pouch-demo.log)\n'
        else
                printf '\n\033[1mdemo FAILED (exit %d)\033[0m; pouchd log: /tmp/pouch-demo.log\n' "$rc" >&2
                tail -n 30 /tmp/pouch-demo.log >&2 2> /dev/null || true
        fi
}

clean_demo
mkdir -p "$DEMO"
trap finish EXIT

say "bin/pouchd --home $HOME_DIR --listen $POUCH_HOST &"
(exec bin/pouchd --home "$HOME_DIR" --listen "$POUCH_HOST" < /dev/null > "$DEMO/pouchd.log" 2>&1 &
        echo $! > "$DEMO/pouchd.pid")
ok=0
for _ in $(seq 1 200); do
        if curl -sf --unix-socket "$SOCK" http://x/_ping > /dev/null 2>&1; then ok=1; break; fi
        kill -0 "$(cat "$DEMO/pouchd.pid")" 2> /dev/null || break
        sleep 0.05
done
[ "$ok" = 1 ] || { echo "pouchd did not start" >&2; exit 1; }

run tests/images/build-busybox.sh "$DEMO/busybox.tar"
run bin/pouch import "$DEMO/busybox.tar" busybox:latest
run bin/pouch images
run bin/pouch run --rm busybox sh -c 'echo hello from pouch; uname -a; cat /proc/1/cmdline | tr "\0" " "; echo'
# shellcheck disable=SC2016 # expanded inside the container
run bin/pouch run -d --name demo-ticker busybox sh -c 'while true; do echo tick $(date +%T); sleep 1; done'
run bin/pouch ps
run bin/pouch exec demo-ticker ps
# let the ticker write a couple of lines
for _ in $(seq 1 50); do
        [ "$(bin/pouch logs demo-ticker 2> /dev/null | wc -l)" -ge 2 ] && break
        sleep 0.1
done
run bin/pouch logs --tail 2 demo-ticker
if [ -x /usr/local/bin/docker ] || command -v docker > /dev/null; then
        say "DOCKER_HOST=$DOCKER_HOST docker ps"
        docker ps
        run docker run --rm busybox echo hello from the docker CLI
fi
run bin/pouch stop -t 1 demo-ticker
run bin/pouch ps -a
run bin/pouch rm demo-ticker
say "stopping pouchd and removing $DEMO"
exit 0
