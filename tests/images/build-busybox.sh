#!/bin/sh
# Build a busybox rootfs tarball from the host's busybox-static: build-busybox.sh OUT.tar
# /bin/busybox plus one /bin link per applet, /etc/passwd (root, nobody), /etc/group, /tmp 1777.
# The tarball is reproducible (sorted, mtime 0, numeric root owner), so its sha256 (the layer's
# diff id) only changes with the busybox binary. Cached under ${POUCH_TEST_CACHE:-/var/cache/pouch-test}.
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUT.tar" >&2; exit 2; }
out="$1"
bb=/bin/busybox
[ -x "$bb" ] || { echo "$bb is missing: apt-get install busybox-static" >&2; exit 1; }
cache="${POUCH_TEST_CACHE:-/var/cache/pouch-test}"
# v2: bump when the layout below changes so stale caches are not reused
key="busybox-v2-$(sha256sum "$bb" | cut -c1-16).tar"
if [ -s "$cache/$key" ]; then
        cp "$cache/$key" "$out"
        exit 0
fi
tmp="$(mktemp -d /tmp/pouch-bb.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
dir="$tmp/root"
mkdir "$dir"
mkdir -p "$dir/bin" "$dir/etc" "$dir/tmp" "$dir/root" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/home"
chmod 0755 "$dir" "$dir/bin" "$dir/etc" "$dir/proc" "$dir/sys" "$dir/dev" "$dir/home"
chmod 0700 "$dir/root"
chmod 1777 "$dir/tmp"
cp "$bb" "$dir/bin/busybox"
chmod 0755 "$dir/bin/busybox"
for a in $("$bb" --list); do
        case "$a" in
        busybox | */*) ;;
        *) ln -sf busybox "$dir/bin/$a" ;;
        esac
done
printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/home:/bin/false\n' > "$dir/etc/passwd"
printf 'root:x:0:\nnogroup:x:65534:\n' > "$dir/etc/group"
chmod 0644 "$dir/etc/passwd" "$dir/etc/group"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$tmp/rootfs.tar" .
cp "$tmp/rootfs.tar" "$out"
# atomic cache fill: a concurrent or interrupted build never leaves a truncated cache entry
if mkdir -p "$cache" 2> /dev/null && cp "$tmp/rootfs.tar" "$cache/.$key.$$" 2> /dev/null; then
        mv -f "$cache/.$key.$$" "$cache/$key" || rm -f "$cache/.$key.$$"
fi
exit 0
