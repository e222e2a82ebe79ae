/* Small system helpers: clocks, full writes, atomic files, PATH look-ups, number parsing. */
#include "util.h"

#include "lib/cleanup.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t mono_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (int64_t) ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int write_fd_contents(int fd, const void *data, size_t len)
{
        int r = write_all(fd, data, len);
        if (r < 0)
                return r;
        return fsync(fd) < 0 && errno != EINVAL ? -errno : 0;
}

int write_file_replace(const char *path, const void *data, size_t len, mode_t mode)
{
        _cleanup_free_ char *tmp = NULL;
        if (asprintf(&tmp, "%s.tmp", path) < 0)
                return -ENOMEM;
        _cleanup_close_ int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, mode);
        if (fd < 0)
                return -errno;
        int r = write_fd_contents(fd, data, len);
        if (r >= 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r >= 0 && rename(tmp, path) < 0)
                r = -errno;
        if (r == -EBUSY || r == -EXDEV) {
                /* a file bind-mounted over path: rename cannot replace it, overwrite in place */
                unlink(tmp);
                _cleanup_close_ int in_place = open(path, O_WRONLY | O_TRUNC | O_CLOEXEC);
                if (in_place < 0)
                        return -errno;
                return write_fd_contents(in_place, data, len);
        }
        if (r < 0)
                unlink(tmp);
        return r;
}

static int check_executable(const char *path)
{
        struct stat st;
        if (stat(path, &st) < 0)
                return -errno;
        if (S_ISDIR(st.st_mode))
                return -EACCES;
        return access(path, X_OK) < 0 ? -errno : 0;
}

int find_executable(const char *name, const char *path_env, char **ret)
{
        if (!*name)
                return -ENOENT;
        if (strchr(name, '/')) {
                int r = check_executable(name);
                if (r < 0)
                        return r == -ENOTDIR ? -ENOENT : r;
                *ret = strdup(name);
                return *ret ? 0 : -ENOMEM;
        }
        const char *p = path_env ? path_env : DEFAULT_PATH;
        int last = -ENOENT;
        for (;;) {
                size_t len = strcspn(p, ":");
                _cleanup_free_ char *full = NULL;
                /* an empty PATH entry means the current directory */
                if (asprintf(&full, "%.*s%s%s", (int) len, len ? p : ".", "/", name) < 0)
                        return -ENOMEM;
                int r = check_executable(full);
                if (r == 0) {
                        *ret = TAKE_PTR(full);
                        return 0;
                }
                if (r == -EACCES)
                        last = r;
                if (!p[len])
                        break;
                p += len + 1;
        }
        return last;
}

bool parse_uint(const char *s, unsigned long long max, unsigned long long *ret)
{
        if (!s || !isdigit((unsigned char) *s))
                return false;
        unsigned long long v = 0;
        for (; *s; s++) {
                if (!isdigit((unsigned char) *s))
                        return false;
                unsigned d = (unsigned) (*s - '0');
                if (d > max || v > (max - d) / 10)
                        return false;
                v = v * 10 + d;
        }
        *ret = v;
        return true;
}

bool env_name_valid(const char *name, size_t len)
{
        if (len == 0 || isdigit((unsigned char) name[0]))
                return false;
        for (size_t i = 0; i < len; i++)
                if (!(isalnum((unsigned char) name[i]) || name[i] == '_'))
                        return false;
        return true;
}
