#!/bin/bash
# The prjquota backend of quota/ on real xfs and ext4 project quotas, in a throwaway VM: Debian's
# cloud kernel (downloaded with apt-get download, unpacked with dpkg-deb -x, never installed)
# booted by qemu's software emulator (-accel tcg; this host's KVM cannot run a stock kernel, and
# its own kernel has no project-quota support). The initramfs holds busybox, the needed modules,
# a static build of quota/ + tests/vm/quota-vm-test.c and tests/vm/init.sh as /init; the xfs and
# ext4 filesystems are made here and attached as two virtio disks.
#
# Usage: tests/vm/run-quota-vm.sh        (as root, from anywhere; about 30-60 s, most of it setup)
# Env:   POUCH_TEST_CACHE (default /var/cache/pouch-test; the kernel is cached in vm-kernel/),
#        TIMEOUT (qemu, default 150 s), VERBOSE=1 (print the whole console), KEEP=1 (keep work dir).
# Output: "ok - "/"FAIL - " per check, then "N passed, M failed". Exit 0 when every check passed,
# 1 otherwise; 0 with a "skipped: ..." line when qemu or the kernel package cannot be had.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
HERE=$ROOT/tests/vm
CACHE=${POUCH_TEST_CACHE:-/var/cache/pouch-test}/vm-kernel
TIMEOUT=${TIMEOUT:-150}
MODULES="quota_v2 xfs overlay virtio_pci virtio_blk"
T0=$(date +%s.%N)

skip() { echo "skipped: $*"; echo "0 passed, 0 failed"; exit 0; }
die() { echo "FAIL - $*"; echo "0 passed, 1 failed"; exit 1; }
elapsed() { echo "$(date +%s.%N) $1" | awk '{printf "%.1f", $1 - $2}'; }
export DEBIAN_FRONTEND=noninteractive

# --- host tools ---------------------------------------------------------------------------------
APT_UPDATED=
apt_install() { # apt_install PACKAGE...: only as root; one apt-get update at most
        [ "$(id -u)" = 0 ] || return 1
        apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1 && return 0
        [ -n "$APT_UPDATED" ] && return 1
        APT_UPDATED=1
        apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq --no-install-recommends "$@" >/dev/null 2>&1
}
need() { # need COMMAND PACKAGE
        PATH=$PATH:/usr/sbin:/sbin command -v "$1" >/dev/null && return 0
        echo "installing $2 (for $1)"
        apt_install "$2" && PATH=$PATH:/usr/sbin:/sbin command -v "$1" >/dev/null
}
static_busybox() { [ -x /bin/busybox ] && ldd /bin/busybox 2>&1 | grep -q "not a dynamic"; }

[ "$(id -u)" = 0 ] || skip "needs root (apt-get, disk images)"
need qemu-system-x86_64 qemu-system-x86 || skip "qemu-system-x86_64 is not available (package qemu-system-x86)"
need mkfs.xfs xfsprogs || skip "mkfs.xfs is not available (package xfsprogs)"
need mkfs.ext4 e2fsprogs || skip "mkfs.ext4 is not available (package e2fsprogs)"
need dpkg-deb dpkg || skip "dpkg-deb is not available"
need gcc gcc || skip "gcc is not available"
static_busybox || apt_install busybox-static
static_busybox || skip "a static /bin/busybox is not available (package busybox-static)"
[ -f /usr/lib/x86_64-linux-gnu/libjansson.a ] || apt_install libjansson-dev
[ -f /usr/lib/x86_64-linux-gnu/libjansson.a ] || skip "libjansson.a is not available (package libjansson-dev)"
export PATH=$PATH:/usr/sbin:/sbin

# --- the kernel: the ABI package linux-image-cloud-amd64 depends on (never hardcode 6.1.0-NN) ---
mkdir -p "$CACHE" || skip "cannot create $CACHE"
resolve_pkg() { apt-cache depends linux-image-cloud-amd64 2>/dev/null | awk '/Depends: linux-image-/{print $2; exit}'; }
PKG=$(resolve_pkg)
if [ -z "$PKG" ]; then
        apt-get update -qq >/dev/null 2>&1
        PKG=$(resolve_pkg)
fi
if [ -n "$PKG" ] && [ ! -f "$CACHE/$PKG.deb" ]; then
        echo "downloading $PKG"
        (cd "$CACHE" && apt-get download "$PKG" >/dev/null 2>&1 && mv "$PKG"_*.deb "$PKG.deb")
fi
if [ -z "$PKG" ] || [ ! -f "$CACHE/$PKG.deb" ]; then
        # offline: fall back to the newest kernel already in the cache
        # shellcheck disable=SC2012 # ls -t sorts by age; these names (Debian packages) have no newlines
        deb=$(ls -t "$CACHE"/linux-image-*.deb 2>/dev/null | head -1)
        [ -n "$deb" ] || skip "cannot resolve or download linux-image-cloud-amd64 (no apt access, nothing cached in $CACHE)"
        PKG=$(basename "$deb" .deb)
fi
KVER=${PKG#linux-image-}
KDIR=$CACHE/$KVER
if [ ! -f "$KDIR/.complete" ]; then
        rm -rf "$KDIR"
        dpkg-deb -x "$CACHE/$PKG.deb" "$KDIR" || die "cannot unpack $PKG.deb"
        # the .deb has no modules.dep and kmod may be missing: busybox builds it
        /bin/busybox depmod -b "$KDIR" "$KVER" || die "depmod failed for $KVER"
        touch "$KDIR/.complete"
fi
VMLINUZ=$KDIR/boot/vmlinuz-$KVER
MODDIR=$KDIR/lib/modules/$KVER
[ -f "$VMLINUZ" ] || die "no $VMLINUZ in $PKG"

W=$(mktemp -d /tmp/pouch-quota-vm.XXXXXX)
QPID=
cleanup() {
        [ -n "$QPID" ] && kill "$QPID" 2>/dev/null
        rm -rf "$W"
}
trap cleanup EXIT
if [ -n "${KEEP:-}" ]; then trap - EXIT; echo "keeping $W"; fi

# --- static test programs -----------------------------------------------------------------------
CFLAGS="-std=gnu11 -O2 -Wall -Wextra -Werror -Wformat=2 -Wshadow -D_GNU_SOURCE -I$ROOT -I$ROOT/lib"
# shellcheck disable=SC2086
gcc $CFLAGS -static -o "$W/quota-vm-test" "$HERE/quota-vm-test.c" "$ROOT"/quota/*.c \
        "$ROOT"/lib/err.c "$ROOT"/lib/fsutil.c "$ROOT"/lib/jsonutil.c "$ROOT"/lib/log.c "$ROOT"/lib/spawn.c \
        "$ROOT"/lib/util.c -ljansson -lpthread || die "cannot build quota-vm-test"
gcc -O2 -Wall -static -o "$W/vm-exit" "$HERE/vm-exit.c" || die "cannot build vm-exit"

# --- initramfs: busybox, modules (with dependencies, in load order), the tests, /init ------------
R=$W/root
mkdir -p "$R"/{bin,sbin,etc,proc,sys,dev,tmp,mnt} && chmod 755 "$R" # non-root users need to traverse /
cp /bin/busybox "$R/bin/busybox"
for a in $(/bin/busybox --list); do [ -e "$R/bin/$a" ] || ln -s busybox "$R/bin/$a"; done
: >"$R/etc/modules.load"
add_module() { # add_module NAME: its dependencies first; built-in or absent modules are skipped
        local line file dep
        line=$(grep -E "(^|/)$1\.ko(\.[a-z]+)?:" "$MODDIR/modules.dep") || return 0
        file=${line%%:*}
        for dep in ${line#*:}; do add_module "$(basename "$dep" | sed 's/\.ko.*//')"; done
        grep -qxF "$file" "$R/etc/modules.load" && return 0
        mkdir -p "$R/lib/modules/$KVER/$(dirname "$file")"
        cp "$MODDIR/$file" "$R/lib/modules/$KVER/$file"
        echo "$file" >>"$R/etc/modules.load"
}
for m in $MODULES; do add_module "$m"; done
cp "$W/quota-vm-test" "$R/quota-vm-test"
cp "$W/vm-exit" "$R/sbin/vm-exit"
cp "$HERE/init.sh" "$R/init" && chmod 755 "$R/init"
(cd "$R" && find . | /bin/busybox cpio -o -H newc 2>/dev/null | gzip -1) >"$W/initrd.gz" || die "cannot pack the initramfs"

# --- the two filesystems, as sparse disk images ------------------------------------------------
truncate -s 320M "$W/xfs.img" # bookworm's mkfs.xfs refuses filesystems under 300 MB
mkfs.xfs -q -f "$W/xfs.img" || die "mkfs.xfs failed"
truncate -s 128M "$W/ext4.img"
mkfs.ext4 -q -F -O quota,project -E lazy_itable_init=1,lazy_journal_init=1 "$W/ext4.img" || die "mkfs.ext4 failed"
echo "setup done in $(elapsed "$T0") s (kernel $KVER)"

# --- boot ------------------------------------------------------------------------------------------
T1=$(date +%s.%N)
timeout "$TIMEOUT" qemu-system-x86_64 -accel tcg -cpu max -m 512 -smp 1 -nographic -no-reboot -nodefaults \
        -serial stdio -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
        -kernel "$VMLINUZ" -initrd "$W/initrd.gz" -append "console=ttyS0 quiet panic=-1" \
        -drive "file=$W/xfs.img,format=raw,if=virtio,cache=unsafe" \
        -drive "file=$W/ext4.img,format=raw,if=virtio,cache=unsafe" </dev/null >"$W/console.log" 2>&1 &
QPID=$!
wait "$QPID"
QRC=$?
QPID=
echo "vm ran $(elapsed "$T1") s (qemu exit $QRC; 1 = the guest reported success, 124 = timeout)"
[ -n "${VERBOSE:-}" ] && tr -d '\r' <"$W/console.log"

# --- results from the serial console --------------------------------------------------------------
PASS=0
FAIL=0
while read -r _ name status detail; do
        if [ "$status" = PASS ]; then
                PASS=$((PASS + 1))
                echo "ok - $name $detail"
        else
                FAIL=$((FAIL + 1))
                echo "FAIL - $name $detail"
        fi
done < <(tr -d '\r' <"$W/console.log" | grep -a '^RESULT ')
for fs in xfs ext4; do
        if ! grep -aq "^RESULT $fs-skip-used-id " "$W/console.log"; then
                FAIL=$((FAIL + 1))
                echo "FAIL - $fs: the checks did not run to the end"
        fi
done
if ! grep -aq "QUOTA-VM ALL PASS" "$W/console.log" || [ "$QRC" != 1 ]; then
        [ "$FAIL" = 0 ] && FAIL=1 && echo "FAIL - the guest did not report success (qemu exit $QRC)"
        if [ -z "${VERBOSE:-}" ]; then
                echo "--- last console lines:"
                tr -d '\r' <"$W/console.log" | grep -av '^RESULT ' | tail -25
        fi
fi
echo "total $(elapsed "$T0") s"
echo "$PASS passed, $FAIL failed"
[ "$FAIL" = 0 ]
