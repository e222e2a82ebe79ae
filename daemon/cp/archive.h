/* `docker cp` support: stat, tar out of, and extract into a container's root filesystem. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>

/* Stat `path` inside the tree rooted at rootfs (resolved with openat2 RESOLVE_IN_ROOT, never
 * escaping), as docker's X-Docker-Container-Path-Stat object:
 * {"name","size","mode" (Go os.FileMode bits: dir 1<<31, symlink 1<<27 | perm),"mtime" RFC3339,
 *  "linkTarget"}. -ENOENT "Could not find the file PATH in container" when missing. */
int archive_stat_path(const char *rootfs, const char *path, json_t **ret_stat, struct pouch_err *err);

/* Write a tar of `path` (file or directory, recursively; entry names start with the base name
 * of path, like docker) to out_fd. Symlinks are archived as links, never followed. */
int archive_tar_path(const char *rootfs, const char *path, int out_fd, struct pouch_err *err);

/* Extract the tar read from in_fd into directory `dest` inside rootfs. Every entry is created
 * relative to dest with openat2(RESOLVE_IN_ROOT) of rootfs, so nothing lands outside rootfs.
 * no_overwrite_dir_non_dir: refuse to replace a dir by a non-dir or vice versa (-EINVAL).
 * -ENOENT when dest does not exist; -ENOTDIR (400) when it is not a directory. */
int archive_extract_to(const char *rootfs, const char *dest, int in_fd, bool no_overwrite_dir_non_dir,
                       struct pouch_err *err);
