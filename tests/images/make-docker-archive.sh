#!/bin/sh
# Turn a rootfs tarball into a `docker save`-style archive (docker-archive):
#   make-docker-archive.sh ROOTFS.tar OUT.tar [REPO:TAG]      (default busybox:latest)
# Contents: manifest.json, <config-sha256>.json (rootfs.diff_ids = sha256 of the layer tar),
# <layer-id>/layer.tar (+ VERSION, json) and a legacy `repositories` file.
set -eu
[ $# -ge 2 ] || { echo "usage: $0 ROOTFS.tar OUT.tar [REPO:TAG]" >&2; exit 2; }
rootfs="$1" out="$2" ref="${3:-busybox:latest}"
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }
case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) arch="$(uname -m)" ;;
esac
repo="${ref%:*}" tag="${ref##*:}"
[ "$repo" != "$ref" ] || tag=latest

dir="$(mktemp -d /tmp/pouch-da.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
diff="$(sha256sum "$rootfs" | cut -d' ' -f1)"
# the legacy layer id: any stable 64-hex name works; use the diff id
mkdir "$dir/$diff"
cp "$rootfs" "$dir/$diff/layer.tar"
echo "1.0" > "$dir/$diff/VERSION"
jq -nc --arg id "$diff" '{id: $id, created: "1970-01-01T00:00:00Z", os: "linux"}' > "$dir/$diff/json"

jq -nc --arg arch "$arch" --arg diff "sha256:$diff" '{
        architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
        rootfs: {type: "layers", diff_ids: [$diff]},
        history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/images/make-docker-archive.sh"}]
}' > "$dir/config.json"
cfg="$(sha256sum "$dir/config.json" | cut -d' ' -f1)"
mv "$dir/config.json" "$dir/$cfg.json"

jq -nc --arg cfg "$cfg.json" --arg ref "$repo:$tag" --arg layer "$diff/layer.tar" \
        '[{Config: $cfg, RepoTags: [$ref], Layers: [$layer]}]' > "$dir/manifest.json"
jq -nc --arg repo "$repo" --arg tag "$tag" --arg id "$diff" '{($repo): {($tag): $id}}' > "$dir/repositories"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" \
        manifest.json repositories "$cfg.json" "$diff"
