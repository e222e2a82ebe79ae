#!/bin/bash
# The prjquota backend on real xfs and ext4 project quotas, in a throwaway VM (this host's kernel
# has none): Debian's cloud kernel unpacked (never installed) and booted by qemu's software
# emulator, with the quota code, a test and the container's overlay layout in its initramfs.
# See tests/vm/run-quota-vm.sh. Installs qemu-system-x86, xfsprogs and e2fsprogs when missing and
# apt works; prints "SKIPPED: why" and succeeds when it cannot run here.
# Env: POUCH_SKIP_VM=1 skips it; TIMEOUT (qemu seconds, default 150); VERBOSE=1.
set -u
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
if [ -n "${POUCH_SKIP_VM:-}" ]; then
        echo "quota-vm: SKIPPED (POUCH_SKIP_VM is set)"
        exit 0
fi
out=$(mktemp /tmp/pouch-quota-vm-out.XXXXXX)
trap 'rm -f "$out"' EXIT
"$ROOT/tests/vm/run-quota-vm.sh" 2>&1 | tee "$out"
rc=${PIPESTATUS[0]}
if grep -q '^skipped: ' "$out"; then
        echo "quota-vm: SKIPPED ($(sed -n 's/^skipped: //p' "$out" | head -1))"
        exit 0
fi
[ "$rc" = 0 ] && echo "quota-vm: PASS" || echo "quota-vm: FAIL"
exit "$rc"
