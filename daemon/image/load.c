/* `docker load`: docker-archive (manifest.json) or OCI image layout (index.json) tarballs.
 *
 * Everything is verified and unpacked aside before anything becomes visible: the config's
 * sha256 must equal the image id (and the OCI descriptors' digests), each layer's computed diff
 * id must equal rootfs.diff_ids[i]. Only when every image of the archive is prepared are they
 * committed, in order; a failure before that leaves nothing behind. */
#include "daemon/image/load-spool.h"
#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"

struct load {
        struct image_store *s;
        struct spool sp;
        struct pending_image *imgs;
        size_t n_imgs;
        json_t *prepared; /* chain id -> size, layers already prepared by an earlier image */
        json_t *seen;     /* config digest -> index in imgs (several tags of one image) */
};

static void load_done(struct load *l)
{
        for (size_t i = 0; i < l->n_imgs; i++)
                pending_image_done(&l->imgs[i]);
        free(l->imgs);
        spool_done(&l->sp);
        json_decref(l->prepared);
        json_decref(l->seen);
}

/* "abc...64.json" or "blobs/sha256/<hex>" -> "sha256:<hex>", else "" (not derivable). */
static void expected_from_name(const char *name, char ret[72])
{
        const char *base = strrchr(name, '/') ? strrchr(name, '/') + 1 : name;
        char d[80];
        snprintf(d, sizeof(d), "sha256:%.64s", base);
        size_t n = strlen(base);
        bool ok = (n == 64 || (n == 69 && STREQ(base + 64, ".json"))) && digest_valid(d);
        if (ok)
                memcpy(ret, d, 72);
        else
                ret[0] = '\0';
}

static int add_tags(struct pending_image *p, const json_t *tags, struct pouch_err *err)
{
        size_t i;
        json_t *t;
        json_array_foreach(tags, i, t) {
                struct image_ref ref = { 0 };
                const char *name = json_string_value(t);
                if (!name || reference_parse(name, &ref) < 0 || ref.digest) {
                        reference_done(&ref);
                        return err_set(err, -EINVAL, "invalid tag %s in the image archive", name ? name : "(null)");
                }
                char *full = reference_full(&ref);
                reference_done(&ref);
                if (!full)
                        return err_set(err, -ENOMEM, "out of memory");
                if (strv_contains(p->tags, full))
                        free(full);
                else
                        strv_consume(&p->tags, full);
        }
        return 0;
}

static int prepare_layers(struct load *l, struct pending_image *p, const json_t *config, char *const layers[],
                          struct pouch_err *err)
{
        json_t *diffs = json_get_path(config, "rootfs.diff_ids");
        size_t n = strv_length(layers);
        if (!json_is_array(diffs) || json_array_size(diffs) != n)
                return err_set(err, -EINVAL, "the image config lists %zu layers but the manifest has %zu",
                               json_array_size(diffs), n);
        p->layers = calloc(n ? n : 1, sizeof(*p->layers));
        if (!p->layers)
                return err_set(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                const char *diff = json_string_value(json_array_get(diffs, i));
                const char *parent = i ? p->layers[i - 1].chain_id : NULL;
                struct pending_layer *pl = &p->layers[i];
                char chain[72];
                if (!digest_valid(diff))
                        return err_set(err, -EINVAL, "invalid diff id in the image config");
                chain_id_next(parent, diff, chain);
                json_t *known = json_object_get(l->prepared, chain);
                if (known) {
                        snprintf(pl->diff_id, sizeof(pl->diff_id), "%s", diff);
                        snprintf(pl->chain_id, sizeof(pl->chain_id), "%s", chain);
                        pl->size = json_integer_value(known);
                } else {
                        const char *path = spool_lookup(&l->sp, layers[i]);
                        if (!path)
                                return err_set(err, -EINVAL, "layer %s is missing from the image archive", layers[i]);
                        _cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
                        if (fd < 0)
                                return err_set(err, -errno, "opening spooled layer: %m");
                        int r = ingest_layer(l->s, fd, diff, parent, pl, err);
                        if (r < 0)
                                return err_wrap(err, "layer %s", layers[i]);
                        json_object_set_new(l->prepared, chain, json_integer(pl->size));
                }
                p->n_layers = i + 1;
        }
        return 0;
}

/* One image: config member, layer members, tags. want_id is "" or the digest the name implies. */
static int prepare_image(struct load *l, const char *config_name, const char *want_id, char *const layers[],
                         const json_t *tags, struct pouch_err *err)
{
        char *data = NULL;
        size_t len;
        _cleanup_json_ json_t *config = NULL;
        int r = spool_read_json(&l->sp, config_name, &data, &len, &config, err);
        if (r < 0)
                return r;
        char id[72];
        sha256_buffer(data, len, id);
        if (*want_id && !STREQ(want_id, id)) {
                free(data);
                return err_set(err, -EINVAL, "image config %s does not match its digest (%s)", config_name, id);
        }
        json_t *idx = json_object_get(l->seen, id);
        if (idx) {
                free(data);
                return add_tags(&l->imgs[json_integer_value(idx)], tags, err);
        }
        struct pending_image *n = realloc(l->imgs, (l->n_imgs + 1) * sizeof(*n));
        if (!n) {
                free(data);
                return err_set(err, -ENOMEM, "out of memory");
        }
        l->imgs = n;
        struct pending_image *p = &l->imgs[l->n_imgs++];
        *p = (struct pending_image){ .tags = strv_new() };
        json_object_set_new(l->seen, id, json_integer((json_int_t) (l->n_imgs - 1)));
        r = prepare_layers(l, p, config, layers, err);
        if (r < 0) {
                free(data);
                return r;
        }
        r = pending_image_set_config(p, data, len, err);
        if (r < 0)
                return r;
        return add_tags(p, tags, err);
}

static int load_docker_archive(struct load *l, struct pouch_err *err)
{
        _cleanup_json_ json_t *m = NULL;
        int r = spool_read_json(&l->sp, "manifest.json", NULL, NULL, &m, err);
        if (r < 0)
                return r;
        if (!json_is_array(m))
                return err_set(err, -EINVAL, "manifest.json in the archive is not a list");
        size_t i;
        json_t *e;
        json_array_foreach(m, i, e) {
                const char *cfg = json_get_str(e, "Config", NULL);
                if (!cfg)
                        return err_set(err, -EINVAL, "manifest.json entry %zu has no Config", i);
                _cleanup_strv_free_ char **layers = strv_new();
                size_t k;
                json_t *v;
                json_array_foreach(json_object_get(e, "Layers"), k, v)
                        if (json_is_string(v))
                                strv_push(&layers, json_string_value(v));
                char want[72];
                expected_from_name(cfg, want);
                r = prepare_image(l, cfg, want, layers, json_object_get(e, "RepoTags"), err);
                if (r < 0)
                        return r;
        }
        return 0;
}

static char *blob_name(const char *digest)
{
        char *out = NULL;
        if (!digest_valid(digest) || asprintf(&out, "blobs/sha256/%s", digest + 7) < 0)
                return NULL;
        return out;
}

/* Read a blob named by a descriptor and check it against the descriptor's digest. */
static int read_verified(struct load *l, const char *digest, json_t **ret, struct pouch_err *err)
{
        _cleanup_free_ char *name = blob_name(digest);
        if (!name)
                return err_set(err, -EINVAL, "invalid digest %s in the OCI layout", digest ? digest : "(none)");
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = spool_read_json(&l->sp, name, &data, &len, ret, err);
        if (r < 0)
                return r;
        char got[72];
        sha256_buffer(data, len, got);
        if (!STREQ(got, digest)) {
                json_decref(*ret);
                *ret = NULL;
                return err_set(err, -EINVAL, "blob %s does not match its digest", digest);
        }
        return 0;
}

static const json_t *pick_platform(const json_t *index)
{
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(index, "manifests"), i, d) {
                json_t *pf = json_object_get(d, "platform");
                if (!pf || (STREQ(json_get_str(pf, "os", "linux"), "linux") &&
                            STREQ(json_get_str(pf, "architecture", host_arch()), host_arch())))
                        return d;
        }
        return json_array_get(json_object_get(index, "manifests"), 0);
}

static int oci_descriptor(struct load *l, const json_t *desc, int depth, struct pouch_err *err)
{
        const char *mt = json_get_str(desc, "mediaType", "");
        _cleanup_json_ json_t *doc = NULL;
        int r = read_verified(l, json_get_str(desc, "digest", NULL), &doc, err);
        if (r < 0)
                return r;
        if (STREQ(mt, MT_OCI_INDEX) || STREQ(mt, MT_DOCKER_LIST) || json_object_get(doc, "manifests")) {
                const json_t *d = pick_platform(doc);
                if (!d || depth > 2)
                        return err_set(err, -EINVAL, "no usable manifest in the OCI index");
                _cleanup_json_ json_t *copy = json_deep_copy(d);
                json_object_set(copy, "annotations", json_object_get(desc, "annotations"));
                return oci_descriptor(l, copy, depth + 1, err);
        }
        const char *cfg_digest = json_string_value(json_get_path(doc, "config.digest"));
        _cleanup_free_ char *cfg = blob_name(cfg_digest);
        if (!cfg)
                return err_set(err, -EINVAL, "OCI manifest without a valid config digest");
        _cleanup_strv_free_ char **layers = strv_new();
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(doc, "layers"), i, v) {
                char *name = blob_name(json_get_str(v, "digest", NULL));
                if (!name)
                        return err_set(err, -EINVAL, "OCI manifest with an invalid layer digest");
                strv_consume(&layers, name);
        }
        _cleanup_json_ json_t *tags = json_array();
        json_t *ann = json_object_get(desc, "annotations");
        const char *name = json_get_str(ann, "io.containerd.image.name", NULL);
        const char *refname = json_get_str(ann, "org.opencontainers.image.ref.name", NULL);
        /* ref.name alone is usually just a tag ("latest"); only a full reference names an image */
        if (!name && refname && strpbrk(refname, "/:"))
                name = refname;
        if (name)
                json_array_append_new(tags, json_string(name));
        return prepare_image(l, cfg, cfg_digest, layers, tags, err);
}

static int load_oci(struct load *l, struct pouch_err *err)
{
        _cleanup_json_ json_t *index = NULL;
        int r = spool_read_json(&l->sp, "index.json", NULL, NULL, &index, err);
        if (r < 0)
                return r;
        size_t i;
        json_t *d;
        json_array_foreach(json_object_get(index, "manifests"), i, d) {
                r = oci_descriptor(l, d, 0, err);
                if (r < 0)
                        return r;
        }
        if (l->n_imgs == 0)
                return err_set(err, -EINVAL, "index.json in the archive lists no images");
        return 0;
}

static int commit_all(struct load *l, image_message_fn msg, void *ud, struct pouch_err *err)
{
        for (size_t i = 0; i < l->n_imgs; i++) {
                struct pending_image *p = &l->imgs[i];
                int r = store_commit(l->s, p, NULL, err);
                if (r < 0)
                        return r;
                char line[512];
                if (!p->tags || !*p->tags) {
                        snprintf(line, sizeof(line), "Loaded image ID: %s", p->id);
                        if (msg)
                                msg(ud, line);
                }
                for (char **t = p->tags; t && *t; t++) {
                        struct image_ref ref;
                        if (reference_parse(*t, &ref) < 0)
                                continue;
                        _cleanup_free_ char *fam = reference_familiar(&ref);
                        reference_done(&ref);
                        snprintf(line, sizeof(line), "Loaded image: %s", fam ? fam : *t);
                        if (msg)
                                msg(ud, line);
                }
        }
        return 0;
}

int image_load(struct image_store *s, int fd, image_message_fn msg, void *ud, struct pouch_err *err)
{
        struct load l = { .s = s, .prepared = json_object(), .seen = json_object() };
        _cleanup_free_ char *dir = NULL;
        int r = store_mktemp(s, "load", false, &dir);
        if (r < 0)
                return err_set(err, r, "creating a temporary directory in the image store: %s", strerror(-r));
        r = spool_archive(fd, dir, &l.sp, err);
        if (r < 0) {
                rm_rf(dir);
                goto out;
        }
        if (spool_lookup(&l.sp, "manifest.json"))
                r = load_docker_archive(&l, err);
        else if (spool_lookup(&l.sp, "index.json"))
                r = load_oci(&l, err);
        else
                r = err_set(err, -EINVAL, "the archive is not an image archive: no manifest.json or index.json");
        if (r == 0)
                r = commit_all(&l, msg, ud, err);
out:
        load_done(&l);
        return r;
}
