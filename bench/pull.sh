#!/usr/bin/env bash
# Pull + unpack of a ~205 MB four-layer Debian image from a local registry (Debian's
# docker-registry on 127.0.0.1): `pouch pull` against `skopeo copy` + `umoci unpack` of the same
# image, and `podman pull` when podman is installed; interleaved, N rounds (default 5), medians
# and ratios printed. Every round starts from nothing (image and layers removed, OCI dirs deleted).
# Prints numbers; never asserts. Root only.
#   bench/pull.sh            N=9 bench/pull.sh
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1
ROOT="$PWD"
N="${N:-5}"
[ "$(id -u)" = 0 ] || { echo "bench needs root" >&2; exit 1; }
for t in docker-registry skopeo umoci; do
        command -v "$t" > /dev/null || { echo "$t is not installed (apt-get install $t): pull bench skipped"; exit 0; }
done
# shellcheck source=../tests/integration/helpers.bash
. tests/integration/helpers.bash
# shellcheck source=../tests/integration/registry-helpers.bash
. tests/integration/registry-helpers.bash
PT="$(mktemp -d /tmp/pouch-pullbench.XXXXXX)"
PHOME="$PT/home" PSOCK="$PT/d.sock" PLOG="$PT/pouchd.log" REG_ROOT="$PT/reg"
export PT PHOME PSOCK PLOG REG_ROOT POUCH_HOST="unix://$PSOCK"
mkdir -p "$REG_ROOT"
cleanup() {
        stop_registries
        pouchd_teardown_file
}
trap cleanup EXIT

(exec "$ROOT/bin/pouchd" --home "$PHOME" --listen "unix://$PSOCK" < /dev/null > "$PLOG" 2>&1 &
        echo $! > "$PT/pouchd.pid")
wait_for 30 ping_ok || { echo "pouchd did not start" >&2; exit 1; }
start_registry reg || exit 1
REG="127.0.0.1:$(cat "$REG_ROOT/reg/port")"
IMG="$REG/bench/debian:1"
tests/images/build-debian-rich.sh "$PT/debian.tar" || exit 1
tests/images/make-multilayer-archive.sh "$PT/debian.tar" "$PT/ml.tar" bench-debian:1 || exit 1
rm -f "$PT/debian.tar"
pouch load -i "$PT/ml.tar" > /dev/null && pouch tag bench-debian:1 "$IMG" && pouch push "$IMG" > /dev/null || exit 1
pouch rmi "$IMG" bench-debian:1 > /dev/null
rm -f "$PT/ml.tar"
size="$(curl -s -H 'Accept: application/vnd.oci.image.manifest.v1+json' "http://$REG/v2/bench/debian/manifests/1" |
        jq '[.layers[].size] | add')"

now_ms() { date +%s%3N; }
median() { sort -n | awk '{a[NR] = $1} END {print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2}'; }
: > "$PT/pouch.ms"
: > "$PT/skopeo.ms"
: > "$PT/podman.ms"
have_podman=0
command -v podman > /dev/null && have_podman=1
for _ in $(seq 1 "$N"); do
        t0=$(now_ms)
        pouch pull "$IMG" > /dev/null || { echo "pouch pull failed" >&2; exit 1; }
        echo $(($(now_ms) - t0)) >> "$PT/pouch.ms"
        pouch rmi "$IMG" > /dev/null
        rm -rf "$PT/oci" "$PT/bundle"
        sync
        t0=$(now_ms)
        if ! skopeo copy -q --src-tls-verify=false "docker://$IMG" "oci:$PT/oci:1" ||
                ! umoci unpack --image "$PT/oci:1" "$PT/bundle" > /dev/null; then
                echo "skopeo/umoci failed" >&2
                exit 1
        fi
        echo $(($(now_ms) - t0)) >> "$PT/skopeo.ms"
        rm -rf "$PT/oci" "$PT/bundle"
        if [ "$have_podman" = 1 ]; then
                t0=$(now_ms)
                podman pull -q --tls-verify=false "$IMG" > /dev/null 2>&1 && echo $(($(now_ms) - t0)) >> "$PT/podman.ms"
                podman rmi -f "$IMG" > /dev/null 2>&1
        fi
        sync
done
mp="$(median < "$PT/pouch.ms")" ms="$(median < "$PT/skopeo.ms")"
echo "pull + unpack of a $((size / 1000000)) MB (compressed) 4-layer Debian image from 127.0.0.1, median of $N:"
printf '  pouch pull                   %6s ms\n' "$mp"
printf '  skopeo copy + umoci unpack   %6s ms   ratio pouch/skopeo+umoci %.2f\n' "$ms" "$(echo "$mp / $ms" | bc -l)"
if [ -s "$PT/podman.ms" ]; then
        mpod="$(median < "$PT/podman.ms")"
        printf '  podman pull                  %6s ms   ratio pouch/podman %.2f\n' "$mpod" "$(echo "$mp / $mpod" | bc -l)"
fi
