/* Spooling an image archive (docker-archive / OCI layout tar) to numbered files under the store's
 * tmp/, since manifest.json or index.json may come after the blobs they describe.
 *
 * Member names never become paths: each regular file is stored as tmp/load-XXXXXX/<n> and the
 * name -> file mapping is kept in memory, so a hostile archive cannot place files anywhere.
 * Symlinks and hard links (old `docker save` links duplicate layer.tar files) are recorded as
 * name -> name aliases, resolved lexically inside the archive. */
#include "daemon/image/load-spool.h"
#include "daemon/image/layer-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <archive_entry.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void spool_done(struct spool *sp)
{
        if (sp->dir)
                rm_rf(sp->dir);
        free(sp->dir);
        json_decref(sp->files);
        json_decref(sp->links);
        *sp = (struct spool){ 0 };
}

/* Resolve a link target relative to the link's directory; NULL when it leaves the archive. */
static char *resolve_link(const char *name, const char *target)
{
        char buf[PATH_MAX * 2];
        if (target[0] == '/')
                snprintf(buf, sizeof(buf), "%s", target);
        else {
                const char *slash = strrchr(name, '/');
                snprintf(buf, sizeof(buf), "%.*s/%s", slash ? (int) (slash - name) : 0, name, target);
        }
        char out[PATH_MAX * 2];
        size_t o = 0;
        for (char *save = NULL, *c = strtok_r(buf, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
                if (STREQ(c, "."))
                        continue;
                if (STREQ(c, "..")) {
                        if (o == 0)
                                return NULL;
                        while (o > 0 && out[o - 1] != '/')
                                o--;
                        if (o > 0)
                                o--;
                        continue;
                }
                o += (size_t) snprintf(out + o, sizeof(out) - o, "%s%s", o ? "/" : "", c);
                if (o >= sizeof(out))
                        return NULL;
        }
        out[o] = '\0';
        return strdup(out);
}

static int spool_file(struct spool *sp, struct archive *a, const char *name, struct pouch_err *err)
{
        char path[PATH_MAX];
        snprintf(path, sizeof(path), "%s/%u", sp->dir, sp->count++);
        _cleanup_close_ int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
        if (fd < 0)
                return err_set(err, -errno, "spooling %s: %m", name);
        const void *buf;
        size_t n;
        la_int64_t off;
        int r;
        while ((r = archive_read_data_block(a, &buf, &n, &off)) == ARCHIVE_OK) {
                if (lseek(fd, off, SEEK_SET) < 0)
                        return err_set(err, -errno, "spooling %s: %m", name);
                int w = write_all(fd, buf, n);
                if (w < 0)
                        return err_set(err, w, "spooling %s: %s", name, strerror(-w));
        }
        if (r != ARCHIVE_EOF)
                return err_set(err, -EINVAL, "reading %s from the archive: %s", name, archive_error_string(a));
        if (ftruncate(fd, lseek(fd, 0, SEEK_END)) < 0)
                return err_set(err, -errno, "spooling %s: %m", name);
        json_object_set_new(sp->files, name, json_string(path));
        json_object_del(sp->links, name);
        return 0;
}

static int spool_entry(struct spool *sp, struct archive *a, struct archive_entry *e, struct pouch_err *err)
{
        char name[PATH_MAX];
        const char *raw = archive_entry_pathname(e);
        if (!raw)
                return 0;
        int r = safe_clean_path(raw, name, sizeof(name), err);
        if (r < 0)
                return err_set(err, -EINVAL, "invalid archive member name %s", raw);
        const char *hl = archive_entry_hardlink(e);
        if (hl || archive_entry_filetype(e) == AE_IFLNK) {
                char hclean[PATH_MAX];
                _cleanup_free_ char *target = NULL;
                if (hl)
                        target = safe_clean_path(hl, hclean, sizeof(hclean), NULL) == 0 ? strdup(hclean) : NULL;
                else
                        target = resolve_link(name, archive_entry_symlink(e) ? archive_entry_symlink(e) : "");
                if (target) {
                        json_object_set_new(sp->links, name, json_string(target));
                        json_object_del(sp->files, name);
                } else {
                        log_debug("image archive: ignoring link %s pointing outside the archive", name);
                }
                return 0;
        }
        if (archive_entry_filetype(e) == AE_IFREG && *name)
                return spool_file(sp, a, name, err);
        return 0; /* directories and anything else carry nothing we need */
}

int spool_archive(int fd, const char *dir, struct spool *ret, struct pouch_err *err)
{
        struct spool sp = { .dir = strdup(dir), .files = json_object(), .links = json_object() };
        if (!sp.dir || !sp.files || !sp.links) {
                spool_done(&sp);
                return err_set(err, -ENOMEM, "out of memory");
        }
        struct archive *a = archive_read_new();
        archive_read_support_filter_all(a);
        archive_read_support_format_tar(a);
        archive_read_support_format_gnutar(a);
        int r = 0;
        if (archive_read_open_fd(a, fd, 128 * 1024) != ARCHIVE_OK) {
                r = err_set(err, -EINVAL, "the image archive is not readable: %s", archive_error_string(a));
                goto out;
        }
        for (;;) {
                struct archive_entry *e;
                int ar = archive_read_next_header(a, &e);
                if (ar == ARCHIVE_EOF)
                        break;
                if (ar < ARCHIVE_WARN) {
                        r = err_set(err, -EINVAL, "the image archive is not a valid tar: %s", archive_error_string(a));
                        goto out;
                }
                r = spool_entry(&sp, a, e, err);
                if (r < 0)
                        goto out;
        }
out:
        archive_read_free(a);
        if (r < 0) {
                spool_done(&sp);
                return r;
        }
        *ret = sp;
        return 0;
}

const char *spool_lookup(const struct spool *sp, const char *name)
{
        char clean[PATH_MAX];
        if (!name || safe_clean_path(name, clean, sizeof(clean), NULL) < 0)
                return NULL;
        const char *cur = clean;
        for (int hops = 0; hops < 16; hops++) {
                const char *f = json_string_value(json_object_get(sp->files, cur));
                if (f)
                        return f;
                cur = json_string_value(json_object_get(sp->links, cur));
                if (!cur)
                        return NULL;
        }
        return NULL;
}

int spool_read_json(const struct spool *sp, const char *name, char **ret_data, size_t *ret_len, json_t **ret_json,
                    struct pouch_err *err)
{
        const char *p = spool_lookup(sp, name);
        if (!p)
                return err_set(err, -EINVAL, "the image archive has no %s", name);
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_file(p, 32u << 20, &data, &len);
        if (r < 0)
                return err_set(err, r, "reading %s from the archive: %s", name, strerror(-r));
        json_error_t je;
        json_t *j = json_loadb(data, len, 0, &je);
        if (!j)
                return err_set(err, -EINVAL, "%s in the archive is not valid JSON: %s", name, je.text);
        *ret_json = j;
        if (ret_data)
                *ret_data = TAKE_PTR(data);
        if (ret_len)
                *ret_len = len;
        return 0;
}
