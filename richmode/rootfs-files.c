/* In-rootfs file access through openat2(RESOLVE_IN_ROOT). */
#include "rootfs-files.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

static int openat_in_root(int rootfd, const char *path, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (unsigned) (flags | O_CLOEXEC),
                .mode = (flags & O_CREAT) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS,
        };
        long fd = syscall(SYS_openat2, rootfd, path, &how, sizeof(how));
        return fd < 0 ? -errno : (int) fd;
}

int rootfs_open(const char *rootfs, const char *path, int flags, mode_t mode)
{
        _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -errno;
        return openat_in_root(root, path, flags, mode);
}

bool rootfs_exists(const char *rootfs, const char *path)
{
        int fd = rootfs_open(rootfs, path, O_PATH, 0);
        if (fd < 0)
                return false;
        close(fd);
        return true;
}

/* Open the directory that holds PATH's last component, creating missing directories. */
static int open_parent(const char *rootfs, const char *path, bool create, char **ret_base)
{
        _cleanup_close_ int root = open(rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (root < 0)
                return -errno;
        _cleanup_free_ char *copy = strdup(path), *copy2 = strdup(path);
        if (!copy || !copy2)
                return -ENOMEM;
        const char *dir = dirname(copy);
        int fd = openat_in_root(root, dir, O_PATH | O_DIRECTORY, 0);
        if (fd == -ENOENT && create) {
                /* walk down, creating what is missing */
                _cleanup_free_ char *walk = strdup(dir);
                if (!walk)
                        return -ENOMEM;
                for (char *p = walk + 1;; p++) {
                        if (*p == '/' || *p == '\0') {
                                char c = *p;
                                *p = '\0';
                                _cleanup_close_ int pfd = -1;
                                _cleanup_free_ char *pc = strdup(walk), *bc = strdup(walk);
                                if (!pc || !bc)
                                        return -ENOMEM;
                                pfd = openat_in_root(root, dirname(pc), O_PATH | O_DIRECTORY, 0);
                                if (pfd < 0)
                                        return pfd;
                                if (mkdirat(pfd, basename(bc), 0755) < 0 && errno != EEXIST)
                                        return -errno;
                                *p = c;
                                if (c == '\0')
                                        break;
                        }
                }
                fd = openat_in_root(root, dir, O_PATH | O_DIRECTORY, 0);
        }
        if (fd < 0)
                return fd;
        *ret_base = strdup(basename(copy2));
        if (!*ret_base) {
                close(fd);
                return -ENOMEM;
        }
        return fd;
}

char *rootfs_readlink(const char *rootfs, const char *path)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dir = open_parent(rootfs, path, false, &base);
        if (dir < 0)
                return NULL;
        char buf[4096];
        ssize_t n = readlinkat(dir, base, buf, sizeof(buf) - 1);
        if (n < 0)
                return NULL;
        buf[n] = '\0';
        return strdup(buf);
}

int rootfs_write_file(const char *rootfs, const char *path, const char *data, size_t len, mode_t mode)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dir = open_parent(rootfs, path, true, &base);
        if (dir < 0)
                return dir;
        char tmp[512];
        snprintf(tmp, sizeof(tmp), ".%s.pouch-tmp", base);
        /* O_NOFOLLOW: the temp name is ours; never write through a planted symlink */
        _cleanup_close_ int fd = openat(dir, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        int r = write_all(fd, data, len);
        if (r == 0 && fchmod(fd, mode) < 0)
                r = -errno;
        if (r == 0 && fsync(fd) < 0)
                r = -errno;
        if (r == 0 && renameat(dir, tmp, dir, base) < 0)
                r = -errno;
        if (r < 0)
                unlinkat(dir, tmp, 0);
        return r;
}

int rootfs_symlink(const char *rootfs, const char *target, const char *path)
{
        _cleanup_free_ char *base = NULL;
        _cleanup_close_ int dir = open_parent(rootfs, path, true, &base);
        if (dir < 0)
                return dir;
        struct stat st;
        if (fstatat(dir, base, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                if (!S_ISLNK(st.st_mode))
                        return -EEXIST;
                if (unlinkat(dir, base, 0) < 0)
                        return -errno;
        }
        return symlinkat(target, dir, base) < 0 ? -errno : 0;
}

char *rootfs_find_command(const char *rootfs, const char *name)
{
        if (!name || !*name)
                return NULL;
        if (strchr(name, '/'))
                return rootfs_exists(rootfs, name) ? strdup(name) : NULL;
        static const char *const path[] = { "/usr/local/sbin", "/usr/local/bin", "/usr/sbin",
                                            "/usr/bin",        "/sbin",          "/bin" };
        for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s", path[i], name) < 0)
                        return NULL;
                if (rootfs_exists(rootfs, p))
                        return p;
                free(p);
        }
        return NULL;
}
