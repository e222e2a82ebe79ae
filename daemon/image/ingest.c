/* Bringing images into the store: unpack layers aside (no lock held), then commit under the lock
 * in an order that never lets a crash expose a half-written layer or image (docs/image-store.md). */
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
#include <sys/stat.h>
#include <unistd.h>

void pending_layer_done(struct pending_layer *l)
{
        if (l->tmpdir)
                rm_rf(l->tmpdir);
        if (l->blob_tmp)
                unlink(l->blob_tmp);
        free(l->tmpdir);
        free(l->blob_tmp);
        l->tmpdir = l->blob_tmp = NULL;
}

void pending_image_done(struct pending_image *p)
{
        for (size_t i = 0; i < p->n_layers; i++)
                pending_layer_done(&p->layers[i]);
        free(p->layers);
        free(p->config);
        json_decref(p->config_json);
        strv_free(p->tags);
        strv_free(p->repo_digests);
        *p = (struct pending_image){ 0 };
}

static int64_t existing_layer_size(struct image_store *s, const char *chain)
{
        _cleanup_free_ char *p = store_path(s, "layers/%s/meta.json", id_hex(chain));
        _cleanup_json_ json_t *m = NULL;
        if (!p || json_read_file(p, &m, NULL, 0) < 0)
                return 0;
        return json_get_int(m, "Size", 0);
}

static int finish_layer_dir(struct pending_layer *l, const char *parent_chain, struct pouch_err *err)
{
        _cleanup_free_ char *meta = NULL, *complete = NULL;
        if (asprintf(&meta, "%s/meta.json", l->tmpdir) < 0 || asprintf(&complete, "%s/complete", l->tmpdir) < 0)
                return err_set(err, -ENOMEM, "out of memory");
        _cleanup_json_ json_t *m = json_pack("{s:s,s:s,s:s?,s:I}", "ChainID", l->chain_id, "DiffID", l->diff_id,
                                             "Parent", parent_chain, "Size", (json_int_t) l->size);
        int r = m ? json_write_file_atomic(meta, m) : -ENOMEM;
        if (r < 0)
                return err_set(err, r, "writing layer metadata: %s", strerror(-r));
        /* the unpacked files must be on disk before the layer can look complete */
        _cleanup_close_ int dfd = open(l->tmpdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (dfd < 0 || syncfs(dfd) < 0)
                return err_set(err, -errno, "syncing layer %s: %m", l->tmpdir);
        r = write_file_atomic(complete, "", 0, 0600);
        if (r < 0)
                return err_set(err, r, "writing the layer completion marker: %s", strerror(-r));
        return 0;
}

int ingest_layer(struct image_store *s, int fd, const char *expected_diff, const char *parent_chain,
                 struct pending_layer *ret, struct pouch_err *err)
{
        struct pending_layer l = { 0 };
        int r;
        if (expected_diff) {
                if (!digest_valid(expected_diff))
                        return err_set(err, -EINVAL, "invalid layer diff id %s", expected_diff);
                chain_id_next(parent_chain, expected_diff, l.chain_id);
                _cleanup_free_ char *blob = store_path(s, "blobs/sha256/%s", id_hex(expected_diff));
                if (store_layer_complete(s, l.chain_id) && blob && access(blob, F_OK) == 0) {
                        snprintf(l.diff_id, sizeof(l.diff_id), "%s", expected_diff);
                        l.size = existing_layer_size(s, l.chain_id);
                        *ret = l;
                        return 0;
                }
        }
        _cleanup_free_ char *diff = NULL;
        _cleanup_close_ int blobfd = -1;
        if ((r = store_mktemp(s, "layer", false, &l.tmpdir)) < 0 ||
            (r = store_mktemp(s, "blob", true, &l.blob_tmp)) < 0) {
                r = err_set(err, r, "creating a temporary layer directory: %s", strerror(-r));
                goto fail;
        }
        if (asprintf(&diff, "%s/diff", l.tmpdir) < 0 || mkdir(diff, 0755) < 0) {
                r = err_set(err, -errno, "creating %s: %m", l.tmpdir);
                goto fail;
        }
        blobfd = open(l.blob_tmp, O_WRONLY | O_TRUNC | O_CLOEXEC);
        if (blobfd < 0) {
                r = err_set(err, -errno, "opening %s: %m", l.blob_tmp);
                goto fail;
        }
        r = layer_unpack_tee(fd, diff, blobfd, &l.size, l.diff_id, err);
        if (r < 0)
                goto fail;
        if (fsync(blobfd) < 0) {
                r = err_set(err, -errno, "syncing the layer blob: %m");
                goto fail;
        }
        if (expected_diff && !STREQ(expected_diff, l.diff_id)) {
                r = err_set(err, -EINVAL, "layer content does not match the image config: expected diff id %s, got %s",
                            expected_diff, l.diff_id);
                goto fail;
        }
        chain_id_next(parent_chain, l.diff_id, l.chain_id);
        r = finish_layer_dir(&l, parent_chain, err);
        if (r < 0)
                goto fail;
        *ret = l;
        return 0;
fail:
        pending_layer_done(&l);
        return r;
}

int pending_image_set_config(struct pending_image *p, char *config, size_t len, struct pouch_err *err)
{
        p->config = config;
        p->config_len = len;
        json_error_t je;
        p->config_json = json_loadb(config, len, 0, &je);
        if (!json_is_object(p->config_json))
                return err_set(err, -EINVAL, "invalid image config: %s", je.text);
        json_t *diffs = json_get_path(p->config_json, "rootfs.diff_ids");
        if (!json_is_array(diffs) || json_array_size(diffs) != p->n_layers)
                return err_set(err, -EINVAL, "image config lists %zu layers (rootfs.diff_ids) but the image has %zu",
                               json_array_size(diffs), p->n_layers);
        for (size_t i = 0; i < p->n_layers; i++) {
                const char *d = json_string_value(json_array_get(diffs, i));
                if (!d || !STREQ(d, p->layers[i].diff_id))
                        return err_set(err, -EINVAL,
                                       "layer %zu does not match the image config: diff id %s, config says %s", i,
                                       p->layers[i].diff_id, d ? d : "(none)");
        }
        return sha256_buffer(config, len, p->id);
}

static int commit_layer(struct image_store *s, struct pending_layer *l, struct pouch_err *err)
{
        _cleanup_free_ char *dst = store_path(s, "layers/%s", id_hex(l->chain_id));
        _cleanup_free_ char *blob = store_path(s, "blobs/sha256/%s", id_hex(l->diff_id));
        if (!dst || !blob)
                return err_set(err, -ENOMEM, "out of memory");
        if (!store_layer_complete(s, l->chain_id)) {
                if (!l->tmpdir)
                        return err_set(err, -EAGAIN, "layer %s was removed while loading; try again", l->chain_id);
                rm_rf(dst); /* an incomplete leftover; never the case after open's cleanup */
                if (rename(l->tmpdir, dst) < 0)
                        return err_set(err, -errno, "moving layer into place: %m");
                free(l->tmpdir);
                l->tmpdir = NULL;
                fsync_dir_of(dst);
        }
        if (access(blob, F_OK) < 0) {
                if (!l->blob_tmp)
                        return err_set(err, -EAGAIN, "layer blob %s was removed while loading; try again", l->diff_id);
                if (rename(l->blob_tmp, blob) < 0)
                        return err_set(err, -errno, "moving layer blob into place: %m");
                free(l->blob_tmp);
                l->blob_tmp = NULL;
                fsync_dir_of(blob);
        }
        return 0;
}

static json_t *new_record(struct pending_image *p)
{
        json_t *layers = json_array(), *chains = json_array();
        int64_t size = 0;
        for (size_t i = 0; i < p->n_layers; i++) {
                json_array_append_new(layers, json_string(p->layers[i].diff_id));
                json_array_append_new(chains, json_string(p->layers[i].chain_id));
                size += p->layers[i].size;
        }
        return json_pack("{s:s,s:[],s:[],s:o,s:o,s:s,s:I,s:s}", "Id", p->id, "RepoTags", "RepoDigests", "Layers",
                         layers, "ChainIds", chains, "Created", json_get_str(p->config_json, "created", ""), "Size",
                         (json_int_t) size, "LastTagTime", "");
}

static int commit_tags(struct image_store *s, struct pending_image *p, json_t *doc, char ***ret_replaced)
{
        _cleanup_strv_free_ char **replaced = strv_new();
        bool changed = false;
        for (char **t = p->tags; t && *t; t++) {
                const char *old = json_get_str(s->repos, *t, NULL);
                if (old && STREQ(old, p->id))
                        continue;
                if (old && !strv_contains(replaced, old))
                        strv_push(&replaced, old);
                json_object_set_new(s->repos, *t, json_string(p->id));
                changed = true;
        }
        if (!changed)
                goto out;
        int r = store_write_repos(s);
        if (r < 0)
                return r;
        struct timespec now = now_realtime();
        char ts[48];
        format_rfc3339nano(&now, ts, sizeof(ts));
        json_object_set_new(doc, "LastTagTime", json_string(ts));
        store_refresh_tags(s);
        store_write_image_doc(s, doc);
        for (char **o = replaced; *o; o++) {
                json_t *od = json_object_get(s->images, id_hex(*o));
                if (od)
                        store_write_image_doc(s, od);
        }
out:
        if (ret_replaced)
                *ret_replaced = TAKE_PTR(replaced);
        return 0;
}

int store_commit(struct image_store *s, struct pending_image *p, char ***ret_replaced, struct pouch_err *err)
{
        int r = 0;
        pthread_mutex_lock(&s->lock);
        for (size_t i = 0; i < p->n_layers && r == 0; i++)
                r = commit_layer(s, &p->layers[i], err);
        _cleanup_free_ char *cfg = store_path(s, "blobs/sha256/%s", id_hex(p->id));
        if (r == 0 && access(cfg, F_OK) < 0 && (r = write_file_atomic(cfg, p->config, p->config_len, 0600)) < 0)
                err_set(err, r, "writing the image config: %s", strerror(-r));
        json_t *doc = json_object_get(s->images, id_hex(p->id));
        if (r == 0 && !doc) {
                doc = new_record(p);
                r = doc ? store_write_image_doc(s, doc) : -ENOMEM;
                if (r < 0) {
                        json_decref(doc);
                        err_set(err, r, "writing the image record: %s", strerror(-r));
                } else {
                        json_object_set_new(s->images, id_hex(p->id), doc);
                }
        }
        if (r == 0) {
                json_t *digests = json_object_get(doc, "RepoDigests");
                for (char **d = p->repo_digests; d && *d; d++) {
                        size_t i;
                        json_t *v;
                        bool have = false;
                        json_array_foreach(digests, i, v)
                                have = have || STREQ(json_string_value(v), *d);
                        if (!have)
                                json_array_append_new(digests, json_string(*d));
                }
                if (p->repo_digests)
                        store_write_image_doc(s, doc);
                r = commit_tags(s, p, doc, ret_replaced);
                if (r < 0)
                        err_set(err, r, "writing repositories.json: %s", strerror(-r));
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}
