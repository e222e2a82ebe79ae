/* archive_extract_to: unpack a tar into a directory of a rootfs without ever leaving the rootfs.
 * Parents are resolved with openat2(RESOLVE_IN_ROOT); the last component is only ever touched
 * with *at() calls that do not follow it, and metadata goes through fds of the created inode. */
#include "daemon/cp/archive.h"
#include "daemon/cp/cp-internal.h"

#include "lib/cleanup.h"
#include "lib/log.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

struct dir_time {
        char *path; /* cleaned container path */
        struct timespec times[2];
};

struct extract_ctx {
        struct archive *a;
        int rootfd;
        const char *dest; /* cleaned container path of the destination directory */
        bool no_overwrite;
        struct pouch_err *err;
        struct dir_time *dirs;
        size_t n_dirs, cap_dirs;
};

static int entry_times(struct archive_entry *e, struct timespec times[2])
{
        times[1].tv_sec = archive_entry_mtime(e);
        times[1].tv_nsec = archive_entry_mtime_nsec(e);
        if (archive_entry_atime_is_set(e)) {
                times[0].tv_sec = archive_entry_atime(e);
                times[0].tv_nsec = archive_entry_atime_nsec(e);
        } else {
                times[0] = times[1];
        }
        return 0;
}

/* Owner, mode and times of parentfd/leaf, through an O_PATH fd on exactly that inode. */
static int apply_metadata(struct extract_ctx *c, int parentfd, const char *leaf, struct archive_entry *e,
                          const char *name, bool set_times)
{
        _cleanup_close_ int fd = openat(parentfd, leaf, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0)
                return err_set(c->err, -errno, "cannot open %s: %m", name);
        struct stat st;
        if (fstat(fd, &st) < 0)
                return err_set(c->err, -errno, "cannot stat %s: %m", name);
        if (fchownat(fd, "", (uid_t) archive_entry_uid(e), (gid_t) archive_entry_gid(e),
                     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0 &&
            errno != EPERM && errno != EINVAL)
                return err_set(c->err, -errno, "cannot chown %s: %m", name);
        char p[32];
        cp_fd_path(fd, p, sizeof(p));
        /* /proc/self/fd/N reaches the inode we hold, never a path the container could swap. */
        if (!S_ISLNK(st.st_mode) && chmod(p, archive_entry_perm(e) & 07777) < 0)
                return err_set(c->err, -errno, "cannot chmod %s: %m", name);
        if (!set_times)
                return 0;
        struct timespec t[2];
        entry_times(e, t);
        int r = S_ISLNK(st.st_mode) ? utimensat(parentfd, leaf, t, AT_SYMLINK_NOFOLLOW) : utimensat(AT_FDCWD, p, t, 0);
        if (r < 0 && errno != EPERM && errno != EROFS)
                return err_set(c->err, -errno, "cannot set times of %s: %m", name);
        return 0;
}

static int write_data(struct extract_ctx *c, int parentfd, const char *leaf, struct archive_entry *e, const char *name)
{
        _cleanup_close_ int fd = openat(parentfd, leaf, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
        if (fd < 0)
                return err_set(c->err, -errno, "cannot create %s: %m", name);
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t off;
                int r = archive_read_data_block(c->a, &buf, &size, &off);
                if (r == ARCHIVE_EOF)
                        break;
                /* the upload was spooled whole: a failure here is a truncated or corrupt tar (400) */
                if (r < ARCHIVE_WARN)
                        return err_set(c->err, -EINVAL, "cannot read tar data of %s: %s", name,
                                       archive_error_string(c->a));
                const char *p = buf;
                while (size > 0) {
                        ssize_t n = pwrite(fd, p, size, off);
                        if (n < 0) {
                                if (errno == EINTR)
                                        continue;
                                return err_set(c->err, -errno, "cannot write %s: %m", name);
                        }
                        p += n;
                        off += n;
                        size -= (size_t) n;
                }
        }
        /* sparse files may end in a hole */
        if (archive_entry_size_is_set(e) && ftruncate(fd, archive_entry_size(e)) < 0)
                return err_set(c->err, -errno, "cannot size %s: %m", name);
        return 0;
}

static int make_hardlink(struct extract_ctx *c, int parentfd, const char *leaf, const char *target, const char *name)
{
        _cleanup_free_ char *rel = NULL, *full = NULL;
        if (cp_clean_rel(target, &rel) < 0 || !*rel)
                return err_set(c->err, -EINVAL, "invalid hard link %s -> %s: outside of %s", name, target, c->dest);
        if (asprintf(&full, "%s/%s", c->dest, rel) < 0)
                return err_set(c->err, -ENOMEM, "out of memory");
        _cleanup_close_ int tfd = -1;
        const char *tleaf;
        int r = cp_open_parent(c->rootfd, full, &tfd, &tleaf);
        if (r < 0)
                return err_set(c->err, r, "cannot resolve hard link target %s: %s", target, strerror(-r));
        if (linkat(tfd, tleaf, parentfd, leaf, 0) < 0)
                return err_set(c->err, -errno, "cannot link %s to %s: %m", name, target);
        return 0;
}

static int create_node(struct extract_ctx *c, int parentfd, const char *leaf, struct archive_entry *e, const char *name,
                       bool exists_dir)
{
        const char *hl = archive_entry_hardlink(e);
        if (hl)
                return make_hardlink(c, parentfd, leaf, hl, name);
        mode_t type = archive_entry_filetype(e);
        int r = 0;
        switch (type) {
        case AE_IFDIR:
                if (!exists_dir && mkdirat(parentfd, leaf, 0700) < 0)
                        r = -errno;
                break;
        case AE_IFREG:
                return write_data(c, parentfd, leaf, e, name);
        case AE_IFLNK: {
                const char *t = archive_entry_symlink(e);
                /* The text of a link is harmless: every lookup of ours resolves it in the root. */
                if (symlinkat(t ? t : "", parentfd, leaf) < 0)
                        r = -errno;
                break;
        }
        case AE_IFCHR:
        case AE_IFBLK:
        case AE_IFIFO:
                if (mknodat(parentfd, leaf, type | (archive_entry_perm(e) & 0777), archive_entry_rdev(e)) < 0)
                        r = -errno;
                break;
        default:
                log_debug("skipping tar entry %s of type 0%o", name, (unsigned) type);
                return 1;
        }
        if (r < 0)
                return err_set(c->err, r, "cannot create %s: %s", name, strerror(-r));
        return 0;
}

static int remember_dir(struct extract_ctx *c, const char *full, struct archive_entry *e)
{
        if (c->n_dirs == c->cap_dirs) {
                size_t cap = c->cap_dirs ? c->cap_dirs * 2 : 16;
                struct dir_time *n = realloc(c->dirs, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                c->dirs = n;
                c->cap_dirs = cap;
        }
        struct dir_time *d = &c->dirs[c->n_dirs];
        if (!(d->path = strdup(full)))
                return -ENOMEM;
        entry_times(e, d->times);
        c->n_dirs++;
        return 0;
}

/* Directory mtimes last: creating their children changed them. */
static void apply_dir_times(struct extract_ctx *c)
{
        for (size_t i = c->n_dirs; i > 0; i--) {
                struct dir_time *d = &c->dirs[i - 1];
                _cleanup_close_ int fd = cp_open_in_root(c->rootfd, d->path, O_PATH | O_NOFOLLOW | O_DIRECTORY);
                char p[32];
                cp_fd_path(fd, p, sizeof(p));
                if (fd >= 0 && utimensat(AT_FDCWD, p, d->times, 0) < 0)
                        log_debug("cannot set times of %s: %m", d->path);
        }
}

static int extract_entry(struct extract_ctx *c, struct archive_entry *e)
{
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                return err_set(c->err, -EINVAL, "tar entry without a name");
        _cleanup_free_ char *rel = NULL, *full = NULL;
        int r = cp_clean_rel(raw, &rel);
        if (r == -EINVAL)
                return err_set(c->err, -EINVAL, "invalid tar entry %s: outside of %s", raw, c->dest);
        if (r < 0)
                return err_set(c->err, r, "out of memory");
        if (!*rel) /* "." is the destination itself; docker leaves it alone */
                return 0;
        if (asprintf(&full, "%s%s%s", c->dest, STREQ(c->dest, "/") ? "" : "/", rel) < 0)
                return err_set(c->err, -ENOMEM, "out of memory");
        const char *slash = strrchr(full, '/');
        const char *leaf = slash + 1;
        _cleanup_free_ char *parent = strndup(full, (size_t) (slash - full));
        if (!parent)
                return err_set(c->err, -ENOMEM, "out of memory");
        _cleanup_close_ int pfd = -1;
        r = cp_mkdir_in_root(c->rootfd, *parent ? parent : "/", &pfd);
        if (r < 0)
                return err_set(c->err, r, "cannot create the parent directory of %s: %s", rel, strerror(-r));

        bool is_dir = archive_entry_filetype(e) == AE_IFDIR && !archive_entry_hardlink(e);
        bool exists_dir = false;
        struct stat st;
        if (fstatat(pfd, leaf, &st, AT_SYMLINK_NOFOLLOW) == 0) {
                bool old_dir = S_ISDIR(st.st_mode);
                if (c->no_overwrite && old_dir && !is_dir)
                        return err_set(c->err, -EINVAL, "cannot overwrite directory \"%s\" with non-directory \"%s\"",
                                       full, rel);
                if (c->no_overwrite && !old_dir && is_dir)
                        return err_set(c->err, -EINVAL, "cannot overwrite non-directory \"%s\" with directory \"%s\"",
                                       full, rel);
                exists_dir = old_dir && is_dir;
                if (!exists_dir && (r = cp_rm_rf_at(pfd, leaf)) < 0)
                        return err_set(c->err, r, "cannot replace %s: %s", full, strerror(-r));
        } else if (errno != ENOENT) {
                return err_set(c->err, -errno, "cannot stat %s: %m", full);
        }
        r = create_node(c, pfd, leaf, e, full, exists_dir);
        if (r != 0)
                return r < 0 ? r : 0;
        if (archive_entry_hardlink(e))
                return 0; /* the target's metadata was set when it was extracted */
        r = apply_metadata(c, pfd, leaf, e, full, !is_dir);
        if (r < 0)
                return r;
        if (is_dir && remember_dir(c, full, e) < 0)
                return err_set(c->err, -ENOMEM, "out of memory");
        return 0;
}

static int open_dest(struct extract_ctx *c, const char *dest, char **ret_clean)
{
        int r = cp_clean_abs(dest, ret_clean, NULL);
        if (r < 0)
                return err_set(c->err, r, "out of memory");
        /* docker follows symlinks for the destination itself (inside the root) */
        _cleanup_close_ int fd = cp_open_in_root(c->rootfd, *ret_clean, O_PATH);
        if (fd == -ENOENT)
                return err_set(c->err, -ENOENT, "Could not find the file %s in container", dest);
        if (fd == -ENOTDIR)
                return err_set(c->err, -ENOTDIR, "extraction point is not a directory");
        if (fd < 0)
                return err_set(c->err, fd, "cannot resolve %s in container: %s", dest, strerror(-fd));
        struct stat st;
        if (fstat(fd, &st) < 0)
                return err_set(c->err, -errno, "cannot stat %s: %m", dest);
        if (!S_ISDIR(st.st_mode))
                return err_set(c->err, -ENOTDIR, "extraction point is not a directory");
        return 0;
}

static int extract_loop(struct extract_ctx *c, int in_fd)
{
        c->a = archive_read_new();
        if (!c->a)
                return err_set(c->err, -ENOMEM, "out of memory");
        archive_read_support_format_tar(c->a);
        archive_read_support_format_empty(c->a);
        archive_read_support_filter_gzip(c->a);
        archive_read_support_filter_bzip2(c->a);
        archive_read_support_filter_xz(c->a);
        if (archive_read_open_fd(c->a, in_fd, 64 * 1024) != ARCHIVE_OK)
                return err_set(c->err, -EINVAL, "cannot read tar: %s", archive_error_string(c->a));
        for (;;) {
                struct archive_entry *e;
                int r = archive_read_next_header(c->a, &e);
                if (r == ARCHIVE_EOF)
                        return 0;
                if (r < ARCHIVE_WARN)
                        return err_set(c->err, -EINVAL, "cannot read tar: %s", archive_error_string(c->a));
                r = extract_entry(c, e);
                if (r < 0)
                        return r;
        }
}

int archive_extract_to(const char *rootfs, const char *dest, int in_fd, bool no_overwrite_dir_non_dir,
                       struct pouch_err *err)
{
        struct extract_ctx c = { .err = err, .no_overwrite = no_overwrite_dir_non_dir };
        _cleanup_close_ int rootfd = c.rootfd = cp_open_root(rootfs);
        if (rootfd < 0)
                return err_set(err, rootfd, "cannot open the container's root filesystem: %s", strerror(-rootfd));
        _cleanup_free_ char *clean = NULL;
        int r = open_dest(&c, dest, &clean);
        if (r < 0)
                return r;
        c.dest = clean;
        r = extract_loop(&c, in_fd);
        apply_dir_times(&c);
        for (size_t i = 0; i < c.n_dirs; i++)
                free(c.dirs[i].path);
        free(c.dirs);
        if (c.a)
                archive_read_free(c.a);
        return r < 0 ? r : 0;
}
