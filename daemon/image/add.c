/* image_store_add: commit an image whose config and layer blobs were downloaded (registry pull). */
#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int full_ref(const char *ref, bool digest_ok, char **ret, struct pouch_err *err)
{
        struct image_ref r = { 0 };
        if (reference_parse(ref, &r) < 0 || (!digest_ok && r.digest)) {
                reference_done(&r);
                return err_set(err, -EINVAL, "invalid reference format: %s", ref);
        }
        char *full = NULL;
        if (r.digest) {
                /* RepoDigests are shown familiar, as docker does ("busybox@sha256:...") */
                _cleanup_free_ char *repo = reference_repo(&r, true);
                if (repo && asprintf(&full, "%s@%s", repo, r.digest) < 0)
                        full = NULL;
        } else {
                full = reference_full(&r);
        }
        reference_done(&r);
        if (!full)
                return err_set(err, -ENOMEM, "out of memory");
        *ret = full;
        return 0;
}

static int add_layers(struct image_store *s, struct pending_image *p, const json_t *diffs, char *const paths[],
                      struct pouch_err *err)
{
        size_t n = strv_length(paths);
        if (!json_is_array(diffs) || json_array_size(diffs) != n)
                return err_set(err, -EINVAL, "the image config lists %zu layers but %zu were given",
                               json_array_size(diffs), n);
        p->layers = calloc(n ? n : 1, sizeof(*p->layers));
        if (!p->layers)
                return err_set(err, -ENOMEM, "out of memory");
        for (size_t i = 0; i < n; i++) {
                _cleanup_close_ int fd = open(paths[i], O_RDONLY | O_CLOEXEC);
                if (fd < 0)
                        return err_set(err, -errno, "opening layer %s: %m", paths[i]);
                int r = ingest_layer(s, fd, json_string_value(json_array_get(diffs, i)),
                                     i ? p->layers[i - 1].chain_id : NULL, &p->layers[i], err);
                if (r < 0)
                        return r;
                p->n_layers = i + 1;
        }
        return 0;
}

int image_store_add(struct image_store *s, const char *config, size_t config_len, char *const layer_paths[],
                    const char *ref, const char *repo_digest, char ret_id[80], struct pouch_err *err)
{
        struct pending_image p = { .tags = strv_new(), .repo_digests = strv_new() };
        char *full = NULL;
        int r = 0;
        if (ref && (r = full_ref(ref, false, &full, err)) == 0)
                r = strv_consume(&p.tags, full);
        if (r == 0 && repo_digest && (r = full_ref(repo_digest, true, &full, err)) == 0)
                r = strv_consume(&p.repo_digests, full);
        _cleanup_json_ json_t *cfg = r == 0 ? json_loadb(config, config_len, 0, NULL) : NULL;
        if (r == 0 && !json_is_object(cfg))
                r = err_set(err, -EINVAL, "the image config is not a JSON object");
        if (r == 0)
                r = add_layers(s, &p, json_get_path(cfg, "rootfs.diff_ids"), layer_paths, err);
        char *copy = r == 0 ? malloc(config_len ? config_len : 1) : NULL;
        if (r == 0 && !copy)
                r = err_set(err, -ENOMEM, "out of memory");
        if (r == 0) {
                memcpy(copy, config, config_len);
                r = pending_image_set_config(&p, copy, config_len, err);
        }
        if (r == 0)
                r = store_commit(s, &p, NULL, err);
        if (r == 0)
                snprintf(ret_id, 80, "%s", p.id);
        pending_image_done(&p);
        return r;
}
