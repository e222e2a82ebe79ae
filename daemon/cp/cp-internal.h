/* Internal helpers of daemon/cp: path cleaning and symlink-safe resolution inside a rootfs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <stddef.h>
#include <sys/stat.h>

/* Lexically clean a container path as Go's path.Clean("/" + in) does: result starts with "/",
 * has no "." / ".." / empty components (".." at the top stays at "/"). *ret_follow is set when
 * `in` ends with "/" or "/." (docker then follows a final symlink). */
int cp_clean_abs(const char *in, char **ret, bool *ret_follow);

/* Clean a tar entry name relative to the extraction directory: leading "/" and "./" are dropped,
 * "a/../b" becomes "b". -EINVAL when it climbs above the directory ("../x", "/../../x").
 * Returns "" for the directory itself. */
int cp_clean_rel(const char *in, char **ret);

/* Open `path` with openat2(RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS) relative to rootfd: absolute
 * symlinks and ".." stay inside the tree. flags as for open (O_PATH, O_NOFOLLOW, O_DIRECTORY...).
 * Returns an fd or -errno. */
int cp_open_in_root(int rootfd, const char *path, int flags);

/* Open the rootfs directory itself (O_PATH). */
int cp_open_root(const char *rootfs);

/* Split a cleaned absolute path into its resolved parent directory (O_PATH fd) and its last
 * component (pointer into `clean`, NULL for "/", in which case the fd is the root itself). */
int cp_open_parent(int rootfd, const char *clean, int *ret_parentfd, const char **ret_leaf);

/* Resolve a directory path inside the root, creating missing components (mode 0755). */
int cp_mkdir_in_root(int rootfd, const char *clean, int *ret_fd);

/* Remove dirfd/name recursively without following symlinks; refuses to cross mount points. */
int cp_rm_rf_at(int dirfd, const char *name);

/* Entry/stat name for a request path like docker's filepath.Base: "." when raw ends in "/." (or
 * is "."), else the last component of clean; root_name for "/". Points into clean or is static. */
const char *cp_base_name(const char *raw, const char *clean, const char *root_name);

/* Go's os.FileMode bits for a unix st_mode. */
uint32_t cp_go_filemode(mode_t m);

/* Go's time.Time JSON text: RFC3339Nano (trailing zeros trimmed) with the local offset or "Z". */
void cp_format_go_time(const struct timespec *ts, char *buf, size_t len);

/* "/proc/self/fd/N" for operating on the exact inode behind an O_PATH fd. buf >= 32. */
void cp_fd_path(int fd, char *buf, size_t len);
