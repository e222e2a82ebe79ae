#!/usr/bin/env bash
# Reading /proc/meminfo 1000 times inside a container with lxcfs's view (`--enable-lxcfs`, a FUSE
# round trip to lxcfs per read) and without (the kernel's procfs), as a ratio. One busybox awk
# process opens and reads the file 1000 times; the cost of `pouch exec` itself is taken out by
# timing the same command with 0 reads. Medians over R runs (R=5 by default). Prints numbers;
# never asserts. Root only.
#   bench/lxcfs.sh            R=10 bench/lxcfs.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
BIN="${POUCH_BIN:-$ROOT/bin}"
R="${R:-5}"
READS="${READS:-1000}"
[ "$(id -u)" = 0 ] || { echo "bench needs root" >&2; exit 1; }
for b in pouchd pouch pouch-shim; do
        [ -x "$BIN/$b" ] || { echo "$BIN/$b is missing: run make first" >&2; exit 1; }
done
[ -x /usr/bin/lxcfs ] || { echo "lxcfs bench skipped: lxcfs is not installed" >&2; exit 0; }

export POUCH_BIN="$BIN"
# shellcheck source=../tests/integration/helpers.bash
. tests/integration/helpers.bash
PT="$(mktemp -d /tmp/pouch-bench.XXXXXX)"
PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log"
export PT PHOME PSOCK PLOG POUCH_HOST="unix://$PSOCK"
trap pouchd_teardown_file EXIT

# pouchd without --debug: debug logging is not what we measure
(exec "$BIN/pouchd" --home "$PHOME" --listen "unix://$PSOCK" < /dev/null > "$PLOG" 2>&1 &
        echo $! > "$PT/pouchd.pid")
wait_for 30 ping_ok || { echo "pouchd did not start:" >&2; cat "$PLOG" >&2; exit 1; }
tests/images/build-busybox.sh "$PT/busybox.tar" > /dev/null
pouch import "$PT/busybox.tar" busybox:latest > /dev/null

pouch run -d --name with-lxcfs --net none --enable-lxcfs -m 256m busybox sleep 100000 > /dev/null || exit 1
pouch run -d --name without-lxcfs --net none -m 256m busybox sleep 100000 > /dev/null || exit 1
if [ "$(pouch exec with-lxcfs awk '/^MemTotal:/ {print $2}' /proc/meminfo)" != 262144 ]; then
        echo "lxcfs bench: the lxcfs view is not in place; pouchd log:" >&2
        tail -n 20 "$PLOG" >&2
        exit 1
fi

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR] = $1} END {if (NR) print (NR % 2 ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2)}'; }
# reads CONTAINER N: ns for one `pouch exec` whose awk reads /proc/meminfo N times
reads() {
        local t0 t1
        t0="$(now_ns)"
        pouch exec "$1" awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) { while ((getline l < "/proc/meminfo") > 0) ; close("/proc/meminfo") } }' || return 1
        t1="$(now_ns)"
        echo $((t1 - t0))
}
# cost CONTAINER: median over R runs of (N reads - 0 reads), in ns
cost() {
        local a b
        for _ in $(seq "$R"); do
                a="$(reads "$1" "$READS")" || continue
                b="$(reads "$1" 0)" || continue
                echo $((a > b ? a - b : 0))
        done | median
}

reads with-lxcfs 10 > /dev/null
reads without-lxcfs 10 > /dev/null
with="$(cost with-lxcfs)"
without="$(cost without-lxcfs)"
awk -v w="$with" -v o="$without" -v n="$READS" 'BEGIN {
        printf "lxcfs bench: %d reads of /proc/meminfo in a container (median of the runs)\n", n
        printf "  with lxcfs     %8.2f ms  (%6.1f us per read)\n", w / 1e6, w / n / 1e3
        printf "  without lxcfs  %8.2f ms  (%6.1f us per read)\n", o / 1e6, o / n / 1e3
        if (o > 0) printf "  ratio with/without: %.2f\n", w / o; else print "  ratio with/without: n/a"
}'
pouch rm -f with-lxcfs without-lxcfs > /dev/null
