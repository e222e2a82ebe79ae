#!/bin/sh
# Install the Debian packages pouch needs to build and test, when any is missing (root only).
set -eu
PKGS="build-essential pkg-config libjansson-dev libmicrohttpd-dev libarchive-dev libcurl4-openssl-dev
libssl-dev libseccomp-dev libcap-dev libmount-dev libsystemd-dev libzstd-dev libcmocka-dev bats runc
busybox-static jq iproute2 procps util-linux curl docker-registry apache2-utils libgnutls28-dev bc python3 python3-docker openssl
containernetworking-plugins iptables lxcfs fuse3 dumb-init mmdebstrap openssh-client
e2fsprogs xfsprogs qemu-system-x86 shellcheck clang-format clang libclang-rt-14-dev"
missing=""
for p in $PKGS; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
        echo "missing packages:$missing (run as root to install them)" >&2
        exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing
