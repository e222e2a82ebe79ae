#!/usr/bin/env bash
# Start latency of `pouch run --rm busybox true` against bare `runc run` of the same rootfs, measured
# interleaved in the same run (median of N each, printed as a ratio); docker/podman too when their
# daemons answer. Also the idle RSS of pouchd and of one pouch-shim. Prints; never asserts.
set -euo pipefail
cd "$(dirname "$0")/.."
N="${N:-20}"
W="$(mktemp -d /tmp/pouch-bench.XXXXXX)"
SOCK="$W/d.sock"
export POUCH_HOST="unix://$SOCK" DOCKER_HOST="unix://$SOCK"
cleanup() {
        bin/pouch rm -f bench-idle > /dev/null 2>&1 || true
        [ -f "$W/pid" ] && kill "$(cat "$W/pid")" 2>/dev/null || true
        sleep 0.3
        findmnt -rn -o TARGET | grep "^$W/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
        runc --root "$W/runc" delete -f bench-runc > /dev/null 2>&1 || true
        rm -rf "$W"
}
trap cleanup EXIT

bin/pouchd --home "$W/home" --listen "unix://$SOCK" > "$W/pouchd.log" 2>&1 &
echo $! > "$W/pid"
for _ in $(seq 1 100); do curl -sf --unix-socket "$SOCK" http://x/_ping > /dev/null && break; sleep 0.05; done
tests/images/build-busybox.sh "$W/busybox.tar"
bin/pouch import "$W/busybox.tar" busybox:latest > /dev/null

# the same rootfs as a plain runc bundle
mkdir -p "$W/bundle/rootfs"
tar -C "$W/bundle/rootfs" -xf "$W/busybox.tar"
( cd "$W/bundle" && runc spec )
jq '.process.args=["true"] | .process.terminal=false |
    .process.rlimits=[{"type":"RLIMIT_NOFILE","hard":1024,"soft":1024}]' "$W/bundle/config.json" > "$W/c.json"
mv "$W/c.json" "$W/bundle/config.json"

now_ms() { date +%s%N | cut -c1-13; }
time_ms() { local t0 t1; t0=$(now_ms); "$@" > /dev/null 2>&1; t1=$(now_ms); echo $((t1 - t0)); }
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }

peers=()
command -v docker > /dev/null && [ -S /var/run/docker.sock ] && DOCKER_HOST=unix:///var/run/docker.sock docker info > /dev/null 2>&1 && peers+=(docker)
command -v podman > /dev/null && peers+=(podman)

# a second baseline: runc running exactly the spec pouch generates for the same image
bin/pouch create --name bench-spec busybox true > /dev/null
bin/pouch start bench-spec > /dev/null
sid="$(bin/pouch inspect -f '{{.Id}}' bench-spec)"
mkdir -p "$W/bundle2"
jq --arg r "$W/bundle/rootfs" '.root.path=$r | .linux.cgroupsPath="/pouch-bench/spec" |
    .mounts |= map(select(.destination | test("^/etc/(hosts|hostname|resolv.conf)$") | not))' \
        "$W/home/containers/$sid/config.json" > "$W/bundle2/config.json"
bin/pouch rm -f bench-spec > /dev/null

: > "$W/pouch.t"; : > "$W/runc.t"; : > "$W/runcspec.t"; : > "$W/docker.t"; : > "$W/podman.t"
for i in $(seq 1 "$N"); do
        time_ms runc --root "$W/runc" run -b "$W/bundle" bench-runc >> "$W/runc.t"
        time_ms runc --root "$W/runc" run -b "$W/bundle2" bench-runc >> "$W/runcspec.t"
        time_ms bin/pouch run --rm busybox true >> "$W/pouch.t"
        for p in "${peers[@]}"; do
                case $p in
                docker) time_ms env DOCKER_HOST=unix:///var/run/docker.sock docker run --rm --network none busybox true >> "$W/docker.t" ;;
                podman) time_ms podman run --rm --network none --ulimit nofile=1024:1024 busybox true >> "$W/podman.t" ;;
                esac
        done
done
r=$(median < "$W/runc.t"); p=$(median < "$W/pouch.t"); s=$(median < "$W/runcspec.t")
printf 'start latency, median of %d (ms): runc run %s, pouch run --rm %s, ratio pouch/runc %.2f\n' "$N" "$r" "$p" \
        "$(echo "$p / $r" | bc -l)"
printf '  runc run with the spec pouch generates (docker defaults: seccomp, masked paths, devices): %s ms, ratio pouch/that %.2f\n' \
        "$s" "$(echo "$p / $s" | bc -l)"
for peer in "${peers[@]}"; do
        m=$(median < "$W/$peer.t")
        [ -n "$m" ] && printf '  %s run --rm: %s ms, ratio %s/runc %.2f\n' "$peer" "$m" "$peer" "$(echo "$m / $r" | bc -l)"
done

bin/pouch run -d --name bench-idle busybox sleep 1000 > /dev/null
sleep 0.5
id="$(bin/pouch inspect -f '{{.Id}}' bench-idle)"
shim="$(cat "$W/home/run/${id:0:12}/shim.pid")"
printf 'idle RSS: pouchd %s kB, pouch-shim %s kB\n' \
        "$(awk '/VmRSS/{print $2}' /proc/"$(cat "$W/pid")"/status)" "$(awk '/VmRSS/{print $2}' /proc/"$shim"/status)"
