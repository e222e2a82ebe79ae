/* Filesystem helpers: durable atomic writes, whole-file reads, recursive mkdir/remove. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Write data to path via path.tmp-XXXXXX, fsync, rename, fsync the directory. */
int write_file_atomic(const char *path, const void *data, size_t len, mode_t mode);
/* Read a whole file (NUL-terminated); ret_len may be NULL. Fails with -EFBIG past max bytes. */
int read_file(const char *path, size_t max, char **ret_data, size_t *ret_len);
int mkdir_p(const char *path, mode_t mode);
/* Remove a tree without following symlinks or crossing mount points. Missing path is success. */
int rm_rf(const char *path);
/* Write all bytes, retrying on EINTR and short writes. */
int write_all(int fd, const void *buf, size_t len);
/* Read exactly len bytes unless EOF comes first; returns bytes read or -errno. */
ssize_t read_full(int fd, void *buf, size_t len);
int fsync_dir_of(const char *path);

/* Bytes allocated under path (like du -s), not crossing mount points nor following symlinks. */
int64_t dir_disk_usage(const char *path);
