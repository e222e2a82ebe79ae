/* archive_tar_path: write a tar of a file or tree inside a rootfs, walking with fds only. */
#include "daemon/cp/archive.h"
#include "daemon/cp/cp-internal.h"

#include "lib/cleanup.h"
#include "lib/log.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct tar_ctx {
        struct archive *a;
        struct archive_entry_linkresolver *links;
        struct pouch_err *err;
        char buf[64 * 1024];
};

static int tar_error(struct tar_ctx *c, const char *what)
{
        int e = archive_errno(c->a);
        return err_set(c->err, e > 0 ? -e : -EIO, "%s: %s", what, archive_error_string(c->a));
}

static int cmp_str(const void *x, const void *y)
{
        return strcmp(*(char *const *) x, *(char *const *) y);
}

/* Names of a directory, sorted like Go's filepath.Walk. */
static int list_dir(int dfd, char ***ret, size_t *ret_n)
{
        int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0)
                return -errno;
        _cleanup_closedir_ DIR *d = fdopendir(fd);
        if (!d) {
                int r = -errno;
                close(fd);
                return r;
        }
        char **v = NULL;
        size_t n = 0, cap = 0;
        struct dirent *de;
        int r = 0;
        while ((errno = 0, de = readdir(d))) {
                if (STREQ(de->d_name, ".") || STREQ(de->d_name, ".."))
                        continue;
                if (n == cap) {
                        cap = cap ? cap * 2 : 16;
                        char **nv = realloc(v, cap * sizeof(*v));
                        if (!nv) {
                                r = -ENOMEM;
                                break;
                        }
                        v = nv;
                }
                if (!(v[n] = strdup(de->d_name))) {
                        r = -ENOMEM;
                        break;
                }
                n++;
        }
        if (r == 0 && errno)
                r = -errno;
        if (r < 0) {
                while (n > 0)
                        free(v[--n]);
                free(v);
                return r;
        }
        if (n > 0)
                qsort(v, n, sizeof(*v), cmp_str);
        *ret = v;
        *ret_n = n;
        return 0;
}

static int write_file_data(struct tar_ctx *c, int dirfd, const char *name, const struct stat *st, const char *arcname)
{
        _cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd < 0)
                return err_set(c->err, -errno, "cannot open %s: %m", arcname);
        struct stat fst;
        if (fstat(fd, &fst) < 0)
                return err_set(c->err, -errno, "cannot stat %s: %m", arcname);
        if (!S_ISREG(fst.st_mode) || fst.st_ino != st->st_ino || fst.st_dev != st->st_dev)
                return err_set(c->err, -EAGAIN, "%s changed while it was archived", arcname);
        /* Exactly st_size bytes: libarchive pads a shrunk file with zeros, a grown one is cut. */
        off_t left = st->st_size;
        while (left > 0) {
                ssize_t n = read(fd, c->buf, sizeof(c->buf));
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return err_set(c->err, -errno, "cannot read %s: %m", arcname);
                }
                if (n == 0)
                        break;
                if (n > left)
                        n = (ssize_t) left;
                if (archive_write_data(c->a, c->buf, (size_t) n) < 0)
                        return tar_error(c, "cannot write tar");
                left -= n;
        }
        return 0;
}

static int tar_dir_children(struct tar_ctx *c, int dirfd, const char *name, const char *arcname);

/* Archive dirfd/name (name "" = dirfd itself, always a directory) as arcname. */
static int tar_add(struct tar_ctx *c, int dirfd, const char *name, const char *arcname)
{
        struct stat st;
        if (fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW | (*name ? 0 : AT_EMPTY_PATH)) < 0) {
                if (errno == ENOENT) /* vanished while walking: skip like docker does */
                        return 0;
                return err_set(c->err, -errno, "cannot stat %s: %m", arcname);
        }
        if (S_ISSOCK(st.st_mode)) /* tar cannot hold sockets */
                return 0;
        struct archive_entry *e = archive_entry_new();
        if (!e)
                return err_set(c->err, -ENOMEM, "out of memory");
        archive_entry_copy_stat(e, &st);
        archive_entry_set_pathname(e, arcname);
        archive_entry_unset_atime(e);
        archive_entry_unset_ctime(e);
        archive_entry_unset_birthtime(e);
        archive_entry_set_mtime(e, st.st_mtim.tv_sec, 0);
        if (!S_ISREG(st.st_mode))
                archive_entry_set_size(e, 0);
        if (S_ISLNK(st.st_mode)) {
                char target[PATH_MAX];
                ssize_t n = readlinkat(dirfd, name, target, sizeof(target) - 1);
                if (n < 0) {
                        archive_entry_free(e);
                        return err_set(c->err, -errno, "cannot read link %s: %m", arcname);
                }
                target[n] = '\0';
                archive_entry_set_symlink(e, target);
        }
        struct archive_entry *sparse = NULL;
        if (S_ISREG(st.st_mode) && st.st_nlink > 1)
                archive_entry_linkify(c->links, &e, &sparse);
        int r = 0;
        if (e) {
                bool is_link = archive_entry_hardlink(e) != NULL;
                if (archive_write_header(c->a, e) < ARCHIVE_WARN)
                        r = tar_error(c, "cannot write tar header");
                else if (S_ISREG(st.st_mode) && !is_link)
                        r = write_file_data(c, dirfd, name, &st, arcname);
                archive_entry_free(e);
        }
        if (sparse)
                archive_entry_free(sparse);
        if (r < 0)
                return r;
        if (S_ISDIR(st.st_mode))
                return tar_dir_children(c, dirfd, name, arcname);
        return 0;
}

static int tar_dir_children(struct tar_ctx *c, int dirfd, const char *name, const char *arcname)
{
        _cleanup_close_ int dfd = openat(dirfd, *name ? name : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (dfd < 0)
                return err_set(c->err, -errno, "cannot open directory %s: %m", arcname);
        char **names = NULL;
        size_t n = 0;
        int r = list_dir(dfd, &names, &n);
        if (r < 0)
                return err_set(c->err, r, "cannot list %s: %s", arcname, strerror(-r));
        for (size_t i = 0; i < n; i++) {
                if (r < 0)
                        continue;
                _cleanup_free_ char *child = NULL;
                if (asprintf(&child, "%s/%s", arcname, names[i]) < 0)
                        r = err_set(c->err, -ENOMEM, "out of memory");
                else
                        r = tar_add(c, dfd, names[i], child);
        }
        for (size_t i = 0; i < n; i++)
                free(names[i]);
        free(names);
        return r;
}

static int tar_open(struct tar_ctx *c, int out_fd)
{
        c->a = archive_write_new();
        c->links = archive_entry_linkresolver_new();
        if (!c->a || !c->links)
                return err_set(c->err, -ENOMEM, "out of memory");
        if (archive_write_set_format_pax_restricted(c->a) != ARCHIVE_OK)
                return tar_error(c, "cannot set tar format");
        archive_entry_linkresolver_set_strategy(c->links, archive_format(c->a));
        /* Stream it: no padding of the last block to 10 KiB. */
        archive_write_set_bytes_in_last_block(c->a, 1);
        if (archive_write_open_fd(c->a, out_fd) != ARCHIVE_OK)
                return tar_error(c, "cannot start tar");
        return 0;
}

int archive_tar_path(const char *rootfs, const char *path, int out_fd, struct pouch_err *err)
{
        _cleanup_free_ char *clean = NULL;
        bool follow = false;
        int r = cp_clean_abs(path, &clean, &follow);
        if (r < 0)
                return err_set(err, r, "out of memory");
        _cleanup_close_ int rootfd = cp_open_root(rootfs);
        if (rootfd < 0)
                return err_set(err, rootfd, "cannot open the container's root filesystem: %s", strerror(-rootfd));
        _cleanup_close_ int fd = -1;
        const char *leaf = NULL;
        if (follow) /* "dir/." and "dir/": follow a final symlink; must be a directory */
                r = fd = cp_open_in_root(rootfd, clean, O_PATH | O_DIRECTORY);
        else
                r = cp_open_parent(rootfd, clean, &fd, &leaf);
        if (r >= 0 && leaf && fstatat(fd, leaf, &(struct stat){ 0 }, AT_SYMLINK_NOFOLLOW) < 0)
                r = -errno;
        if (r == -ENOENT || r == -ENOTDIR)
                return err_set(err, -ENOENT, "Could not find the file %s in container", path);
        if (r < 0)
                return err_set(err, r, "cannot resolve %s in container: %s", path, strerror(-r));
        const char *arcname = cp_base_name(path, clean, ".");

        struct tar_ctx *c = calloc(1, sizeof(*c));
        if (!c)
                return err_set(err, -ENOMEM, "out of memory");
        c->err = err;
        r = tar_open(c, out_fd);
        if (r >= 0)
                r = tar_add(c, fd, leaf ? leaf : "", arcname);
        if (c->a) {
                if (r >= 0 && archive_write_close(c->a) != ARCHIVE_OK)
                        r = tar_error(c, "cannot finish tar");
                archive_write_free(c->a);
        }
        if (c->links)
                archive_entry_linkresolver_free(c->links);
        free(c);
        return r < 0 ? r : 0;
}
