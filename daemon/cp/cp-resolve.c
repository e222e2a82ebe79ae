/* Path cleaning and symlink-safe resolution inside a container rootfs (openat2 RESOLVE_IN_ROOT). */
#include "daemon/cp/cp-internal.h"

#include "lib/cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Lexical cleaning shared by both variants. Components are appended to out (which holds at least
 * strlen(in) + 2 bytes) separated by '/', without leading slash. Returns -EINVAL when ".." climbs
 * above the start and strict is set; otherwise such ".." are dropped. */
static int clean_components(const char *in, bool strict, char *out)
{
        size_t n = 0;
        const char *p = in;
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *e = strchrnul(p, '/');
                size_t l = (size_t) (e - p);
                if (l == 1 && p[0] == '.') {
                        /* skip */
                } else if (l == 2 && p[0] == '.' && p[1] == '.') {
                        if (n == 0) {
                                if (strict)
                                        return -EINVAL;
                        } else {
                                char *slash = memrchr(out, '/', n);
                                n = slash ? (size_t) (slash - out) : 0;
                        }
                } else {
                        if (n > 0)
                                out[n++] = '/';
                        memcpy(out + n, p, l);
                        n += l;
                }
                p = e;
        }
        out[n] = '\0';
        return 0;
}

int cp_clean_abs(const char *in, char **ret, bool *ret_follow)
{
        size_t len = strlen(in);
        char *out = malloc(len + 3);
        if (!out)
                return -ENOMEM;
        out[0] = '/';
        (void) clean_components(in, false, out + 1);
        bool follow = len > 0 && (in[len - 1] == '/' || (in[len - 1] == '.' && (len == 1 || in[len - 2] == '/')));
        *ret = out;
        if (ret_follow)
                *ret_follow = follow;
        return 0;
}

int cp_clean_rel(const char *in, char **ret)
{
        char *out = malloc(strlen(in) + 2);
        if (!out)
                return -ENOMEM;
        int r = clean_components(in, true, out);
        if (r < 0) {
                free(out);
                return r;
        }
        *ret = out;
        return 0;
}

int cp_open_in_root(int rootfd, const char *path, int flags)
{
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        /* "" would mean the root itself only with AT_EMPTY_PATH; use "." */
        const char *p = (path && *path) ? path : ".";
        /* EAGAIN: a concurrent rename or mount raced the lookup; the kernel asks us to retry. */
        for (int i = 0; i < 32; i++) {
                long fd = syscall(SYS_openat2, rootfd, p, &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != EAGAIN)
                        return -errno;
        }
        return -EAGAIN;
}

int cp_open_root(const char *rootfs)
{
        int fd = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        return fd < 0 ? -errno : fd;
}

int cp_open_parent(int rootfd, const char *clean, int *ret_parentfd, const char **ret_leaf)
{
        const char *slash = strrchr(clean, '/');
        if (!slash || !slash[1]) {
                /* "/" (or an empty path): the root itself */
                int fd = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
                if (fd < 0)
                        return -errno;
                *ret_parentfd = fd;
                *ret_leaf = NULL;
                return 0;
        }
        _cleanup_free_ char *parent = strndup(clean, (size_t) (slash - clean));
        if (!parent)
                return -ENOMEM;
        int fd = cp_open_in_root(rootfd, *parent ? parent : "/", O_PATH | O_DIRECTORY);
        if (fd < 0)
                return fd;
        *ret_parentfd = fd;
        *ret_leaf = slash + 1;
        return 0;
}

int cp_mkdir_in_root(int rootfd, const char *clean, int *ret_fd)
{
        int fd = cp_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY);
        if (fd != -ENOENT) {
                if (fd >= 0)
                        *ret_fd = fd;
                return fd;
        }
        /* Walk from the top: each missing component is created with mkdirat() on the resolved
         * parent, then re-resolved in the root (it may be a dangling symlink, which then fails). */
        _cleanup_free_ char *buf = strdup(clean);
        if (!buf)
                return -ENOMEM;
        _cleanup_close_ int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        char *p = buf;
        while (*p == '/')
                p++;
        while (*p) {
                char *e = strchrnul(p, '/');
                bool last = !*e;
                *e = '\0';
                int next = cp_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                if (next == -ENOENT) {
                        if (mkdirat(cur, p, 0755) < 0 && errno != EEXIST)
                                return -errno;
                        next = cp_open_in_root(rootfd, buf, O_PATH | O_DIRECTORY);
                }
                if (next < 0)
                        return next;
                close(cur);
                cur = next;
                if (last)
                        break;
                *e = '/';
                p = e + 1;
        }
        *ret_fd = TAKE_FD(cur);
        return 0;
}

int cp_rm_rf_at(int parentfd, const char *name)
{
        struct stat st, pst;
        if (fstatat(parentfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return RET_NERRNO(unlinkat(parentfd, name, 0));
        if (fstatat(parentfd, "", &pst, AT_EMPTY_PATH) < 0)
                return -errno;
        if (pst.st_dev != st.st_dev)
                return -EBUSY;
        int fd = openat(parentfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        struct dirent *de;
        while ((errno = 0, de = readdir(d))) {
                if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
                        continue;
                int r = cp_rm_rf_at(dirfd(d), de->d_name);
                if (r < 0)
                        return r;
        }
        if (errno)
                return -errno;
        return RET_NERRNO(unlinkat(parentfd, name, AT_REMOVEDIR));
}

const char *cp_base_name(const char *raw, const char *clean, const char *root_name)
{
        size_t l = strlen(raw);
        if ((l == 1 && raw[0] == '.') || (l >= 2 && raw[l - 1] == '.' && raw[l - 2] == '/'))
                return ".";
        const char *s = strrchr(clean, '/');
        return (s && s[1]) ? s + 1 : root_name;
}

uint32_t cp_go_filemode(mode_t m)
{
        uint32_t r = m & 0777;
        switch (m & S_IFMT) {
        case S_IFBLK:
                r |= 1u << 26;
                break;
        case S_IFCHR:
                r |= (1u << 26) | (1u << 21);
                break;
        case S_IFDIR:
                r |= 1u << 31;
                break;
        case S_IFIFO:
                r |= 1u << 25;
                break;
        case S_IFLNK:
                r |= 1u << 27;
                break;
        case S_IFSOCK:
                r |= 1u << 24;
                break;
        default:
                break;
        }
        if (m & S_ISUID)
                r |= 1u << 23;
        if (m & S_ISGID)
                r |= 1u << 22;
        if (m & S_ISVTX)
                r |= 1u << 20;
        return r;
}

void cp_format_go_time(const struct timespec *ts, char *buf, size_t len)
{
        struct tm tm;
        localtime_r(&ts->tv_sec, &tm);
        char base[32], frac[32] = "", zone[32];
        strftime(base, sizeof(base), "%Y-%m-%dT%H:%M:%S", &tm);
        if (ts->tv_nsec > 0) {
                snprintf(frac, sizeof(frac), ".%09ld", ts->tv_nsec % 1000000000L);
                size_t n = strlen(frac);
                while (n > 1 && frac[n - 1] == '0')
                        frac[--n] = '\0';
        }
        long off = tm.tm_gmtoff;
        if (off == 0)
                snprintf(zone, sizeof(zone), "Z");
        else
                snprintf(zone, sizeof(zone), "%c%02ld:%02ld", off < 0 ? '-' : '+', labs(off) / 3600,
                         (labs(off) % 3600) / 60);
        snprintf(buf, len, "%s%s%s", base, frac, zone);
}

void cp_fd_path(int fd, char *buf, size_t len)
{
        snprintf(buf, len, "/proc/self/fd/%d", fd);
}
