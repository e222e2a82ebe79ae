/* Path handling for layer entries: lexical cleaning and symlink-proof resolution below a root.
 *
 * Two independent defences: names are cleaned lexically (".." anywhere is refused outright, a
 * leading "/" is dropped) and every lookup goes through openat2 with RESOLVE_IN_ROOT (so even a
 * bug in the cleaning cannot leave the root) plus RESOLVE_NO_SYMLINKS for parent directories:
 * like go-containerregistry we refuse an entry whose parent path passes through a symlink rather
 * than silently resolving it inside the root, since such a layer is either broken or hostile. */
#include "daemon/image/layer-internal.h"

#include "lib/cleanup.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int safe_clean_path(const char *name, char *ret, size_t len, struct pouch_err *err)
{
        size_t o = 0;
        const char *p = name;
        if (strlen(name) >= len)
                return err_set(err, -ENAMETOOLONG, "layer entry name too long: %.64s...", name);
        while (*p) {
                while (*p == '/')
                        p++;
                if (!*p)
                        break;
                const char *end = strchrnul(p, '/');
                size_t n = (size_t) (end - p);
                if (n == 2 && p[0] == '.' && p[1] == '.')
                        return err_set(err, -EINVAL, "layer entry %s escapes the layer root", name);
                if (!(n == 1 && p[0] == '.')) {
                        if (o > 0)
                                ret[o++] = '/';
                        memcpy(ret + o, p, n);
                        o += n;
                }
                p = end;
        }
        ret[o] = '\0';
        return 0;
}

int safe_openat(int rootfd, const char *rel, int flags, mode_t mode)
{
        struct open_how how = {
                .flags = (uint64_t) (flags | O_CLOEXEC),
                .mode = (flags & (O_CREAT | O_TMPFILE)) ? mode : 0,
                .resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_SYMLINKS,
        };
        for (;;) {
                long fd = syscall(SYS_openat2, rootfd, *rel ? rel : ".", &how, sizeof(how));
                if (fd >= 0)
                        return (int) fd;
                if (errno != EINTR && errno != EAGAIN)
                        return -errno;
        }
}

/* One component at a time, creating what is missing. */
static int walk_create(int rootfd, const char *dir, const char *entry, struct pouch_err *err)
{
        _cleanup_close_ int cur = fcntl(rootfd, F_DUPFD_CLOEXEC, 3);
        if (cur < 0)
                return -errno;
        const char *p = dir;
        while (*p) {
                const char *end = strchrnul(p, '/');
                char comp[NAME_MAX + 1];
                size_t n = (size_t) (end - p);
                if (n > NAME_MAX)
                        return err_set(err, -ENAMETOOLONG, "layer entry %s: path component too long", entry);
                memcpy(comp, p, n);
                comp[n] = '\0';
                int fd = safe_openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
                if (fd == -ENOENT) {
                        if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
                                return err_set(err, -errno, "layer entry %s: cannot create parent %s: %m", entry, comp);
                        fd = safe_openat(cur, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW, 0);
                }
                if (fd == -ELOOP)
                        return err_set(err, -EINVAL, "layer entry %s passes through a symlink (%s); refusing it", entry,
                                       comp);
                if (fd == -ENOTDIR)
                        return err_set(err, -EINVAL, "layer entry %s: parent %s is not a directory", entry, comp);
                if (fd < 0)
                        return err_set(err, fd, "layer entry %s: cannot open parent %s: %s", entry, comp,
                                       strerror(-fd));
                close(cur);
                cur = fd;
                p = *end ? end + 1 : end;
        }
        return TAKE_FD(cur);
}

int safe_open_parent(int rootfd, const char *rel, bool create, const char **ret_base, struct pouch_err *err)
{
        const char *slash = strrchr(rel, '/');
        char dir[PATH_MAX];
        if (slash) {
                snprintf(dir, sizeof(dir), "%.*s", (int) (slash - rel), rel);
                *ret_base = slash + 1;
        } else {
                dir[0] = '\0';
                *ret_base = rel;
        }
        int fd = safe_openat(rootfd, dir, O_PATH | O_DIRECTORY, 0);
        if (fd >= 0)
                return fd;
        if (fd == -ELOOP)
                return err_set(err, -EINVAL, "layer entry %s passes through a symlink; refusing it", rel);
        if (fd == -ENOTDIR)
                return err_set(err, -EINVAL, "layer entry %s: a parent is not a directory", rel);
        if (fd == -EXDEV)
                return err_set(err, -EINVAL, "layer entry %s escapes the layer root", rel);
        if (fd != -ENOENT || !create)
                return err_set(err, fd, "layer entry %s: cannot open its directory: %s", rel, strerror(-fd));
        return walk_create(rootfd, dir, rel, err);
}

int safe_remove_at(int parent, const char *name)
{
        struct stat st;
        if (fstatat(parent, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (!S_ISDIR(st.st_mode))
                return unlinkat(parent, name, 0) < 0 && errno != ENOENT ? -errno : 0;
        int fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        DIR *d = fdopendir(fd);
        if (!d) {
                close(fd);
                return -errno;
        }
        int r = 0;
        struct dirent *de;
        while (r == 0 && (de = readdir(d)))
                if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
                        r = safe_remove_at(dirfd(d), de->d_name);
        closedir(d);
        if (r < 0)
                return r;
        return unlinkat(parent, name, AT_REMOVEDIR) < 0 && errno != ENOENT ? -errno : 0;
}
