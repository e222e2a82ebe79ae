/* Small system helpers: clocks, file replacement, PATH look-ups, number parsing. write_all and
 * read_file come from lib/fsutil (linked into libinit). */
#pragma once

#include "lib/fsutil.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The fallback PATH when the environment has none (the one Docker images get). */
#define DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

/* CLOCK_MONOTONIC in milliseconds. */
int64_t mono_ms(void);

/* Replace path with data: write path.tmp, fsync, rename over path (and when path cannot be
 * renamed over, e.g. a bind-mounted file, write it in place). 0 or -errno. */
int write_file_replace(const char *path, const void *data, size_t len, mode_t mode);

/* Find an executable: a name with a '/' is taken as is; a bare name is searched in the
 * colon-separated path_env (DEFAULT_PATH when NULL). 0 with a malloc'ed path in *ret,
 * -ENOENT when nothing is found, -EACCES when only non-executable files are. */
int find_executable(const char *name, const char *path_env, char **ret);

/* Parse a decimal unsigned number up to max (no sign, no blanks): true on success. */
bool parse_uint(const char *s, unsigned long long max, unsigned long long *ret);

/* Whether name[0..len) is a shell identifier ([A-Za-z_][A-Za-z0-9_]*). */
bool env_name_valid(const char *name, size_t len);
