/* layer_unpack: create the entries of a layer tar ourselves, below an O_PATH root fd.
 *
 * archive_write_disk is deliberately not used: every create/open here is relative to a parent
 * directory fd obtained through openat2(RESOLVE_IN_ROOT|RESOLVE_NO_SYMLINKS), so neither a
 * hostile name nor a symlink planted by an earlier entry can make us write outside dest. */
#include "daemon/image/layer.h"
#include "daemon/image/layer-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define WHITEOUT_PREFIX ".wh."
#define WHITEOUT_OPAQUE ".wh..wh..opq"

struct dir_time {
        char *path;
        struct timespec mtime;
};

struct unpack {
        int rootfd;
        struct archive *a;
        struct archive_entry *e;
        const char *name; /* cleaned entry path */
        bool root;        /* running as root: ownership and whiteouts must work */
        int64_t size;
        struct dir_time *dirs;
        size_t n_dirs, cap_dirs;
};

static int note_dir_time(struct unpack *u, const char *rel, const struct timespec *ts)
{
        if (u->n_dirs == u->cap_dirs) {
                size_t cap = u->cap_dirs ? u->cap_dirs * 2 : 64;
                struct dir_time *n = realloc(u->dirs, cap * sizeof(*n));
                if (!n)
                        return -ENOMEM;
                u->dirs = n;
                u->cap_dirs = cap;
        }
        char *p = strdup(rel);
        if (!p)
                return -ENOMEM;
        u->dirs[u->n_dirs++] = (struct dir_time){ p, *ts };
        return 0;
}

static struct timespec entry_mtime(struct archive_entry *e)
{
        return (struct timespec){ .tv_sec = archive_entry_mtime(e), .tv_nsec = archive_entry_mtime_nsec(e) };
}

/* Ownership: fatal as root; as an unprivileged user (tests) only what we can do. */
static int apply_owner(struct unpack *u, int dirfd, const char *name, int flags)
{
        uid_t uid = (uid_t) archive_entry_uid(u->e);
        gid_t gid = (gid_t) archive_entry_gid(u->e);
        if (fchownat(dirfd, name, uid, gid, flags | AT_SYMLINK_NOFOLLOW) == 0)
                return 0;
        if (!u->root && errno == EPERM) {
                log_debug("layer entry %s: cannot chown to %u:%u unprivileged, ignoring", u->name, uid, gid);
                return 0;
        }
        return -errno;
}

static int apply_xattrs(struct unpack *u, int fd, struct pouch_err *err)
{
        const char *name;
        const void *value;
        size_t size;
        archive_entry_xattr_reset(u->e);
        while (archive_entry_xattr_next(u->e, &name, &value, &size) == ARCHIVE_OK) {
                /* overlay's own attributes may only come from whiteouts, never from a tar */
                if (strncmp(name, "trusted.overlay.", 16) == 0) {
                        log_debug("layer entry %s: dropping xattr %s", u->name, name);
                        continue;
                }
                if (fsetxattr(fd, name, value, size, 0) == 0)
                        continue;
                if (strncmp(name, "trusted.", 8) == 0 && u->root)
                        return err_set(err, -errno, "layer entry %s: setting xattr %s: %m", u->name, name);
                log_debug("layer entry %s: ignoring xattr %s: %m", u->name, name);
        }
        return 0;
}

/* Remove whatever exists at name unless both it and the new entry are directories. */
static int make_room(struct unpack *u, int pfd, const char *base, bool new_is_dir, bool *ret_exists_dir)
{
        struct stat st;
        *ret_exists_dir = false;
        if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return errno == ENOENT ? 0 : -errno;
        if (new_is_dir && S_ISDIR(st.st_mode)) {
                *ret_exists_dir = true;
                return 0;
        }
        int r = safe_remove_at(pfd, base);
        if (r < 0)
                log_debug_errno(r, "layer entry %s: cannot replace the existing entry", u->name);
        return r;
}

static int write_regular(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        bool exists;
        int r = make_room(u, pfd, base, false, &exists);
        if (r < 0)
                return err_set(err, r, "layer entry %s: cannot replace existing entry", u->name);
        _cleanup_close_ int fd = safe_openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0600);
        if (fd < 0)
                return err_set(err, fd, "layer entry %s: cannot create: %s", u->name, strerror(-fd));
        const void *buf;
        size_t n;
        la_int64_t off;
        while ((r = archive_read_data_block(u->a, &buf, &n, &off)) == ARCHIVE_OK) {
                /* pwrite at the block offset keeps sparse files sparse */
                size_t done = 0;
                while (done < n) {
                        ssize_t w = pwrite(fd, (const char *) buf + done, n - done, off + (off_t) done);
                        if (w < 0 && errno == EINTR)
                                continue;
                        if (w < 0)
                                return err_set(err, -errno, "layer entry %s: write: %m", u->name);
                        done += (size_t) w;
                }
        }
        if (r != ARCHIVE_EOF)
                return err_set(err, -EINVAL, "layer entry %s: reading data: %s", u->name, archive_error_string(u->a));
        if (ftruncate(fd, archive_entry_size(u->e)) < 0)
                return err_set(err, -errno, "layer entry %s: truncate: %m", u->name);
        u->size += archive_entry_size(u->e);
        if ((r = apply_owner(u, fd, "", AT_EMPTY_PATH)) < 0)
                return err_set(err, r, "layer entry %s: chown: %s", u->name, strerror(-r));
        /* xattrs (security.capability) after chown, which clears them; mode after both (setuid) */
        if ((r = apply_xattrs(u, fd, err)) < 0)
                return r;
        if (fchmod(fd, archive_entry_perm(u->e)) < 0)
                return err_set(err, -errno, "layer entry %s: chmod: %m", u->name);
        struct timespec ts[2] = { entry_mtime(u->e), entry_mtime(u->e) };
        if (futimens(fd, ts) < 0)
                return err_set(err, -errno, "layer entry %s: set times: %m", u->name);
        return 0;
}

static int write_dir(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        bool exists;
        int r;
        if (*base) {
                if ((r = make_room(u, pfd, base, true, &exists)) < 0)
                        return err_set(err, r, "layer entry %s: cannot replace existing entry", u->name);
                if (!exists && mkdirat(pfd, base, 0700) < 0)
                        return err_set(err, -errno, "layer entry %s: mkdir: %m", u->name);
        }
        _cleanup_close_ int fd = safe_openat(pfd, *base ? base : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
        if (fd < 0)
                return err_set(err, fd, "layer entry %s: open: %s", u->name, strerror(-fd));
        if ((r = apply_owner(u, fd, "", AT_EMPTY_PATH)) < 0)
                return err_set(err, r, "layer entry %s: chown: %s", u->name, strerror(-r));
        if ((r = apply_xattrs(u, fd, err)) < 0)
                return r;
        if (fchmod(fd, archive_entry_perm(u->e)) < 0)
                return err_set(err, -errno, "layer entry %s: chmod: %m", u->name);
        struct timespec ts = entry_mtime(u->e);
        if (note_dir_time(u, u->name, &ts) < 0)
                return err_set(err, -ENOMEM, "out of memory");
        return 0;
}

static int write_symlink(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        const char *target = archive_entry_symlink(u->e);
        bool exists;
        int r;
        if (!target || !*target)
                return err_set(err, -EINVAL, "layer entry %s: symlink without a target", u->name);
        /* the target is just the link's content; it is only ever resolved inside the container */
        if ((r = make_room(u, pfd, base, false, &exists)) < 0 || symlinkat(target, pfd, base) < 0)
                return err_set(err, r < 0 ? r : -errno, "layer entry %s: symlink: %s", u->name,
                               strerror(r < 0 ? -r : errno));
        if ((r = apply_owner(u, pfd, base, 0)) < 0)
                return err_set(err, r, "layer entry %s: chown: %s", u->name, strerror(-r));
        struct timespec ts[2] = { entry_mtime(u->e), entry_mtime(u->e) };
        if (utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW) < 0)
                return err_set(err, -errno, "layer entry %s: set times: %m", u->name);
        return 0;
}

static int write_hardlink(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        char target[PATH_MAX];
        const char *tbase;
        bool exists;
        int r = safe_clean_path(archive_entry_hardlink(u->e), target, sizeof(target), err);
        if (r < 0)
                return err_set(err, r, "layer entry %s: hard link target %s escapes the layer root", u->name,
                               archive_entry_hardlink(u->e));
        if (!*target)
                return err_set(err, -EINVAL, "layer entry %s: hard link to the layer root", u->name);
        _cleanup_close_ int tfd = safe_open_parent(u->rootfd, target, false, &tbase, err);
        if (tfd < 0)
                return err_wrap(err, "layer entry %s: hard link target", u->name);
        struct stat st;
        if (fstatat(tfd, tbase, &st, AT_SYMLINK_NOFOLLOW) < 0)
                return err_set(err, -EINVAL, "layer entry %s: hard link target %s does not exist", u->name, target);
        if (S_ISDIR(st.st_mode))
                return err_set(err, -EINVAL, "layer entry %s: hard link to a directory", u->name);
        if (STREQ(target, u->name))
                return 0;
        if ((r = make_room(u, pfd, base, false, &exists)) < 0)
                return err_set(err, r, "layer entry %s: cannot replace existing entry", u->name);
        if (linkat(tfd, tbase, pfd, base, 0) < 0)
                return err_set(err, -errno, "layer entry %s: link: %m", u->name);
        return 0;
}

static int write_whiteout(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        if (STREQ(base, WHITEOUT_OPAQUE)) {
                _cleanup_close_ int dfd = safe_openat(pfd, ".", O_RDONLY | O_DIRECTORY, 0);
                if (dfd < 0)
                        return err_set(err, dfd, "layer entry %s: open directory: %s", u->name, strerror(-dfd));
                if (fsetxattr(dfd, "trusted.overlay.opaque", "y", 1, 0) < 0)
                        return err_set(err, -errno, "layer entry %s: marking the directory opaque: %m", u->name);
                return 0;
        }
        const char *real = base + strlen(WHITEOUT_PREFIX);
        if (strncmp(real, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0) {
                log_debug("layer entry %s: skipping whiteout metadata", u->name);
                return 0;
        }
        if (!*real || STREQ(real, ".") || STREQ(real, ".."))
                return err_set(err, -EINVAL, "layer entry %s: invalid whiteout", u->name);
        bool exists;
        int r = make_room(u, pfd, real, false, &exists);
        if (r < 0)
                return err_set(err, r, "layer entry %s: cannot replace existing entry", u->name);
        if (mknodat(pfd, real, S_IFCHR | 0, makedev(0, 0)) < 0)
                return err_set(err, -errno, "layer entry %s: creating whiteout: %m", u->name);
        if ((r = apply_owner(u, pfd, real, 0)) < 0)
                return err_set(err, r, "layer entry %s: chown: %s", u->name, strerror(-r));
        return 0;
}

static int write_fifo(struct unpack *u, int pfd, const char *base, struct pouch_err *err)
{
        bool exists;
        int r = make_room(u, pfd, base, false, &exists);
        if (r < 0 || mknodat(pfd, base, S_IFIFO | archive_entry_perm(u->e), 0) < 0)
                return err_set(err, r < 0 ? r : -errno, "layer entry %s: mkfifo failed", u->name);
        if ((r = apply_owner(u, pfd, base, 0)) < 0)
                return err_set(err, r, "layer entry %s: chown: %s", u->name, strerror(-r));
        struct timespec ts[2] = { entry_mtime(u->e), entry_mtime(u->e) };
        (void) utimensat(pfd, base, ts, AT_SYMLINK_NOFOLLOW);
        return 0;
}

static int unpack_entry(struct unpack *u, struct pouch_err *err)
{
        char rel[PATH_MAX];
        const char *name = archive_entry_pathname(u->e);
        if (!name)
                return err_set(err, -EINVAL, "layer entry without a name");
        int r = safe_clean_path(name, rel, sizeof(rel), err);
        if (r < 0)
                return r;
        u->name = rel;
        mode_t type = archive_entry_filetype(u->e);
        if (!*rel) {
                if (type != AE_IFDIR)
                        return err_set(err, -EINVAL, "layer entry %s: the root must be a directory", name);
                return write_dir(u, u->rootfd, "", err);
        }
        const char *base;
        _cleanup_close_ int pfd = safe_open_parent(u->rootfd, rel, true, &base, err);
        if (pfd < 0)
                return pfd;
        if (STREQ(base, ".."))
                return err_set(err, -EINVAL, "layer entry %s escapes the layer root", name);
        if (archive_entry_hardlink(u->e))
                return write_hardlink(u, pfd, base, err);
        if (strncmp(base, WHITEOUT_PREFIX, strlen(WHITEOUT_PREFIX)) == 0)
                return write_whiteout(u, pfd, base, err);
        switch (type) {
        case AE_IFREG:
                return write_regular(u, pfd, base, err);
        case AE_IFDIR:
                return write_dir(u, pfd, base, err);
        case AE_IFLNK:
                return write_symlink(u, pfd, base, err);
        case AE_IFIFO:
                return write_fifo(u, pfd, base, err);
        case AE_IFCHR:
        case AE_IFBLK:
                return err_set(err, -EINVAL, "layer entry %s is a device node; refusing it", name);
        default:
                return err_set(err, -EINVAL, "layer entry %s has an unsupported type 0%o", name, (unsigned) type);
        }
}

/* Directory mtimes last, deepest first, since creating children changed them. */
static void fix_dir_times(struct unpack *u)
{
        for (size_t i = u->n_dirs; i > 0; i--) {
                struct dir_time *d = &u->dirs[i - 1];
                _cleanup_close_ int fd = safe_openat(u->rootfd, d->path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW, 0);
                struct timespec ts[2] = { d->mtime, d->mtime };
                if (fd < 0 || futimens(fd, ts) < 0)
                        log_debug("layer: cannot set the mtime of %s", *d->path ? d->path : "/");
        }
}

static void unpack_done(struct unpack *u)
{
        for (size_t i = 0; i < u->n_dirs; i++)
                free(u->dirs[i].path);
        free(u->dirs);
}

int layer_unpack_tee(int fd, const char *dest, int tee_fd, int64_t *ret_size, char *ret_diff_id, struct pouch_err *err)
{
        _cleanup_close_ int rootfd = open(dest, O_PATH | O_DIRECTORY | O_CLOEXEC);
        if (rootfd < 0)
                return err_set(err, -errno, "cannot open layer directory %s: %m", dest);
        struct layer_stream ls;
        int r = layer_stream_open(&ls, fd, tee_fd, err);
        if (r < 0)
                return r;
        struct unpack u = { .rootfd = rootfd, .a = ls.tar, .root = geteuid() == 0 };
        for (;;) {
                r = archive_read_next_header(ls.tar, &u.e);
                if (r == ARCHIVE_EOF)
                        break;
                if (r < ARCHIVE_WARN) {
                        r = err_set(err, ls.tee_error ? ls.tee_error : -EINVAL, "reading layer tar: %s",
                                    archive_error_string(ls.tar));
                        goto out;
                }
                r = unpack_entry(&u, err);
                if (r < 0)
                        goto out;
        }
        char diff_id[72];
        r = layer_stream_finish(&ls, diff_id, err);
        if (r < 0)
                goto out;
        fix_dir_times(&u);
        if (ret_size)
                *ret_size = u.size;
        if (ret_diff_id)
                memcpy(ret_diff_id, diff_id, 72);
        r = 0;
out:
        unpack_done(&u);
        layer_stream_done(&ls);
        return r;
}

int layer_unpack(int fd, const char *dest, int64_t *ret_size, char *ret_diff_id, struct pouch_err *err)
{
        return layer_unpack_tee(fd, dest, -1, ret_size, ret_diff_id, err);
}
