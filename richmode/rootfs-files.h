/* Reading and writing files inside a container rootfs without ever leaving it: every path is
 * resolved with openat2(RESOLVE_IN_ROOT), so symlinks in the image cannot point at host files. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Open PATH (absolute, inside rootfs) with flags; -errno on failure. */
int rootfs_open(const char *rootfs, const char *path, int flags, mode_t mode);
/* Whether PATH exists inside rootfs (following symlinks inside it). */
bool rootfs_exists(const char *rootfs, const char *path);
/* The symlink target of PATH's last component (not followed), malloc'd, or NULL. */
char *rootfs_readlink(const char *rootfs, const char *path);
/* Create PATH's missing parent directories (0755) and write the file atomically (tmp + rename). */
int rootfs_write_file(const char *rootfs, const char *path, const char *data, size_t len, mode_t mode);
/* Make a symlink PATH -> TARGET (replacing an existing symlink), parents created. */
int rootfs_symlink(const char *rootfs, const char *target, const char *path);
/* Find a bare command NAME on the standard PATH inside rootfs; returns the absolute in-container
 * path (malloc'd) or NULL. A NAME with a '/' is returned as is when it exists. */
char *rootfs_find_command(const char *rootfs, const char *name);
