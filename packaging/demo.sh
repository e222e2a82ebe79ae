#!/usr/bin/env bash
# make demo: start pouchd in a scratch home (/tmp/pouch-demo), import a busybox image built from
# the host's busybox-static, run containers through `pouch` (and `docker` when installed); then a
# rich container: the Debian image built locally (tests/images/build-debian-rich.sh, mmdebstrap,
# cached), pouch-init running sshd, cron and a service, an SSH login with a generated key, the
# service list and `free` (lxcfs's view when it is on); skipped, saying so, when the image cannot be
# built. Then stop everything and clean up. Assumes the binaries are built (make). Root only.
set -euo pipefail
cd "$(dirname "$0")/.."
DEMO="${POUCH_DEMO_DIR:-/tmp/pouch-demo}"
SOCK="$DEMO/pouchd.sock"
HOME_DIR="$DEMO/home"
export POUCH_HOST="unix://$SOCK" DOCKER_HOST="unix://$SOCK"
# the binaries (POUCH_BIN=build-x/bin for another build directory)
BIN="${POUCH_BIN:-bin}"

[ "$(id -u)" = 0 ] || { echo "make demo needs root (namespaces, mounts, runc)" >&2; exit 1; }
for b in pouchd pouch pouch-shim; do
        [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run make first" >&2; exit 1; }
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
                for c in $("$BIN/pouch" ps -aq 2> /dev/null || true); do
                        "$BIN/pouch" rm -f "$c" > /dev/null 2>&1 || true
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
                if grep -qa pouch-shim "/proc/$pid/cmdline" 2> /dev/null; then kill -9 "$pid" 2> /dev/null || true; fi
        done
        { findmnt -rn -o TARGET | grep "^$DEMO/" | sort -r || true; } | while read -r m; do
                umount "$m" 2> /dev/null || umount -l "$m" 2> /dev/null || true
        done
        if findmnt -rn -o TARGET | grep -q "^$DEMO/"; then
                echo "mounts remain under $DEMO; leaving it in place" >&2
                return 0
        fi
        if [ -f "$DEMO/.made-bridge" ]; then
                ip link del pouch0 2> /dev/null || true
                # and the default network's forwarding and masquerading rules
                packaging/remove-host-rules.sh pouch0
        fi
        rm -rf --one-file-system "$DEMO"
}

# shellcheck disable=SC2317 # called by the EXIT trap
finish() {
        local rc=$?
        if [ -f "$DEMO/pouchd.log" ]; then cp "$DEMO/pouchd.log" /tmp/pouch-demo.log 2> /dev/null || true; fi
        clean_demo
        if [ "$rc" -eq 0 ]; then
                printf '\n\033[1mdemo done\033[0m: everything stopped and removed (pouchd log kept in /tmp/pouch-demo.log)\n'
        else
                printf '\n\033[1mdemo FAILED (exit %d)\033[0m; pouchd log: /tmp/pouch-demo.log\n' "$rc" >&2
                tail -n 30 /tmp/pouch-demo.log >&2 2> /dev/null || true
        fi
}

# A free TCP port on the host for -p, or nothing.
free_port() {
        local p
        for p in 2222 $(shuf -i 20000-40000 -n 20); do
                ss -Hltn "sport = :$p" 2> /dev/null | grep -q . || { echo "$p"; return 0; }
        done
}

# A rich container: the Debian image built here (mmdebstrap, cached), pouch-init as PID 1 running
# sshd, cron and a service of /etc/pouch/services.d, an SSH login with a generated key.
rich_demo() {
        local c port pid ok t0 svc_dir="$DEMO/rich/services.d"
        printf '\n\033[1m-- rich containers: a VM-like Debian container with pouch-init as PID 1 --\033[0m\n'
        for c in ssh ssh-keygen nsenter jq; do
                command -v "$c" > /dev/null || { echo "$c is missing: the rich-container part is skipped"; return 0; }
        done
        say "tests/images/build-debian-rich.sh $DEMO/debian-rich.tar    # Debian bookworm + sshd + cron (mmdebstrap, cached)"
        if ! tests/images/build-debian-rich.sh "$DEMO/debian-rich.tar" > "$DEMO/build-debian.log" 2>&1; then
                printf '\033[1mthe Debian rich image could not be built\033[0m (it needs mmdebstrap and access to\n'
                printf "Debian's archive); the rich-container part is skipped. The build said:\n"
                tail -n 5 "$DEMO/build-debian.log" | sed 's/^/    /'
                return 0
        fi
        run "$BIN/pouch" import "$DEMO/debian-rich.tar" debian-rich:latest
        rm -f "$DEMO/debian-rich.tar"

        mkdir -p "$DEMO/rich/ssh" "$svc_dir"
        run ssh-keygen -q -t ed25519 -N '' -C pouch-demo -f "$DEMO/rich/ssh/key"
        install -m 0600 "$DEMO/rich/ssh/key.pub" "$DEMO/rich/ssh/authorized_keys"
        printf '%s\n' '#!/bin/sh' '# runs at every start, before the services' 'mkdir -p /srv/www' \
                'echo "hello from a service of a rich container" > /srv/www/index.html' \
                'echo "initscript: /srv/www ready"' > "$DEMO/rich/init.sh"
        chmod 0755 "$DEMO/rich/init.sh"
        printf '%s\n' '[Unit]' 'Description=a small web server' '[Service]' \
                'ExecStart=/bin/busybox httpd -f -p 8080 -h /srv/www' 'Restart=always' > "$svc_dir/web.service"
        run cat "$DEMO/rich/init.sh" "$svc_dir/web.service"
        port="$(free_port)"
        run "$BIN/pouch" run -d --name demo-rich --rich --initscript /etc/pouch/init.sh -m 512m \
                -e 'GREETING=hello "world" a=b' ${port:+-p "127.0.0.1:$port:22"} \
                -v "$DEMO/rich/ssh/authorized_keys:/root/.ssh/authorized_keys:ro" \
                -v "$DEMO/rich/init.sh:/etc/pouch/init.sh:ro" -v "$svc_dir:/etc/pouch/services.d:ro" debian-rich
        pid="$("$BIN/pouch" inspect -f '{{.State.Pid}}' demo-rich)"
        # pouch-init makes the image's missing SSH host keys at the first start
        ok=0
        for _ in $(seq 1 300); do
                if nsenter -t "$pid" -n bash -c ': <> /dev/tcp/127.0.0.1/22' 2> /dev/null; then ok=1; break; fi
                sleep 0.1
        done
        [ "$ok" = 1 ] || { echo "sshd did not come up in the rich container" >&2; return 1; }
        local ssh_opts=(-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o BatchMode=yes
                -o IdentitiesOnly=yes -o ConnectTimeout=5 -o LogLevel=ERROR -i "$DEMO/rich/ssh/key")
        # shellcheck disable=SC2016 # expanded in the container
        local remote='echo "logged in as $(id -un) on $(hostname); PID 1 is $(cat /proc/1/comm)"; echo "GREETING=$GREETING"; ps -eo pid,ppid,args --forest'
        if [ -n "$port" ] && timeout 10 ssh "${ssh_opts[@]}" -p "$port" root@127.0.0.1 true 2> /dev/null; then
                run timeout 30 ssh "${ssh_opts[@]}" -p "$port" root@127.0.0.1 "$remote"
        else
                echo "(the published port does not answer: SSH through the container's network namespace)"
                run timeout 30 nsenter -t "$pid" -n ssh "${ssh_opts[@]}" root@127.0.0.1 "$remote"
        fi
        echo "(the image's own enabled units run; the ones a container has no use for are listed as skipped)"
        say "$BIN/pouch services demo-rich | grep -v skipped"
        "$BIN/pouch" services demo-rich | grep -v skipped
        run "$BIN/pouch" ps --filter name=demo-rich
        run "$BIN/pouch" exec demo-rich systemctl status cron
        run "$BIN/pouch" exec demo-rich busybox wget -qO- http://127.0.0.1:8080/
        run "$BIN/pouch" exec demo-rich logger hello from logger
        run "$BIN/pouch" logs --tail 3 demo-rich
        echo "(free shows the container's 512 MB limit when lxcfs serves its /proc view, the host's memory otherwise)"
        run "$BIN/pouch" exec demo-rich free -m
        t0=$(date +%s%N)
        run "$BIN/pouch" stop demo-rich
        echo "(stopped in $((($(date +%s%N) - t0) / 1000000)) ms: the services got SIGTERM, in reverse order)"
        run "$BIN/pouch" rm demo-rich
}

clean_demo
mkdir -p "$DEMO"
# the default bridge pouchd makes, removed at the end unless it was there before the demo
ip link show pouch0 > /dev/null 2>&1 || touch "$DEMO/.made-bridge"
trap finish EXIT

say "$BIN/pouchd --home $HOME_DIR --listen $POUCH_HOST &"
(exec "$BIN/pouchd" --home "$HOME_DIR" --listen "$POUCH_HOST" < /dev/null > "$DEMO/pouchd.log" 2>&1 &
        echo $! > "$DEMO/pouchd.pid")
ok=0
for _ in $(seq 1 200); do
        if curl -sf --unix-socket "$SOCK" http://x/_ping > /dev/null 2>&1; then ok=1; break; fi
        kill -0 "$(cat "$DEMO/pouchd.pid")" 2> /dev/null || break
        sleep 0.05
done
[ "$ok" = 1 ] || { echo "pouchd did not start" >&2; exit 1; }

run tests/images/build-busybox.sh "$DEMO/busybox.tar"
run "$BIN/pouch" import "$DEMO/busybox.tar" busybox:latest
run "$BIN/pouch" images
run "$BIN/pouch" run --rm busybox sh -c 'echo hello from pouch; uname -a; cat /proc/1/cmdline | tr "\0" " "; echo'
# shellcheck disable=SC2016 # expanded inside the container
run "$BIN/pouch" run -d --name demo-ticker busybox sh -c 'while true; do echo tick $(date +%T); sleep 1; done'
run "$BIN/pouch" ps
run "$BIN/pouch" exec demo-ticker ps
# let the ticker write a couple of lines
for _ in $(seq 1 50); do
        [ "$("$BIN/pouch" logs demo-ticker 2> /dev/null | wc -l)" -ge 2 ] && break
        sleep 0.1
done
run "$BIN/pouch" logs --tail 2 demo-ticker
if [ -x /usr/local/bin/docker ] || command -v docker > /dev/null; then
        say "DOCKER_HOST=$DOCKER_HOST docker ps"
        docker ps
        run docker run --rm busybox echo hello from the docker CLI
fi
run "$BIN/pouch" stop -t 1 demo-ticker
run "$BIN/pouch" ps -a
run "$BIN/pouch" rm demo-ticker
rich_demo
say "stopping pouchd and removing $DEMO"
exit 0
