#!/bin/bash
# Disk-quota smoke test of the loop backend on this host: limits, df, ENOSPC, separate limits,
# restart (attach from a new process), refused resize, release without leaking loop devices.
# Needs root, mkfs.ext4 and loop devices; builds tests/integration/helpers/quota-driver.c against
# build/libfeatures.a (run `make` first).
# Usage: tests/integration/quota-smoke.sh   (KEEP=1 keeps the temp dir)
set -u

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=smoke-tap.bash
. "$ROOT/tests/integration/smoke-tap.bash"
# shellcheck disable=SC2317 # run by check
not() { ! "$@"; }
# shellcheck disable=SC2317 # run by check
between() { [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]; } # between VALUE LOW HIGH
finish() {
        echo "$PASS passed, $FAIL failed"
        [ "$FAIL" = 0 ]
        exit $?
}

MKFS=$(PATH=$PATH:/usr/sbin:/sbin command -v mkfs.ext4 || true)
if [ "$(id -u)" != 0 ] || [ -z "$MKFS" ] || [ ! -e /dev/loop-control ] || ! command -v losetup >/dev/null; then
        echo "skipped: needs root, mkfs.ext4, losetup and /dev/loop-control"
        echo "0 passed, 0 failed"
        exit 0
fi
B=${POUCH_BUILD:-build} # the build directory holding the libraries
for a in $B/libfeatures.a $B/libruntime.a $B/libpouch.a; do
        if [ ! -f "$ROOT/$a" ]; then
                echo "FAIL - $ROOT/$a missing: run make first"
                echo "0 passed, 1 failed"
                exit 1
        fi
done

T=$(mktemp -d /tmp/pouch-quota-smoke.XXXXXX)
BG=()
# shellcheck disable=SC2317 # called by the EXIT trap
cleanup() {
        for p in "${BG[@]}"; do kill "$p" 2>/dev/null; done
        # unmount whatever is still mounted below $T, innermost first
        awk -v t="$T" '$5 ~ "^"t {print $5}' /proc/self/mountinfo | sort -r | while read -r mp; do
                umount "$mp" 2>/dev/null || umount -l "$mp"
        done
        losetup -a 2>/dev/null | awk -F: -v t="$T" 'index($0, t) {print $1}' | while read -r dev; do
                losetup -d "$dev" 2>/dev/null
        done
        rm -rf "$T"
}
trap cleanup EXIT
if [ -n "${KEEP:-}" ]; then trap - EXIT; echo "keeping $T"; fi

DRV=$T/quota-driver
# shellcheck disable=SC2046
if ! cc -std=gnu11 -Wall -Wextra -Werror -D_GNU_SOURCE -I"$ROOT" -I"$ROOT/lib" -o "$DRV" \
        "$ROOT/tests/integration/helpers/quota-driver.c" \
        "$ROOT/$B/libfeatures.a" "$ROOT/$B/libruntime.a" "$ROOT/$B/libpouch.a" \
        $(pkg-config --libs jansson libcrypto libseccomp libcap mount) -lpthread; then
        echo "FAIL - cannot build the quota driver"
        echo "0 passed, 1 failed"
        exit 1
fi

S=$T/state
D() { "$DRV" "$S" "$T" loop "$@"; }
loops_of_t() { losetup -a 2>/dev/null | grep -F "$T" || true; }
# shellcheck disable=SC2317 # run by check
is_mount() { mountpoint -q "$1"; }
mounts_at() { awk -v d="$1" '$5 == d' /proc/self/mountinfo | wc -l; }
size_of() { stat -c %s "$1" 2>/dev/null || echo 0; }
MB=$((1024 * 1024))

LOOPS_BEFORE=$(losetup -a 2>/dev/null | sort)
check "no loop device refers to the test dir before" [ -z "$(loops_of_t)" ]

# --- backend choice ---------------------------------------------------------------------------
out=$(D backend 2>&1)
check "forced loop backend opens (got: $out)" [ "$out" = loop ]
auto=$("$DRV" "$S" "$T" auto backend 2>&1 | head -1)
check "detection picks a working backend, not none (got: $auto)" [ "$auto" = loop -o "$auto" = prjquota ]

# --- a 20m limit ------------------------------------------------------------------------------
out=$(D set c1 "$T/c1" 20m 2>&1)
rc=$?
check "set 20m on c1 (rc=$rc: $out)" [ $rc = 0 ]
check "c1 is a mount point" is_mount "$T/c1"
check "the image is $S/c1.img of 20 MiB" [ "$(size_of "$S/c1.img")" = $((20 * MB)) ]
alloc=$(du -k "$S/c1.img" | cut -f1)
check "the image is sparse (${alloc}K allocated)" [ "$alloc" -lt 8192 ]
check "no lost+found in the fresh filesystem" [ ! -e "$T/c1/lost+found" ]
df_size=$(df -B1 --output=size "$T/c1" | tail -1 | tr -d ' ')
check "df on c1 shows about 20 MB ($df_size bytes)" between "$df_size" $((16 * MB)) $((20 * MB))

dd_out=$(dd if=/dev/zero of="$T/c1/big" bs=1M count=40 2>&1)
rc=$?
check "dd of 40 MB into c1 fails (rc=$rc)" [ $rc != 0 ]
check "dd reports ENOSPC/EDQUOT ($(echo "$dd_out" | head -1))" \
        grep -qE "No space left on device|Disk quota exceeded" <<<"$dd_out"
big=$(size_of "$T/c1/big")
check "the write stopped at the limit ($big bytes)" between "$big" $((14 * MB)) $((20 * MB))
usage=$(D usage c1 "$T/c1" 2>&1)
read -r _ used _ limit <<<"$usage"
check "usage reports limit 20 MiB and the bytes written ($usage)" \
        [ "${limit:-0}" = $((20 * MB)) -a "${used:-0}" -ge "$big" ]
rm -f "$T/c1/big"

# --- two dirs, separate limits -----------------------------------------------------------------
out=$(D set c2 "$T/c2" 10m 2>&1)
check "set 10m on c2 ($out)" [ $? = 0 ]
dd if=/dev/zero of="$T/c2/big" bs=1M count=15 >/dev/null 2>&1
rc=$?
c2big=$(size_of "$T/c2/big")
check "c2 stops at its own 10m limit (rc=$rc, $c2big bytes)" [ $rc != 0 -a "$c2big" -le $((10 * MB)) ]
dd if=/dev/zero of="$T/c1/big" bs=1M count=15 >/dev/null 2>&1
check "c1 still takes 15 MB while c2 is full" [ $? = 0 ]
rm -f "$T/c1/big" "$T/c2/big"
check "c1 and c2 use different devices" [ "$(stat -c %d "$T/c1")" != "$(stat -c %d "$T/c2")" ]

# --- refusals ----------------------------------------------------------------------------------
out=$(D resize c1 "$T/c1" 30m 2>&1)
rc=$?
check "resize is refused (rc=$rc)" [ $rc = 1 ]
check "resize says why ($out)" grep -q "the loop quota backend cannot resize a quota; recreate the container" <<<"$out"
mkdir -p "$T/full" && touch "$T/full/file"
out=$(D set c3 "$T/full" 10m 2>&1)
check "a non-empty dir is refused ($out)" grep -q "is not empty" <<<"$out"
check "the refused set leaves no image" [ ! -e "$S/c3.img" ]
out=$(D set "../evil" "$T/x" 10m 2>&1)
check "a key with a slash is refused ($out)" grep -q "invalid quota key" <<<"$out"
out=$(D set small "$T/small" 512k 2>&1)
check "a limit under 1m is refused ($out)" grep -q "at least 1m" <<<"$out"
out=$(D set c1 "$T/c1" 20m 2>&1)
rc=$?
check "setting the same limit again is a no-op (rc $rc)" [ $rc = 0 -a "$(mounts_at "$T/c1")" = 1 ]
out=$(D set c1 "$T/c1" 40m 2>&1)
check "another size on a set dir is refused ($out)" grep -q "already has a disk quota" <<<"$out"

# --- restart: a new driver process re-attaches -------------------------------------------------
echo hello >"$T/c1/marker"
umount "$T/c1"
check "c1 unmounted (as after a reboot)" not is_mount "$T/c1"
out=$(D attach c1 "$T/c1" 2>&1)
check "attach after restart succeeds ($out)" [ $? = 0 ]
check "c1 is mounted again with its data" grep -q hello "$T/c1/marker"
D attach c1 "$T/c1" >/dev/null 2>&1
check "attach on a mounted dir does not mount twice" [ "$(mounts_at "$T/c1")" = 1 ]
umount "$T/c1"
out=$(D set c1 "$T/c1" 40m 2>&1)
check "set with another size over an unmounted image is refused ($out)" grep -q "already exists with another size" <<<"$out"
out=$(D set c1 "$T/c1" 20m 2>&1)
check "set repeated after a restart succeeds ($out)" [ $? = 0 ]
check "... and mounts the old image, data kept" grep -q hello "$T/c1/marker"
out=$(D attach unknown "$T/unknown" 2>&1)
check "attach of an unknown key succeeds ($out)" [ $? = 0 ]
check "attach of an unknown key mounts nothing" not is_mount "$T/unknown"

# --- release -----------------------------------------------------------------------------------
(cd "$T/c1" && exec sleep 60) &
BG+=($!)
sleep 0.2
out=$(D release c1 "$T/c1" 2>&1)
check "release of a busy dir succeeds ($out)" [ $? = 0 ]
check "c1 is no longer a mount point" not is_mount "$T/c1"
check "c1.img is deleted" [ ! -e "$S/c1.img" ]
kill "${BG[0]}" 2>/dev/null
wait "${BG[0]}" 2>/dev/null
out=$(D release c2 "$T/c2" 2>&1)
check "release c2 ($out)" [ $? = 0 ]
check "c2 is no longer a mount point" not is_mount "$T/c2"
check "c2.img is deleted" [ ! -e "$S/c2.img" ]
out=$(D release c2 "$T/c2" 2>&1)
check "release is idempotent ($out)" [ $? = 0 ]
for _ in $(seq 50); do [ -z "$(loops_of_t)" ] && break; sleep 0.1; done
check "no loop device is left behind ($(loops_of_t | tr '\n' ' '))" [ -z "$(loops_of_t)" ]
LOOPS_AFTER=$(losetup -a 2>/dev/null | sort)
new=$(comm -13 <(echo "$LOOPS_BEFORE") <(echo "$LOOPS_AFTER") | grep -F "$S" || true)
check "losetup -a: no new device backed by our images" [ -z "$new" ]

finish
