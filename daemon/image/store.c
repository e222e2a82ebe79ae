/* The image store: opening (with crash recovery and garbage collection), paths, records, tags. */
#include "daemon/image/store-internal.h"
#include "daemon/image/reference.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *store_path(const struct image_store *s, const char *fmt, ...)
{
        va_list ap;
        _cleanup_free_ char *rel = NULL;
        va_start(ap, fmt);
        int n = vasprintf(&rel, fmt, ap);
        va_end(ap);
        if (n < 0)
                return NULL;
        char *out = NULL;
        if (asprintf(&out, "%s/%s", s->root, rel) < 0)
                return NULL;
        return out;
}

const char *id_hex(const char *id)
{
        return strncmp(id, "sha256:", 7) == 0 ? id + 7 : id;
}

int store_mktemp(struct image_store *s, const char *prefix, bool file, char **ret_path)
{
        char *p = store_path(s, "tmp/%s-XXXXXX", prefix);
        if (!p)
                return -ENOMEM;
        if (file) {
                int fd = mkostemp(p, O_CLOEXEC);
                if (fd < 0) {
                        free(p);
                        return -errno;
                }
                close(fd);
        } else if (!mkdtemp(p)) {
                free(p);
                return -errno;
        }
        *ret_path = p;
        return 0;
}

bool store_layer_complete(struct image_store *s, const char *chain_id)
{
        _cleanup_free_ char *p = store_path(s, "layers/%s/complete", id_hex(chain_id));
        return p && access(p, F_OK) == 0;
}

int store_write_image_doc(struct image_store *s, const json_t *doc)
{
        _cleanup_free_ char *p = store_path(s, "images/%s.json", id_hex(json_get_str(doc, "Id", "")));
        if (!p)
                return -ENOMEM;
        return json_write_file_atomic(p, doc);
}

int store_write_repos(struct image_store *s)
{
        _cleanup_free_ char *p = store_path(s, "repositories.json");
        if (!p)
                return -ENOMEM;
        return json_write_file_atomic(p, s->repos);
}

static int cmp_str(const void *a, const void *b)
{
        return strcmp(*(char *const *) a, *(char *const *) b);
}

void store_refresh_tags(struct image_store *s)
{
        const char *hex, *ref;
        json_t *doc, *id;
        json_object_foreach(s->images, hex, doc) {
                _cleanup_strv_free_ char **tags = strv_new();
                json_object_foreach(s->repos, ref, id) {
                        if (!STREQ(id_hex(json_string_value(id)), hex))
                                continue;
                        struct image_ref r;
                        if (reference_parse(ref, &r) < 0)
                                continue;
                        char *fam = reference_familiar(&r);
                        reference_done(&r);
                        if (fam)
                                strv_consume(&tags, fam);
                }
                size_t n = strv_length(tags);
                if (n)
                        qsort(tags, n, sizeof(char *), cmp_str);
                json_t *arr = json_array();
                for (size_t i = 0; i < n; i++)
                        json_array_append_new(arr, json_string(tags[i]));
                json_object_set_new(doc, "RepoTags", arr);
        }
}

void store_remove_dir(struct image_store *s, const char *path)
{
        _cleanup_free_ char *aside = NULL;
        if (store_mktemp(s, "del", false, &aside) == 0) {
                /* rename over the empty temp dir: atomic, the layer vanishes as a whole */
                if (rename(path, aside) == 0) {
                        rm_rf(aside);
                        return;
                }
                rmdir(aside);
        }
        rm_rf(path);
}

static int load_images(struct image_store *s)
{
        _cleanup_free_ char *dir = store_path(s, "images");
        _cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
        if (!d)
                return -errno;
        struct dirent *de;
        while ((de = readdir(d))) {
                size_t n = strlen(de->d_name);
                if (n != 64 + 5 || strcmp(de->d_name + 64, ".json") != 0)
                        continue;
                _cleanup_free_ char *p = store_path(s, "images/%s", de->d_name);
                json_t *doc = NULL;
                char msg[256] = "";
                if (json_read_file(p, &doc, msg, sizeof(msg)) < 0 || !json_is_object(doc)) {
                        log_warn("image store: ignoring unreadable %s: %s", p, msg);
                        json_decref(doc);
                        continue;
                }
                char hex[65];
                snprintf(hex, sizeof(hex), "%.64s", de->d_name);
                /* a record is only written once its layers are complete; check anyway */
                bool ok = true;
                size_t i;
                json_t *c;
                json_array_foreach(json_object_get(doc, "ChainIds"), i, c)
                        ok = ok && json_is_string(c) && store_layer_complete(s, json_string_value(c));
                if (!ok) {
                        log_warn("image store: image %s has missing layers, dropping it", hex);
                        json_decref(doc);
                        unlink(p);
                        continue;
                }
                if (!json_is_array(json_object_get(doc, "RepoDigests")))
                        json_object_set_new(doc, "RepoDigests", json_array());
                if (!json_is_array(json_object_get(doc, "Layers")))
                        json_object_set_new(doc, "Layers", json_array());
                json_object_set_new(s->images, hex, doc);
        }
        return 0;
}

static int load_repos(struct image_store *s)
{
        _cleanup_free_ char *p = store_path(s, "repositories.json");
        json_t *j = NULL;
        char msg[256] = "";
        int r = json_read_file(p, &j, msg, sizeof(msg));
        if (r == -ENOENT)
                return 0;
        if (r < 0 || !json_is_object(j)) {
                json_decref(j);
                return log_error_errno(r < 0 ? r : -EINVAL, "image store: bad %s: %s", p, msg);
        }
        const char *ref;
        json_t *id;
        json_object_foreach(j, ref, id) {
                if (json_is_string(id) && json_object_get(s->images, id_hex(json_string_value(id))))
                        json_object_set(s->repos, ref, id);
                else
                        log_warn("image store: dropping tag %s of a missing image", ref);
        }
        json_decref(j);
        return 0;
}

/* Remove what no image record references: layers and blobs left by a crash or a failed load. */
static void collect_garbage(struct image_store *s)
{
        json_t *keep_layers = json_object(), *keep_blobs = json_object();
        const char *hex;
        json_t *doc, *v;
        size_t i;
        json_object_foreach(s->images, hex, doc) {
                json_object_set_new(keep_blobs, hex, json_true());
                json_array_foreach(json_object_get(doc, "ChainIds"), i, v)
                        json_object_set_new(keep_layers, id_hex(json_string_value(v)), json_true());
                json_array_foreach(json_object_get(doc, "Layers"), i, v)
                        json_object_set_new(keep_blobs, id_hex(json_string_value(v)), json_true());
        }
        const char *dirs[] = { "layers", "blobs/sha256" };
        json_t *keeps[] = { keep_layers, keep_blobs };
        for (size_t k = 0; k < 2; k++) {
                _cleanup_free_ char *dir = store_path(s, "%s", dirs[k]);
                _cleanup_closedir_ DIR *d = dir ? opendir(dir) : NULL;
                struct dirent *de;
                while (d && (de = readdir(d))) {
                        if (de->d_name[0] == '.' || json_object_get(keeps[k], de->d_name))
                                continue;
                        _cleanup_free_ char *p = store_path(s, "%s/%s", dirs[k], de->d_name);
                        log_info("image store: removing unreferenced %s", p);
                        rm_rf(p);
                }
        }
        json_decref(keep_layers);
        json_decref(keep_blobs);
}

/* Whatever is in tmp/ belongs to an operation that did not finish. */
static int clean_tmp(struct image_store *s)
{
        _cleanup_free_ char *tmp = store_path(s, "tmp");
        if (!tmp)
                return -ENOMEM;
        int r = rm_rf(tmp);
        if (r < 0)
                return r;
        return mkdir_p(tmp, 0700);
}

int image_store_open(const char *root, struct image_store **ret, struct pouch_err *err)
{
        struct image_store *s = calloc(1, sizeof(*s));
        if (!s)
                return err_set(err, -ENOMEM, "out of memory");
        pthread_mutex_init(&s->lock, NULL);
        if (!(s->root = strdup(root)))
                goto oom;
        s->images = json_object();
        s->repos = json_object();
        if (!s->images || !s->repos)
                goto oom;
        const char *dirs[] = { "", "blobs/sha256", "layers", "images", "tmp" };
        for (size_t i = 0; i < ARRAY_SIZE(dirs); i++) {
                _cleanup_free_ char *p = store_path(s, "%s", dirs[i]);
                int r = p ? mkdir_p(p, 0700) : -ENOMEM;
                if (r < 0) {
                        r = err_set(err, r, "cannot create image store directory %s: %s", p ? p : root, strerror(-r));
                        image_store_free(s);
                        return r;
                }
        }
        int r = clean_tmp(s);
        if (r >= 0)
                r = load_images(s);
        if (r >= 0)
                r = load_repos(s);
        if (r < 0) {
                r = err_set(err, r, "cannot read the image store at %s: %s", root, strerror(-r));
                image_store_free(s);
                return r;
        }
        collect_garbage(s);
        store_refresh_tags(s);
        *ret = s;
        return 0;
oom:
        image_store_free(s);
        return err_set(err, -ENOMEM, "out of memory");
}

struct image_store *image_store_free(struct image_store *s)
{
        if (!s)
                return NULL;
        pthread_mutex_destroy(&s->lock);
        json_decref(s->images);
        json_decref(s->repos);
        free(s->root);
        free(s);
        return NULL;
}
