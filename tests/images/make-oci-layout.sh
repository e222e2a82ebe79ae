#!/bin/sh
# Turn a rootfs tarball into an OCI image layout tarball (oci-layout, index.json, blobs/sha256/...):
#   make-oci-layout.sh [--gzip] ROOTFS.tar OUT.tar [REPO:TAG]      (default busybox:latest)
# With --gzip the layer blob is tar+gzip (diff id = sha256 of the uncompressed tar, digest = of
# the compressed blob). index.json names the image with io.containerd.image.name (full reference)
# and org.opencontainers.image.ref.name (the tag), as containerd and `docker save` do.
set -eu
gz=0
if [ "${1:-}" = --gzip ]; then gz=1; shift; fi
[ $# -ge 2 ] || { echo "usage: $0 [--gzip] ROOTFS.tar OUT.tar [REPO:TAG]" >&2; exit 2; }
rootfs="$1" out="$2" ref="${3:-busybox:latest}"
command -v jq > /dev/null || { echo "jq is needed" >&2; exit 1; }
case "$(uname -m)" in
x86_64) arch=amd64 ;;
aarch64) arch=arm64 ;;
*) arch="$(uname -m)" ;;
esac
repo="${ref%:*}" tag="${ref##*:}"
[ "$repo" != "$ref" ] || tag=latest
# the full reference, normalized like docker: busybox -> docker.io/library/busybox,
# me/app -> docker.io/me/app, a first component with a dot, a port or "localhost" is a registry
case "$repo" in
*/*)
        case "${repo%%/*}" in
        *.* | *:* | localhost) full="$repo" ;;
        *) full="docker.io/$repo" ;;
        esac
        ;;
*) full="docker.io/library/$repo" ;;
esac

dir="$(mktemp -d /tmp/pouch-oci.XXXXXX)"
trap 'rm -rf "$dir"' EXIT
b="$dir/blobs/sha256"
mkdir -p "$b"
blob() { # FILE -> moves it into blobs/, prints its digest hex
        d="$(sha256sum "$1" | cut -d' ' -f1)"
        mv "$1" "$b/$d"
        echo "$d"
}
size() { wc -c < "$1" | tr -d ' '; }

diff="$(sha256sum "$rootfs" | cut -d' ' -f1)"
if [ "$gz" = 1 ]; then
        gzip -n -c "$rootfs" > "$dir/layer"
        lmt=application/vnd.oci.image.layer.v1.tar+gzip
else
        cp "$rootfs" "$dir/layer"
        lmt=application/vnd.oci.image.layer.v1.tar
fi
lsize="$(size "$dir/layer")"
ldig="$(blob "$dir/layer")"

jq -nc --arg arch "$arch" --arg diff "sha256:$diff" '{
        architecture: $arch, os: "linux", created: "1970-01-01T00:00:00Z",
        config: {Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"], Cmd: ["sh"]},
        rootfs: {type: "layers", diff_ids: [$diff]},
        history: [{created: "1970-01-01T00:00:00Z", created_by: "tests/images/make-oci-layout.sh"}]
}' > "$dir/config"
csize="$(size "$dir/config")"
cdig="$(blob "$dir/config")"

jq -nc --arg c "sha256:$cdig" --argjson cs "$csize" --arg l "sha256:$ldig" --argjson ls "$lsize" --arg lmt "$lmt" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.manifest.v1+json",
        config: {mediaType: "application/vnd.oci.image.config.v1+json", digest: $c, size: $cs},
        layers: [{mediaType: $lmt, digest: $l, size: $ls}]
}' > "$dir/manifest"
msize="$(size "$dir/manifest")"
mdig="$(blob "$dir/manifest")"

jq -nc --arg m "sha256:$mdig" --argjson ms "$msize" --arg full "$full:$tag" --arg tag "$tag" '{
        schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json",
        manifests: [{mediaType: "application/vnd.oci.image.manifest.v1+json", digest: $m, size: $ms,
                     annotations: {"io.containerd.image.name": $full, "org.opencontainers.image.ref.name": $tag}}]
}' > "$dir/index.json"
echo '{"imageLayoutVersion":"1.0.0"}' > "$dir/oci-layout"

tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$dir" -cf "$out" oci-layout index.json blobs
