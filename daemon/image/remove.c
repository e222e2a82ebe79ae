/* `docker rmi`: untag, and delete images (and layers no other image needs) once untagged. */
#include "daemon/image/reference.h"
#include "daemon/image/store-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char **tags_of(struct image_store *s, const char *id)
{
        char **tags = strv_new();
        const char *ref;
        json_t *v;
        json_object_foreach(s->repos, ref, v)
                if (STREQ(json_string_value(v), id))
                        strv_push(&tags, ref);
        return tags;
}

static void report(json_t *rep, const char *key, const char *value)
{
        json_array_append_new(rep, json_pack("{s:s}", key, value));
}

static int untag(struct image_store *s, const char *ref, json_t *rep)
{
        struct image_ref r;
        _cleanup_free_ char *fam = NULL;
        if (reference_parse(ref, &r) == 0) {
                fam = reference_familiar(&r);
                reference_done(&r);
        }
        json_object_del(s->repos, ref);
        report(rep, "Untagged", fam ? fam : ref);
        return 0;
}

static bool used_by_other(struct image_store *s, const char *self_hex, const char *key, const char *value)
{
        const char *hex;
        json_t *doc, *v;
        json_object_foreach(s->images, hex, doc) {
                if (STREQ(hex, self_hex))
                        continue;
                size_t i;
                json_array_foreach(json_object_get(doc, key), i, v)
                        if (STREQ(json_string_value(v), value))
                                return true;
        }
        return false;
}

/* Order: the record goes first (the commit point), then layers and blobs; a crash in between
 * leaves only unreferenced files that the next open collects. */
static int delete_image(struct image_store *s, const char *hex, json_t *rep)
{
        _cleanup_free_ char *rec = store_path(s, "images/%s.json", hex);
        if (!rec)
                return -ENOMEM;
        if (unlink(rec) < 0 && errno != ENOENT)
                return log_error_errno(-errno, "Failed to remove %s", rec);
        fsync_dir_of(rec);
        _cleanup_json_ json_t *doc = json_incref(json_object_get(s->images, hex));
        json_object_del(s->images, hex);
        char id[80];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        report(rep, "Deleted", id);
        json_t *chains = json_object_get(doc, "ChainIds"), *diffs = json_object_get(doc, "Layers");
        for (size_t i = json_array_size(chains); i > 0; i--) {
                const char *chain = json_string_value(json_array_get(chains, i - 1));
                if (!chain || used_by_other(s, hex, "ChainIds", chain))
                        continue;
                _cleanup_free_ char *dir = store_path(s, "layers/%s", id_hex(chain));
                if (dir)
                        store_remove_dir(s, dir);
                report(rep, "Deleted", chain);
        }
        size_t i;
        json_t *v;
        json_array_foreach(diffs, i, v) {
                const char *d = json_string_value(v);
                if (!d || used_by_other(s, hex, "Layers", d))
                        continue;
                _cleanup_free_ char *blob = store_path(s, "blobs/sha256/%s", id_hex(d));
                if (blob)
                        unlink(blob);
        }
        _cleanup_free_ char *cfg = store_path(s, "blobs/sha256/%s", hex);
        if (cfg)
                unlink(cfg);
        return 0;
}

static int remove_locked(struct image_store *s, const char *name, const char *hex, const char *ref, bool force,
                         bool used, json_t *rep, struct pouch_err *err)
{
        char id[80];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        _cleanup_strv_free_ char **tags = tags_of(s, id);
        size_t ntags = strv_length(tags);
        bool by_tag = ref && json_object_get(s->repos, ref);
        if (by_tag) {
                if (ntags == 1 && used && !force)
                        return err_set(
                                err, -EBUSY,
                                "conflict: unable to remove repository reference \"%s\" (must force) - container "
                                "is using its referenced image %.12s",
                                name, hex);
                untag(s, ref, rep);
                ntags--;
        } else {
                if (ntags > 1 && !force)
                        return err_set(err, -EBUSY,
                                       "conflict: unable to delete %.12s (must be forced) - image is referenced in "
                                       "multiple repositories",
                                       hex);
                if (used && !force)
                        return err_set(err, -EBUSY,
                                       "conflict: unable to delete %.12s (must be forced) - image is being used by a "
                                       "container",
                                       hex);
                for (char **t = tags; *t; t++)
                        untag(s, *t, rep);
                ntags = 0;
        }
        int r = store_write_repos(s);
        if (r < 0)
                return err_set(err, r, "writing repositories.json: %s", strerror(-r));
        store_refresh_tags(s);
        /* a container still needs the layers: with force the image only loses its tags */
        if (ntags > 0 || used) {
                json_t *doc = json_object_get(s->images, hex);
                if (doc)
                        store_write_image_doc(s, doc);
                return 0;
        }
        r = delete_image(s, hex, rep);
        if (r < 0)
                return err_set(err, r, "deleting image %.12s: %s", hex, strerror(-r));
        return 0;
}

int image_remove(struct image_store *s, const char *name, bool force, bool (*in_use)(void *ud, const char *image_id),
                 void *ud, json_t **ret_report, struct pouch_err *err)
{
        char hex[65], again[65];
        _cleanup_free_ char *ref = NULL, *ref2 = NULL;
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, name, hex, &ref, err);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        /* ask about containers without holding our lock: the callback takes the daemon's lock */
        char id[80];
        snprintf(id, sizeof(id), "sha256:%s", hex);
        bool used = in_use && in_use(ud, id);
        json_t *rep = json_array();
        pthread_mutex_lock(&s->lock);
        r = store_resolve_locked(s, name, again, &ref2, err);
        if (r == 0 && !STREQ(again, hex))
                r = err_set(err, -EAGAIN, "image %s changed while it was being removed; try again", name);
        if (r == 0)
                r = remove_locked(s, name, hex, ref2, force, used, rep, err);
        pthread_mutex_unlock(&s->lock);
        if (r < 0) {
                json_decref(rep);
                return r;
        }
        if (ret_report)
                *ret_report = rep;
        else
                json_decref(rep);
        return 0;
}
