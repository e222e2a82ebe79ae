/* archive_stat_path: docker's X-Docker-Container-Path-Stat for a path inside a rootfs. */
#include "daemon/cp/archive.h"
#include "daemon/cp/cp-internal.h"

#include "lib/cleanup.h"
#include "lib/utf8.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Docker reports a symlink's fully resolved target as an absolute path inside the container. */
static char *resolved_link_target(int rootfd, const char *clean)
{
        char rootbuf[PATH_MAX], tbuf[PATH_MAX], fdp[32];
        _cleanup_close_ int fd = cp_open_in_root(rootfd, clean, O_PATH);
        if (fd >= 0) {
                cp_fd_path(rootfd, fdp, sizeof(fdp));
                ssize_t rn = readlink(fdp, rootbuf, sizeof(rootbuf) - 1);
                cp_fd_path(fd, fdp, sizeof(fdp));
                ssize_t tn = readlink(fdp, tbuf, sizeof(tbuf) - 1);
                if (rn > 0 && tn > 0) {
                        rootbuf[rn] = tbuf[tn] = '\0';
                        if (STREQ(rootbuf, "/"))
                                return strdup(tbuf);
                        size_t l = (size_t) rn;
                        if (strncmp(tbuf, rootbuf, l) == 0 && tbuf[l] == '\0')
                                return strdup("/");
                        if (strncmp(tbuf, rootbuf, l) == 0 && tbuf[l] == '/')
                                return strdup(tbuf + l);
                }
        }
        /* Dangling (or unexpected /proc answer): resolve the link text lexically. */
        _cleanup_close_ int pfd = -1;
        const char *leaf;
        if (cp_open_parent(rootfd, clean, &pfd, &leaf) < 0 || !leaf)
                return strdup(clean);
        ssize_t n = readlinkat(pfd, leaf, tbuf, sizeof(tbuf) - 1);
        if (n < 0)
                return strdup(clean);
        tbuf[n] = '\0';
        _cleanup_free_ char *joined = NULL;
        if (tbuf[0] == '/')
                joined = strdup(tbuf);
        else if (asprintf(&joined, "%.*s/%s", (int) (leaf - clean), clean, tbuf) < 0)
                joined = NULL;
        if (!joined)
                return NULL;
        char *out = NULL;
        if (cp_clean_abs(joined, &out, NULL) < 0)
                return NULL;
        return out;
}

int archive_stat_path(const char *rootfs, const char *path, json_t **ret_stat, struct pouch_err *err)
{
        _cleanup_free_ char *clean = NULL;
        bool follow = false;
        int r = cp_clean_abs(path, &clean, &follow);
        if (r < 0)
                return err_set(err, r, "out of memory");
        _cleanup_close_ int rootfd = cp_open_root(rootfs);
        if (rootfd < 0)
                return err_set(err, rootfd, "cannot open the container's root filesystem: %s", strerror(-rootfd));
        /* A trailing "/" or "/." follows a final symlink (and requires a directory), like docker. */
        _cleanup_close_ int fd = cp_open_in_root(rootfd, clean, O_PATH | (follow ? O_DIRECTORY : O_NOFOLLOW));
        if (fd == -ENOENT)
                return err_set(err, -ENOENT, "Could not find the file %s in container", path);
        if (fd == -ENOTDIR && follow)
                return err_set(err, -ENOTDIR, "%s: not a directory", path);
        if (fd < 0)
                return err_set(err, fd, "cannot resolve %s in container: %s", path, strerror(-fd));
        struct stat st;
        if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
                return err_set(err, -errno, "cannot stat %s in container: %m", path);
        _cleanup_free_ char *target = NULL;
        if (S_ISLNK(st.st_mode)) {
                target = resolved_link_target(rootfd, clean);
                if (!target)
                        return err_set(err, -ENOMEM, "out of memory");
        }
        char mtime[128];
        cp_format_go_time(&st.st_mtim, mtime, sizeof(mtime));
        /* names inside a container may be any bytes; the header is JSON */
        json_t *j = json_pack("{s:o,s:I,s:I,s:s,s:o}", "name", json_string_utf8(cp_base_name(path, clean, "/")), "size",
                              (json_int_t) st.st_size, "mode", (json_int_t) cp_go_filemode(st.st_mode), "mtime", mtime,
                              "linkTarget", json_string_utf8(target ? target : ""));
        if (!j)
                return err_set(err, -ENOMEM, "out of memory");
        *ret_stat = j;
        return 0;
}
