#!/bin/sh
# Split a rootfs tarball into layers and write a `docker save`-style archive:
#   make-multilayer-archive.sh ROOTFS.tar OUT.tar REPO:TAG
# Layers: (1) everything but usr/ and var/, (2) usr/ without usr/share, (3) usr/share, (4) var/
# (empty ones are left out); later layers carry their parent directory entries. The config has
# one history entry per layer plus an empty_layer CMD entry, as a built image does.
set -eu
[ $# -eq 3 ] || { echo "usage: $0 ROOTFS.tar OUT.tar REPO:TAG" >&2; exit 2; }
rootfs="$1" out="$2" ref="$3"
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }
repo="${ref%:*}" tag="${ref##*:}"
case "$(uname -m)" in x86_64) arch=amd64 ;; aarch64) arch=arm64 ;; *) arch="$(uname -m)" ;; esac
tmp="$(mktemp -d /tmp/pouch-ml.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/root" "$tmp/out"
tar -C "$tmp/root" --numeric-owner -xpf "$rootfs"
T="tar --sort=name --mtime=@0 --numeric-owner -C $tmp/root"
find "$tmp/root" -mindepth 1 -maxdepth 1 ! -name usr ! -name var -printf '%f\n' | sort > "$tmp/top"
n=0
add_layer() { # FILE CREATED_BY
        [ -s "$1" ] || return 0
        d="$(sha256sum "$1" | cut -d' ' -f1)"
        mkdir -p "$tmp/out/$d"
        mv "$1" "$tmp/out/$d/layer.tar"
        echo "$d" >> "$tmp/layers"
        echo "$2" >> "$tmp/created_by"
        n=$((n + 1))
}
: > "$tmp/layers"
: > "$tmp/created_by"
# shellcheck disable=SC2046
[ -s "$tmp/top" ] && $T -cf "$tmp/l1.tar" $(cat "$tmp/top") && add_layer "$tmp/l1.tar" "ADD base files"
if [ -d "$tmp/root/usr" ]; then
        $T -cf "$tmp/l2.tar" --exclude=./usr/share --exclude=usr/share usr && add_layer "$tmp/l2.tar" "ADD usr"
        if [ -d "$tmp/root/usr/share" ]; then
                $T -cf "$tmp/l3.tar" --no-recursion usr && $T -rf "$tmp/l3.tar" usr/share && add_layer "$tmp/l3.tar" "ADD usr/share"
        fi
fi
[ -d "$tmp/root/var" ] && $T -cf "$tmp/l4.tar" var && add_layer "$tmp/l4.tar" "ADD var"
diffs="$(jq -Rn '[inputs | "sha256:" + .]' < "$tmp/layers")"
hist="$(jq -Rn '[inputs | {created: "1970-01-01T00:00:00Z", created_by: .}] + [{created: "1970-01-01T00:00:00Z", created_by: "CMD [\"sh\"]", empty_layer: true}]' < "$tmp/created_by")"
jq -nc --arg arch "$arch" --argjson diffs "$diffs" --argjson hist "$hist" '{
        architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
        rootfs: {type: "layers", diff_ids: $diffs}, history: $hist
}' > "$tmp/out/config.json"
cfg="$(sha256sum "$tmp/out/config.json" | cut -d' ' -f1)"
mv "$tmp/out/config.json" "$tmp/out/$cfg.json"
layers="$(jq -Rn '[inputs + "/layer.tar"]' < "$tmp/layers")"
jq -nc --arg cfg "$cfg.json" --arg ref "$repo:$tag" --argjson layers "$layers" \
        '[{Config: $cfg, RepoTags: [$ref], Layers: $layers}]' > "$tmp/out/manifest.json"
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$tmp/out" -cf "$out" .
