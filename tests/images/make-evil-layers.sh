#!/bin/sh
# Craft hostile layers for the image store tests:  make-evil-layers.sh OUTDIR
# For each KIND it writes OUTDIR/layer-KIND.tar (the bare layer, for `import`) and
# OUTDIR/evil-KIND.tar (a docker-archive tagged evil:KIND, for `load`):
#   dotdot     ok.txt, ../evil
#   abs        ok.txt, /evil              (docker drops the leading "/"; must never reach the host's /evil)
#   absdotdot  ok.txt, /../../evil
#   symlink    ok.txt, lnk -> /tmp, lnk/evil
#   hardlink   ok.txt, hl => ../../etc/passwd (hard link)
# The tarballs are written with python3's tarfile when python3 exists, else with a small
# libarchive program (helpers/craft-evil-layer.c, compiled on the fly; needs cc and libarchive-dev).
set -eu
[ $# -eq 1 ] || { echo "usage: $0 OUTDIR" >&2; exit 2; }
here="$(cd "$(dirname "$0")" && pwd)"
out="$1"
mkdir -p "$out"
KINDS="dotdot abs absdotdot symlink hardlink"
tmp="$(mktemp -d /tmp/pouch-evil.XXXXXX)"
trap 'rm -rf "$tmp"' EXIT

craft_python() { # OUT KIND
        python3 - "$1" "$2" << 'PY'
import io
import sys
import tarfile

out, kind = sys.argv[1], sys.argv[2]


def add(t, name, data=b"evil\n", kind=tarfile.REGTYPE, link=""):
    ti = tarfile.TarInfo(name)  # addfile() keeps the name verbatim ("../", leading "/")
    ti.type = kind
    ti.mode = 0o644
    ti.mtime = 0
    ti.linkname = link
    if kind == tarfile.REGTYPE:
        ti.size = len(data)
        t.addfile(ti, io.BytesIO(data))
    else:
        t.addfile(ti)


with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    add(t, "ok.txt", b"ok\n")
    if kind == "dotdot":
        add(t, "../evil")
    elif kind == "abs":
        add(t, "/evil")
    elif kind == "absdotdot":
        add(t, "/../../evil")
    elif kind == "symlink":
        add(t, "lnk", kind=tarfile.SYMTYPE, link="/tmp")
        add(t, "lnk/evil")
    elif kind == "hardlink":
        add(t, "hl", kind=tarfile.LNKTYPE, link="../../etc/passwd")
    else:
        sys.exit("unknown kind " + kind)
PY
}

craft=""
# POUCH_EVIL_USE_C=1 forces the libarchive helper (to test that path on a host with python3)
if [ -z "${POUCH_EVIL_USE_C:-}" ] && command -v python3 > /dev/null 2>&1; then
        craft=craft_python
else
        cc -O1 -o "$tmp/craft" "$here/helpers/craft-evil-layer.c" -larchive
        craft="$tmp/craft"
fi
for k in $KINDS; do
        $craft "$out/layer-$k.tar" "$k"
        "$here/make-docker-archive.sh" "$out/layer-$k.tar" "$out/evil-$k.tar" "evil:$k"
done
