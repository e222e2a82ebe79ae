/* `docker save`: the layout of docker >= 25, which is both a docker-archive (manifest.json,
 * repositories) and an OCI image layout (oci-layout, index.json, blobs/sha256/...). Layers are the
 * uncompressed tars kept at load/import time, so they are byte-identical to what came in and
 * their digests are the diff ids. All blobs are opened under the lock first; a concurrent rmi
 * then cannot pull them away while we stream. */
#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER "application/vnd.oci.image.layer.v1.tar"

struct blob {
        char digest[72];
        int fd;
        int64_t size;
};

struct save {
        struct blob *blobs;
        size_t n_blobs;
        json_t *images; /* hex -> {"tags": [full refs]} in request order */
        json_t *order;  /* [hex...] */
};

static void save_done(struct save *sv)
{
        for (size_t i = 0; i < sv->n_blobs; i++)
                if (sv->blobs[i].fd >= 0)
                        close(sv->blobs[i].fd);
        free(sv->blobs);
        json_decref(sv->images);
        json_decref(sv->order);
}

static int add_blob(struct image_store *s, struct save *sv, const char *digest, int64_t *ret_size)
{
        for (size_t i = 0; i < sv->n_blobs; i++)
                if (STREQ(sv->blobs[i].digest, digest)) {
                        *ret_size = sv->blobs[i].size;
                        return 0;
                }
        _cleanup_free_ char *p = store_path(s, "blobs/sha256/%s", id_hex(digest));
        int fd = p ? open(p, O_RDONLY | O_CLOEXEC) : -1;
        struct stat st;
        if (fd < 0 || fstat(fd, &st) < 0) {
                int r = p ? -errno : -ENOMEM;
                if (fd >= 0)
                        close(fd);
                return r;
        }
        struct blob *n = realloc(sv->blobs, (sv->n_blobs + 1) * sizeof(*n));
        if (!n) {
                close(fd);
                return -ENOMEM;
        }
        sv->blobs = n;
        struct blob *b = &sv->blobs[sv->n_blobs++];
        snprintf(b->digest, sizeof(b->digest), "%s", digest);
        b->fd = fd;
        b->size = st.st_size;
        *ret_size = st.st_size;
        return 0;
}

static int write_entry(struct archive *a, const char *name, int fd, const void *data, int64_t size, time_t mtime)
{
        struct archive_entry *e = archive_entry_new();
        archive_entry_set_pathname(e, name);
        archive_entry_set_filetype(e, AE_IFREG);
        archive_entry_set_perm(e, 0644);
        archive_entry_set_size(e, size);
        archive_entry_set_mtime(e, mtime, 0);
        int r = archive_write_header(a, e) == ARCHIVE_OK ? 0 : -EIO;
        archive_entry_free(e);
        if (r < 0)
                return r;
        if (data)
                return archive_write_data(a, data, (size_t) size) == (la_ssize_t) size ? 0 : -EIO;
        char buf[128 * 1024];
        int64_t off = 0;
        while (off < size) {
                ssize_t n = pread(fd, buf, sizeof(buf), off);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n <= 0)
                        return n < 0 ? -errno : -EIO;
                if (archive_write_data(a, buf, (size_t) n) != n)
                        return -EIO;
                off += n;
        }
        return 0;
}

static int write_json(struct archive *a, const char *name, const json_t *j, time_t mtime, char ret_digest[72],
                      int64_t *ret_size)
{
        _cleanup_free_ char *s = json_dumps(j, JSON_COMPACT);
        if (!s)
                return -ENOMEM;
        size_t len = strlen(s);
        char digest[72];
        sha256_buffer(s, len, digest);
        _cleanup_free_ char *path = NULL;
        if (!name && asprintf(&path, "blobs/sha256/%s", digest + 7) < 0)
                return -ENOMEM;
        if (ret_digest)
                memcpy(ret_digest, digest, 72);
        if (ret_size)
                *ret_size = (int64_t) len;
        return write_entry(a, name ? name : path, -1, s, (int64_t) len, mtime);
}

/* Collect the images (under the lock) and open their blobs. */
static int collect(struct image_store *s, struct save *sv, char *const names[], struct pouch_err *err)
{
        int r = 0;
        pthread_mutex_lock(&s->lock);
        for (char *const *n = names; *n && r == 0; n++) {
                char hex[65];
                _cleanup_free_ char *ref = NULL;
                r = store_resolve_locked(s, *n, hex, &ref, err);
                if (r < 0)
                        break;
                json_t *entry = json_object_get(sv->images, hex);
                if (!entry) {
                        json_t *diffs = json_object_get(json_object_get(s->images, hex), "Layers");
                        entry = json_pack("{s:[],s:O}", "tags", "layers", diffs);
                        json_object_set_new(sv->images, hex, entry);
                        json_array_append_new(sv->order, json_string(hex));
                }
                if (ref && !strchr(ref, '@'))
                        json_array_append_new(json_object_get(entry, "tags"), json_string(ref));
                int64_t size;
                char id[80];
                snprintf(id, sizeof(id), "sha256:%s", hex);
                r = add_blob(s, sv, id, &size);
                size_t i;
                json_t *d;
                json_array_foreach(json_object_get(json_object_get(s->images, hex), "Layers"), i, d)
                        if (r == 0)
                                r = add_blob(s, sv, json_string_value(d), &size);
                if (r < 0)
                        err_set(err, r, "image %s: a blob is missing from the store: %s", *n, strerror(-r));
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}

static int64_t blob_size(struct save *sv, const char *digest)
{
        for (size_t i = 0; i < sv->n_blobs; i++)
                if (STREQ(sv->blobs[i].digest, digest))
                        return sv->blobs[i].size;
        return 0;
}

static json_t *familiar_tags(const json_t *tags, json_t *repositories, const char *hex)
{
        json_t *out = json_array();
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t) {
                struct image_ref ref;
                if (reference_parse(json_string_value(t), &ref) < 0)
                        continue;
                _cleanup_free_ char *fam = reference_familiar(&ref), *repo = reference_repo(&ref, true);
                if (fam && repo) {
                        json_array_append_new(out, json_string(fam));
                        json_t *rp = json_object_get(repositories, repo);
                        if (!rp)
                                json_object_set_new(repositories, repo, rp = json_object());
                        json_object_set_new(rp, ref.tag, json_string(hex));
                }
                reference_done(&ref);
        }
        return out;
}

/* The blobs of one image, its OCI manifest, index entries and manifest.json entry. */
static int write_image(struct archive *a, struct save *sv, const char *hex, const json_t *entry, json_t *index,
                       json_t *manifest, json_t *repositories, time_t now)
{
        char id[80], path[96];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        json_t *diffs = json_object_get(entry, "layers");
        _cleanup_json_ json_t *layers = json_array(), *paths = json_array();
        size_t i;
        json_t *d;
        json_array_foreach(diffs, i, d) {
                const char *digest = json_string_value(d);
                snprintf(path, sizeof(path), "blobs/sha256/%s", id_hex(digest));
                json_array_append_new(layers, json_pack("{s:s,s:s,s:I}", "mediaType", MT_OCI_LAYER, "digest", digest,
                                                        "size", (json_int_t) blob_size(sv, digest)));
                json_array_append_new(paths, json_string(path));
        }
        _cleanup_json_ json_t *m = json_pack("{s:i,s:s,s:{s:s,s:s,s:I},s:O}", "schemaVersion", 2, "mediaType",
                                             MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest", id,
                                             "size", (json_int_t) blob_size(sv, id), "layers", layers);
        char mdigest[72];
        int64_t msize;
        int r = m ? write_json(a, NULL, m, now, mdigest, &msize) : -ENOMEM;
        if (r < 0)
                return r;
        json_t *tags = json_object_get(entry, "tags");
        json_t *fam = familiar_tags(tags, repositories, hex);
        json_array_foreach(tags, i, d) {
                const char *full = json_string_value(d);
                const char *colon = strrchr(full, ':');
                json_array_append_new(index,
                                      json_pack("{s:s,s:s,s:I,s:{s:s,s:s}}", "mediaType", MT_OCI_MANIFEST, "digest",
                                                mdigest, "size", (json_int_t) msize, "annotations",
                                                "io.containerd.image.name", full, "org.opencontainers.image.ref.name",
                                                colon ? colon + 1 : "latest"));
        }
        if (json_array_size(tags) == 0)
                json_array_append_new(index, json_pack("{s:s,s:s,s:I}", "mediaType", MT_OCI_MANIFEST, "digest", mdigest,
                                                       "size", (json_int_t) msize));
        snprintf(path, sizeof(path), "blobs/sha256/%s", hex);
        json_array_append_new(manifest, json_pack("{s:s,s:o,s:O}", "Config", path, "RepoTags", fam, "Layers", paths));
        return 0;
}

static int write_archive(struct archive *a, struct save *sv)
{
        time_t now = time(NULL);
        int r = 0;
        char path[96];
        for (size_t i = 0; i < sv->n_blobs && r == 0; i++) {
                snprintf(path, sizeof(path), "blobs/sha256/%s", id_hex(sv->blobs[i].digest));
                r = write_entry(a, path, sv->blobs[i].fd, NULL, sv->blobs[i].size, now);
        }
        _cleanup_json_ json_t *manifests = json_array(), *manifest = json_array(), *repositories = json_object();
        size_t i;
        json_t *h;
        json_array_foreach(sv->order, i, h)
                if (r == 0)
                        r = write_image(a, sv, json_string_value(h), json_object_get(sv->images, json_string_value(h)),
                                        manifests, manifest, repositories, now);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *layout = json_pack("{s:s}", "imageLayoutVersion", "1.0.0");
        _cleanup_json_ json_t *index = json_pack("{s:i,s:s,s:O}", "schemaVersion", 2, "mediaType", MT_OCI_INDEX,
                                                 "manifests", manifests);
        if ((r = write_json(a, "oci-layout", layout, now, NULL, NULL)) < 0 ||
            (r = write_json(a, "index.json", index, now, NULL, NULL)) < 0 ||
            (r = write_json(a, "manifest.json", manifest, now, NULL, NULL)) < 0)
                return r;
        if (json_object_size(repositories))
                r = write_json(a, "repositories", repositories, now, NULL, NULL);
        return r;
}

int image_save(struct image_store *s, char *const names[], int out_fd, struct pouch_err *err)
{
        struct save sv = { .images = json_object(), .order = json_array() };
        if (!names || !*names) {
                save_done(&sv);
                return err_set(err, -EINVAL, "no images to save");
        }
        int r = collect(s, &sv, names, err);
        if (r < 0) {
                save_done(&sv);
                return r;
        }
        struct archive *a = archive_write_new();
        archive_write_set_format_pax_restricted(a);
        archive_write_set_bytes_in_last_block(a, 1);
        if (archive_write_open_fd(a, out_fd) != ARCHIVE_OK)
                r = err_set(err, -EIO, "writing the archive: %s", archive_error_string(a));
        else if ((r = write_archive(a, &sv)) < 0)
                err_set(err, r, "writing the archive: %s",
                        archive_error_string(a) ? archive_error_string(a) : strerror(-r));
        if (archive_write_close(a) != ARCHIVE_OK && r == 0)
                r = err_set(err, -EIO, "writing the archive: %s", archive_error_string(a));
        archive_write_free(a);
        save_done(&sv);
        return r;
}
