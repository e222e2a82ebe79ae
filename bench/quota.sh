#!/usr/bin/env bash
# Create + start latency of a busybox container with and without --disk-quota, for each quota
# backend that works on this host (loop here; prjquota when <home>'s filesystem has project
# quotas), measured interleaved: N rounds (N=10 by default) of `pouch create` + `pouch start`
# for: no quota, --disk-quota 20m, --disk-quota 10g. Also the time of `pouch rm -f` of each.
# Prints medians; never asserts. Root only.
#   bench/quota.sh            N=30 bench/quota.sh        POUCH_BIN=build-x/bin bench/quota.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
N="${N:-10}"
[ "$N" -ge 1 ] || N=10
BIN="${POUCH_BIN:-$ROOT/bin}"
export POUCH_BIN="$BIN"
[ "$(id -u)" = 0 ] || { echo "bench needs root" >&2; exit 1; }
for b in pouchd pouch pouch-shim; do
        [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run make first" >&2; exit 1; }
done

# shellcheck source=../tests/integration/helpers.bash
. tests/integration/helpers.bash
PT="$(mktemp -d /tmp/pouch-bench-quota.XXXXXX)"
PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log"
export PT PHOME PSOCK PLOG POUCH_HOST="unix://$PSOCK"
trap pouchd_teardown_file EXIT
tests/images/build-busybox.sh "$PT/busybox.tar" > /dev/null

now_ns() { date +%s%N; }
median() { sort -n "$1" | awk '{a[NR]=$1} END {if (NR == 0) print "-"; else if (NR % 2) print a[(NR+1)/2]; else printf "%.1f\n", (a[NR/2]+a[NR/2+1])/2}'; }

# start_pouchd BACKEND: pouchd (no --debug) on a fresh home with that backend; 1 when it refuses
start_pouchd() {
        pouchd_stop
        PHOME="$PT/home-$1"
        (exec "$BIN/pouchd" --home "$PHOME" --listen "unix://$PSOCK" --quota-backend "$1" < /dev/null > "$PLOG" 2>&1 &
                echo $! > "$PT/pouchd.pid")
        if ! wait_for 30 ping_ok 2> /dev/null; then
                echo "$1: not available here: $(grep -o 'quota backend.*' "$PLOG" | tail -1)"
                return 1
        fi
        pouch import "$PT/busybox.tar" busybox:latest > /dev/null
}

# one NAME [create flags]: create + start, then rm -f; times appended to $PT/NAME.{start,rm}
one() {
        local name="$1" t0 t1 t2
        shift
        t0=$(now_ns)
        if ! pouch create --name "b-$name" "$@" busybox sleep 1000 > /dev/null || ! pouch start "b-$name" > /dev/null; then
                echo "  $name: create/start failed" >&2
                pouch rm -f "b-$name" > /dev/null 2>&1
                return
        fi
        t1=$(now_ns)
        pouch rm -f "b-$name" > /dev/null
        t2=$(now_ns)
        echo $(((t1 - t0) / 1000000)) >> "$PT/$name.start"
        echo $(((t2 - t1) / 1000000)) >> "$PT/$name.rm"
}

echo "create + start latency, ms (median of $N, interleaved); rm -f in the last column"
for backend in loop prjquota; do
        start_pouchd "$backend" || continue
        rm -f "$PT"/*.start "$PT"/*.rm
        one warmup > /dev/null 2>&1
        for _ in $(seq "$N"); do
                one none
                one q20m --disk-quota 20m
                one q10g --disk-quota 10g
        done
        base="$(median "$PT/none.start")"
        printf '%-9s %-22s %8s %10s %8s\n' backend case "start" "vs none" "rm"
        for c in none q20m q10g; do
                case $c in none) label="no quota" ;; q20m) label="--disk-quota 20m" ;; q10g) label="--disk-quota 10g" ;; esac
                m="$(median "$PT/$c.start")"
                ratio="$(awk -v a="$m" -v b="$base" 'BEGIN {if (b > 0 && a != "-") printf "+%.0f ms", a - b; else print "-"}')"
                printf '%-9s %-22s %8s %10s %8s\n' "$backend" "$label" "$m" "$ratio" "$(median "$PT/$c.rm")"
        done
done
