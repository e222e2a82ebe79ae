#!/bin/sh
# Build a busybox rootfs tarball from the host's busybox-static: OUT.tar (cached).
set -eu
out="$1"
cache="${POUCH_TEST_CACHE:-/var/cache/pouch-test}"
key="busybox-$(sha256sum /bin/busybox | cut -c1-16).tar"
if [ -f "$cache/$key" ]; then
        cp "$cache/$key" "$out"
        exit 0
fi
dir="$(mktemp -d /tmp/pouch-bb.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/proc" "$dir/sys" "$dir/dev"
chmod 1777 "$dir/tmp"
cp /bin/busybox "$dir/bin/busybox"
for a in $(/bin/busybox --list); do
        [ "$a" = busybox ] || ln -sf busybox "$dir/bin/$a"
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/:/bin/false\n' > "$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
tar --numeric-owner -C "$dir" -cf "$out" .
mkdir -p "$cache" 2>/dev/null && cp "$out" "$cache/$key" 2>/dev/null || true
