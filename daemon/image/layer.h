/* Unpacking one layer tarball safely into a directory, and mounting a container rootfs. */
#pragma once

#include "lib/err.h"

#include <stdint.h>

/* Unpack the tar (any compression libarchive detects) from fd into dest (an empty directory).
 * Every entry is created relative to a dir fd with openat2(RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS);
 * entries whose path has "..", is absolute after normalising, passes through a symlink, or is a
 * hard link to a target outside dest are refused (-EINVAL, "layer entry ../x escapes the layer
 * root"). Device nodes other than whiteouts are refused. OCI whiteouts: ".wh.NAME" becomes a
 * 0/0 character device NAME, ".wh..wh..opq" sets trusted.overlay.opaque=y on its directory.
 * ret_size (may be NULL) receives the unpacked byte count; ret_diff_id (may be NULL, 72 bytes)
 * the sha256 of the uncompressed stream as "sha256:<hex>". */
int layer_unpack(int fd, const char *dest, int64_t *ret_size, char *ret_diff_id, struct pouch_err *err);

/* Overlay-mount lowerdirs (top-most first) + upper + work on target. */
int rootfs_mount(char *const lowerdirs[], const char *upper, const char *work, const char *target,
                 struct pouch_err *err);
int rootfs_umount(const char *target);
