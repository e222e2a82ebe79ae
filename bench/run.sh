#!/usr/bin/env bash
# Start latency of `pouch run --rm busybox true` against a bare `runc run` of the same rootfs
# (a `runc spec` bundle, args ["true"], no terminal, RLIMIT_NOFILE 1024), measured interleaved in
# the same run: N runs each (N=20 by default), medians and ratios printed. Also runc running the
# exact spec pouchd generates (docker's defaults: seccomp, masked paths, devices), docker and podman
# when they are installed and their daemon answers, and the idle RSS of pouchd and of one
# pouch-shim. Prints numbers; never asserts. Root only.
#   bench/run.sh            N=50 bench/run.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
N="${N:-20}"
[ "$N" -ge 1 ] || N=20
[ "$(id -u)" = 0 ] || { echo "bench needs root" >&2; exit 1; }
for b in pouchd pouch pouch-shim; do
        [ -x "bin/$b" ] || { echo "bin/$b is missing: run make first" >&2; exit 1; }
done

# shellcheck source=../tests/integration/helpers.bash
. tests/integration/helpers.bash
PT="$(mktemp -d /tmp/pouch-bench.XXXXXX)"
PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log"
export PT PHOME PSOCK PLOG POUCH_HOST="unix://$PSOCK"
PEER_TAG="pouch-bench-busybox:latest"
peers=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
        runc --root "$PT/runc" delete -f bench-runc > /dev/null 2>&1 || true
        for p in "${peers[@]}"; do
                case $p in
                docker) DOCKER_HOST=unix:///var/run/docker.sock docker rmi -f "$PEER_TAG" > /dev/null 2>&1 || true ;;
                podman) podman rmi -f "$PEER_TAG" > /dev/null 2>&1 || true ;;
                esac
        done
        pouchd_teardown_file
        # the default bridge and its host rules, when this run made them
        if [ "$made_bridge" = 1 ]; then
                ip link del pouch0 2> /dev/null || true
                drop_host_rules pouch0
        fi
}
made_bridge=0
ip link show pouch0 > /dev/null 2>&1 || made_bridge=1
trap cleanup EXIT

# pouchd without --debug: debug logging is not what we measure
(exec "$ROOT/bin/pouchd" --home "$PHOME" --listen "unix://$PSOCK" < /dev/null > "$PLOG" 2>&1 &
        echo $! > "$PT/pouchd.pid")
wait_for 30 ping_ok || { echo "pouchd did not start:" >&2; cat "$PLOG" >&2; exit 1; }
tests/images/build-busybox.sh "$PT/busybox.tar"
pouch import "$PT/busybox.tar" busybox:latest > /dev/null

# the same rootfs as a plain runc bundle
mkdir -p "$PT/bundle/rootfs"
tar -C "$PT/bundle/rootfs" -xf "$PT/busybox.tar"
(cd "$PT/bundle" && runc spec)
jq '.process.args = ["true"] | .process.terminal = false |
    .process.rlimits = [{"type": "RLIMIT_NOFILE", "hard": 1024, "soft": 1024}]' \
        "$PT/bundle/config.json" > "$PT/c.json" && mv "$PT/c.json" "$PT/bundle/config.json"

# a second baseline: runc running exactly the spec pouchd generates for this image
have_spec=0
if pouch create --name bench-spec busybox true > /dev/null && pouch start bench-spec > /dev/null; then
        sid="$(pouch inspect -f '{{.Id}}' bench-spec)"
        mkdir -p "$PT/bundle2"
        # /etc/hosts etc. are files of that container, which is removed below
        # the container's network namespace went with it: runc makes a fresh one instead
        jq --arg r "$PT/bundle/rootfs" '.root.path = $r | .linux.cgroupsPath = "/pouch-bench/spec" |
            .linux.namespaces |= map(del(.path)) |
            .mounts |= map(select(.destination | test("^/etc/(hosts|hostname|resolv.conf)$") | not))' \
                "$PHOME/containers/$sid/config.json" > "$PT/bundle2/config.json" && have_spec=1
fi
pouch rm -f bench-spec > /dev/null 2>&1

# peers: only when their daemon answers; they get the same rootfs imported under a bench tag
if command -v docker > /dev/null && [ -S /var/run/docker.sock ] &&
        DOCKER_HOST=unix:///var/run/docker.sock docker info > /dev/null 2>&1 &&
        DOCKER_HOST=unix:///var/run/docker.sock docker import "$PT/busybox.tar" "$PEER_TAG" > /dev/null 2>&1; then
        peers+=(docker)
fi
if command -v podman > /dev/null && podman info > /dev/null 2>&1 &&
        podman import "$PT/busybox.tar" "$PEER_TAG" > /dev/null 2>&1; then
        peers+=(podman)
fi

now_ns() { date +%s%N; }
# time_ms NAME CMD...: append the wall time of CMD in ms to $PT/NAME.t, or count a failure
time_ms() {
        local name="$1" t0 t1
        shift
        t0=$(now_ns)
        if "$@" > /dev/null 2>&1; then
                t1=$(now_ns)
                echo $(((t1 - t0) / 1000000)) >> "$PT/$name.t"
        else
                echo x >> "$PT/$name.fail"
        fi
}
median() { sort -n "$1" 2> /dev/null | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {if (b > 0) printf "%.2f", a / b; else print "n/a"}'; }
fails() { [ -f "$PT/$1.fail" ] && printf ' (%d failed runs)' "$(wc -l < "$PT/$1.fail")"; }

echo "bench: $N runs each, interleaved; peers: ${peers[*]:-none}"
for _ in $(seq 1 "$N"); do
        time_ms runc runc --root "$PT/runc" run -b "$PT/bundle" bench-runc
        [ "$have_spec" = 1 ] && time_ms runcspec runc --root "$PT/runc" run -b "$PT/bundle2" bench-runc
        time_ms pouch "$ROOT/bin/pouch" -H "unix://$PSOCK" run --rm busybox true
        for p in "${peers[@]}"; do
                case $p in
                docker) time_ms docker env DOCKER_HOST=unix:///var/run/docker.sock docker run --rm --network none "$PEER_TAG" true ;;
                podman) time_ms podman podman run --rm --network none --ulimit nofile=1024:1024 "$PEER_TAG" true ;;
                esac
        done
done

r="$(median "$PT/runc.t")"
p="$(median "$PT/pouch.t")"
printf 'start latency, median of %d (ms):\n' "$N"
printf '  runc run (runc spec bundle)   %6s%s\n' "${r:-n/a}" "$(fails runc)"
printf '  pouch run --rm                %6s%s   ratio pouch/runc %s\n' "${p:-n/a}" "$(fails pouch)" "$(ratio "$p" "$r")"
if [ "$have_spec" = 1 ]; then
        s="$(median "$PT/runcspec.t")"
        printf '  runc run, pouch-generated spec %5s%s   ratio pouch/that %s\n' "${s:-n/a}" "$(fails runcspec)" "$(ratio "$p" "$s")"
fi
for peer in "${peers[@]}"; do
        m="$(median "$PT/$peer.t")"
        printf '  %-29s %6s%s   ratio %s/runc %s\n' "$peer run --rm" "${m:-n/a}" "$(fails "$peer")" "$peer" "$(ratio "$m" "$r")"
done

# idle memory: pouchd after the runs, and the shim of one sleeping container
rss() { awk '/^VmRSS:/ {print $2}' "/proc/$1/status" 2> /dev/null; }
if pouch run -d --name bench-idle busybox sleep 1000 > /dev/null; then
        wait_for 10 bash -c "[ -s '$PHOME/run/'\$('$ROOT/bin/pouch' -H 'unix://$PSOCK' inspect -f '{{.Id}}' bench-idle | cut -c1-12)/shim.pid ]"
        shim="$(shim_pid bench-idle)"
        printf 'idle RSS: pouchd %s kB, one pouch-shim %s kB\n' "$(rss "$(pouchd_pid)")" "$(rss "$shim")"
        pouch rm -f bench-idle > /dev/null
else
        printf 'idle RSS: pouchd %s kB (could not start a container for the shim)\n' "$(rss "$(pouchd_pid)")"
fi
exit 0
