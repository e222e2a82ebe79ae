/* GET /images/{name}/history: the config's history entries, newest first, each non-empty one
 * with the size of the layer it made. */
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <string.h>

static int64_t layer_size(struct image_store *s, const char *chain_id)
{
        _cleanup_free_ char *p = store_path(s, "layers/%s/meta.json", id_hex(chain_id));
        json_t *meta = NULL;
        char e[128];
        if (!p || json_read_file(p, &meta, e, sizeof(e)) < 0)
                return 0;
        int64_t n = json_get_int(meta, "Size", 0);
        json_decref(meta);
        return n;
}

int image_history(struct image_store *s, const char *name, json_t **ret, struct pouch_err *err)
{
        char hex[65];
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, name, hex, NULL, err);
        _cleanup_json_ json_t *doc = r < 0 ? NULL : json_deep_copy(json_object_get(s->images, hex));
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *cfg = NULL;
        r = store_read_config(s, hex, &cfg, err);
        if (r < 0)
                return r;
        json_t *chains = json_object_get(doc, "ChainIds");
        json_t *hist = json_object_get(cfg, "history");
        json_t *out = json_array();
        size_t layer = 0, i;
        json_t *h;
        /* an image without history (imported) shows one line per layer */
        if (json_array_size(hist) == 0) {
                for (i = 0; i < json_array_size(chains); i++)
                        json_array_insert_new(out, 0,
                                              json_pack("{s:s,s:I,s:s,s:n,s:I,s:s}", "Id", "<missing>", "Created",
                                                        (json_int_t) 0, "CreatedBy", "", "Tags", "Size",
                                                        (json_int_t) layer_size(s, json_string_value(
                                                                                           json_array_get(chains, i))),
                                                        "Comment", ""));
        }
        json_array_foreach(hist, i, h) {
                int64_t size = 0;
                if (!json_get_bool(h, "empty_layer", false) && layer < json_array_size(chains))
                        size = layer_size(s, json_string_value(json_array_get(chains, layer++)));
                struct timespec ts = { 0, 0 };
                parse_timestamp(json_get_str(h, "created", ""), &ts);
                json_array_insert_new(out, 0,
                                      json_pack("{s:s,s:I,s:s,s:n,s:I,s:s}", "Id", "<missing>", "Created",
                                                (json_int_t) ts.tv_sec, "CreatedBy", json_get_str(h, "created_by", ""),
                                                "Tags", "Size", (json_int_t) size, "Comment",
                                                json_get_str(h, "comment", "")));
        }
        /* the newest line names the image and its tags, as docker shows */
        json_t *top = json_array_get(out, 0);
        if (top) {
                char id[80];
                snprintf(id, sizeof(id), "sha256:%s", hex);
                json_object_set_new(top, "Id", json_string(id));
                json_t *tags = json_object_get(doc, "RepoTags");
                json_object_set(top, "Tags", json_is_array(tags) ? tags : json_null());
        }
        *ret = out;
        return 0;
}
