#!/usr/bin/env bash
# make demo: start pouchd in a scratch home, import a busybox image built from the host, run containers.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO=/tmp/pouch-demo
say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }
run() { say "$*"; "$@"; }

if [ -f "$DEMO/pouchd.pid" ]; then kill "$(cat "$DEMO/pouchd.pid")" 2>/dev/null || true; sleep 0.5; fi
mkdir -p "$DEMO"
export POUCH_HOST="unix://$DEMO/pouchd.sock"
export DOCKER_HOST="$POUCH_HOST"
POUCH=bin/pouch
cleanup() {
        $POUCH rm -f demo-web > /dev/null 2>&1 || true
        [ -f "$DEMO/pouchd.pid" ] && kill "$(cat "$DEMO/pouchd.pid")" 2>/dev/null || true
}
trap cleanup EXIT

say "bin/pouchd --home $DEMO/home --listen $POUCH_HOST &"
bin/pouchd --home "$DEMO/home" --listen "$POUCH_HOST" > "$DEMO/pouchd.log" 2>&1 &
echo $! > "$DEMO/pouchd.pid"
for _ in $(seq 1 50); do curl -sf --unix-socket "$DEMO/pouchd.sock" http://x/_ping > /dev/null && break; sleep 0.1; done

tests/images/build-busybox.sh "$DEMO/busybox.tar"
run $POUCH import "$DEMO/busybox.tar" busybox:latest
run $POUCH images
run $POUCH run --rm busybox sh -c 'echo hello from pouch; hostname; cat /proc/1/cmdline | tr "\0" " "; echo'
run $POUCH run -d --name demo-web busybox sh -c 'while true; do echo tick; sleep 1; done'
run $POUCH ps
run $POUCH exec demo-web ps
sleep 1
run $POUCH logs --tail 2 demo-web
if command -v docker > /dev/null; then
        run docker ps
fi
run $POUCH rm -f demo-web
say "pouchd log: $DEMO/pouchd.log"
