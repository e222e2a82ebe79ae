/* Finding images by name, digest or (short) id; tagging; per-image accessors for the daemon. */
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

static bool is_hex(const char *s)
{
        if (!*s)
                return false;
        for (; *s; s++)
                if (!((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f')))
                        return false;
        return true;
}

static int by_id_prefix(struct image_store *s, const char *prefix, char ret_hex[65], struct pouch_err *err)
{
        const char *hex, *found = NULL;
        json_t *doc;
        size_t n = strlen(prefix);
        if (n > 64 || !is_hex(prefix))
                return -ENOENT;
        json_object_foreach(s->images, hex, doc) {
                if (strncmp(hex, prefix, n) != 0)
                        continue;
                if (found)
                        return err_set(err, -EINVAL, "image ID %s is ambiguous: it matches several images", prefix);
                found = hex;
        }
        if (!found)
                return -ENOENT;
        snprintf(ret_hex, 65, "%s", found);
        return 0;
}

static int by_digest(struct image_store *s, const struct image_ref *ref, char ret_hex[65])
{
        _cleanup_free_ char *repo = reference_repo(ref, false), *fam = reference_repo(ref, true);
        if (!repo || !fam)
                return -ENOMEM;
        const char *hex;
        json_t *doc, *v;
        json_object_foreach(s->images, hex, doc) {
                size_t i;
                json_array_foreach(json_object_get(doc, "RepoDigests"), i, v) {
                        const char *d = json_string_value(v);
                        const char *at = d ? strchr(d, '@') : NULL;
                        if (!at || !STREQ(at + 1, ref->digest))
                                continue;
                        size_t n = (size_t) (at - d);
                        if ((strlen(repo) == n && !strncmp(d, repo, n)) || (strlen(fam) == n && !strncmp(d, fam, n))) {
                                snprintf(ret_hex, 65, "%s", hex);
                                return 0;
                        }
                }
        }
        /* name@<image id> is accepted too: the digest then names the config */
        if (json_object_get(s->images, id_hex(ref->digest))) {
                snprintf(ret_hex, 65, "%s", id_hex(ref->digest));
                return 0;
        }
        return -ENOENT;
}

int store_resolve_locked(struct image_store *s, const char *name, char ret_hex[65], char **ret_ref,
                         struct pouch_err *err)
{
        if (!name || !*name)
                return err_set(err, -EINVAL, "no image name given");
        if (strncmp(name, "sha256:", 7) == 0) {
                int r = by_id_prefix(s, name + 7, ret_hex, err);
                if (r == -ENOENT)
                        return err_set(err, -ENOENT, "No such image: %s", name);
                return r;
        }
        struct image_ref ref;
        if (reference_parse(name, &ref) == 0) {
                int r = -ENOENT;
                _cleanup_free_ char *full = reference_full(&ref);
                if (!full)
                        r = -ENOMEM;
                else if (ref.digest)
                        r = by_digest(s, &ref, ret_hex);
                else if (json_get_str(s->repos, full, NULL)) {
                        snprintf(ret_hex, 65, "%s", id_hex(json_get_str(s->repos, full, "")));
                        r = 0;
                }
                reference_done(&ref);
                if (r == 0 && ret_ref)
                        *ret_ref = TAKE_PTR(full);
                if (r != -ENOENT)
                        return r == -ENOMEM ? err_set(err, r, "out of memory") : r;
        }
        int r = by_id_prefix(s, name, ret_hex, err);
        if (r == -ENOENT)
                return err_set(err, -ENOENT, "No such image: %s", name);
        return r;
}

int image_resolve(struct image_store *s, const char *name, char ret_id[80], struct pouch_err *err)
{
        char hex[65];
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, name, hex, NULL, err);
        pthread_mutex_unlock(&s->lock);
        if (r == 0)
                snprintf(ret_id, 80, "sha256:%s", hex);
        return r;
}

int image_tag(struct image_store *s, const char *source, const char *repo, const char *tag, struct pouch_err *err)
{
        _cleanup_free_ char *want = NULL;
        if (!repo || !*repo)
                return err_set(err, -EINVAL, "repository name must not be empty");
        if (asprintf(&want, "%s%s%s", repo, tag && *tag ? ":" : "", tag && *tag ? tag : "") < 0)
                return err_set(err, -ENOMEM, "out of memory");
        struct image_ref ref;
        int r = reference_parse(want, &ref);
        if (r < 0 || ref.digest) {
                if (r == 0)
                        reference_done(&ref);
                return err_set(err, -EINVAL, "invalid reference format: %s", want);
        }
        _cleanup_free_ char *full = reference_full(&ref);
        reference_done(&ref);
        if (!full)
                return err_set(err, -ENOMEM, "out of memory");
        char hex[65];
        pthread_mutex_lock(&s->lock);
        r = store_resolve_locked(s, source, hex, NULL, err);
        if (r == 0) {
                char id[80];
                snprintf(id, sizeof(id), "sha256:%s", hex);
                const char *old = json_get_str(s->repos, full, NULL);
                _cleanup_free_ char *old_hex = old ? strdup(id_hex(old)) : NULL;
                json_object_set_new(s->repos, full, json_string(id));
                r = store_write_repos(s);
                if (r < 0) {
                        err_set(err, r, "writing repositories.json: %s", strerror(-r));
                } else {
                        struct timespec now = now_realtime();
                        char ts[48];
                        format_rfc3339nano(&now, ts, sizeof(ts));
                        json_t *doc = json_object_get(s->images, hex);
                        json_object_set_new(doc, "LastTagTime", json_string(ts));
                        store_refresh_tags(s);
                        store_write_image_doc(s, doc);
                        json_t *od = old_hex ? json_object_get(s->images, old_hex) : NULL;
                        if (od && od != doc)
                                store_write_image_doc(s, od);
                }
        }
        pthread_mutex_unlock(&s->lock);
        return r;
}

int store_read_config(struct image_store *s, const char *hex, json_t **ret, struct pouch_err *err)
{
        _cleanup_free_ char *p = store_path(s, "blobs/sha256/%s", hex);
        char msg[256] = "";
        int r = p ? json_read_file(p, ret, msg, sizeof(msg)) : -ENOMEM;
        if (r < 0)
                return err_set(err, r, "cannot read the config of image %.12s: %s", hex, *msg ? msg : strerror(-r));
        return 0;
}

int image_get_config(struct image_store *s, const char *image_id, json_t **ret_config, struct pouch_err *err)
{
        char hex[65];
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, image_id, hex, NULL, err);
        _cleanup_json_ json_t *cfg = NULL;
        if (r == 0)
                r = store_read_config(s, hex, &cfg, err);
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        json_t *c = json_object_get(cfg, "config");
        *ret_config = json_is_object(c) ? json_incref(c) : json_object();
        return 0;
}

int image_layer_dirs(struct image_store *s, const char *image_id, char ***ret_dirs, struct pouch_err *err)
{
        char hex[65];
        _cleanup_strv_free_ char **dirs = strv_new();
        pthread_mutex_lock(&s->lock);
        int r = store_resolve_locked(s, image_id, hex, NULL, err);
        if (r == 0) {
                json_t *chains = json_object_get(json_object_get(s->images, hex), "ChainIds");
                for (size_t i = json_array_size(chains); i > 0 && r == 0; i--) {
                        char *p = store_path(s, "layers/%s/diff",
                                             id_hex(json_string_value(json_array_get(chains, i - 1))));
                        r = p ? strv_consume(&dirs, p) : -ENOMEM;
                }
                if (r < 0)
                        err_set(err, r, "out of memory");
        }
        pthread_mutex_unlock(&s->lock);
        if (r < 0)
                return r;
        *ret_dirs = TAKE_PTR(dirs);
        return 0;
}

char *image_display_name(struct image_store *s, const char *image_id)
{
        char *out = NULL;
        pthread_mutex_lock(&s->lock);
        json_t *doc = json_object_get(s->images, id_hex(image_id));
        const char *tag = json_string_value(json_array_get(json_object_get(doc, "RepoTags"), 0));
        if (tag)
                out = strdup(tag);
        else
                out = strndup(id_hex(image_id), 12);
        pthread_mutex_unlock(&s->lock);
        return out;
}
