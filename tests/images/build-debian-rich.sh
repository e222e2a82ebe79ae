#!/bin/sh
# Build the Debian rootfs tarball used by the rich-container tests and `make demo`:
#   build-debian-rich.sh OUT.tar [EXTRA,PACKAGES]
# Debian bookworm (mmdebstrap, variant apt) with openssh-server, cron, procps, iproute2, systemd,
# systemd-sysv, dbus and busybox, plus the comma-separated extra packages (installed the usual way:
# their maintainer scripts run, so their postinst enables their units). The SSH host keys are removed so the container's init has to make
# them, as it must for any image. Cached under ${POUCH_TEST_CACHE:-/var/cache/pouch-test}, keyed by
# the package list and this script's layout version, so reruns are instant.
set -eu
[ $# -eq 1 ] || [ $# -eq 2 ] || { echo "usage: $0 OUT.tar [EXTRA,PACKAGES]" >&2; exit 2; }
out="$1"
pkgs="openssh-server,cron,procps,iproute2,systemd,systemd-sysv,dbus,busybox${2:+,$2}"
cache="${POUCH_TEST_CACHE:-/var/cache/pouch-test}"
key="debian-rich-v2-$(printf '%s' "$pkgs" | sha256sum | cut -c1-16).tar"
if [ -s "$cache/$key" ]; then
        cp "$cache/$key" "$out"
        exit 0
fi
command -v mmdebstrap > /dev/null || { echo "mmdebstrap is missing: apt-get install mmdebstrap" >&2; exit 1; }
tmp="$(mktemp -d /tmp/pouch-deb.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
mmdebstrap --quiet --variant=apt --include="$pkgs" \
        --customize-hook='rm -f "$1"/etc/ssh/ssh_host_*' \
        --customize-hook='rm -f "$1"/etc/machine-id' \
        --skip=output/dev \
        bookworm "$tmp/rootfs.tar"
cp "$tmp/rootfs.tar" "$out"
if mkdir -p "$cache" 2> /dev/null && cp "$tmp/rootfs.tar" "$cache/.$key.$$" 2> /dev/null; then
        mv "$cache/.$key.$$" "$cache/$key"
fi
