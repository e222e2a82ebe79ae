/* /volumes: create, list, inspect, remove, prune (the local driver). */
#include "api.h"

#include "daemon/events.h"
#include "daemon/volume/volume.h"
#include "daemon/container-quota.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <string.h>

static const char *const list_filters[] = { "name", "driver", "label", "dangling", NULL };
static const char *const prune_filters[] = { "label", "label!", "all", NULL };

static bool contains(const char *value, void *ud)
{
        return strstr(ud, value) != NULL;
}

/* name (substring), driver, label (key or key=value, all must match), label!, dangling */
static bool volume_matches(struct pouchd *d, json_t *vol, const struct filters *f)
{
        const char *name = json_get_str(vol, "Name", "");
        if (!filters_each_value(f, "name", contains, (void *) name) ||
            !filters_match_exact(f, "driver", json_get_str(vol, "Driver", "")) ||
            !filters_match_label(f, json_object_get(vol, "Labels")))
                return false;
        bool dangling;
        if (filters_get_bool(f, "dangling", &dangling, NULL) > 0) {
                pthread_mutex_lock(&d->lock);
                bool used = volume_in_use_locked(d, name);
                pthread_mutex_unlock(&d->lock);
                if (used == dangling)
                        return false;
        }
        return true;
}

enum MHD_Result api_volume_list(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        bool dangling;
        if (http_filters(r, list_filters, &f, &err) < 0 || filters_get_bool(f, "dangling", &dangling, &err) < 0)
                return http_error(r, &err);
        _cleanup_json_ json_t *all = volume_list(r->d->volumes);
        json_t *out = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(all, i, v)
                if (volume_matches(r->d, v, f))
                        json_array_append(out, v);
        return http_json(r, 200, json_pack("{s:o,s:[]}", "Volumes", out, "Warnings"));
}

enum MHD_Result api_volume_create(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, true, &res);
        if (!body)
                return res;
        json_t *labels = json_object_get(body, "Labels"), *opts = json_object_get(body, "DriverOpts");
        if ((labels && !json_is_object(labels) && !json_is_null(labels)) ||
            (opts && !json_is_object(opts) && !json_is_null(opts)))
                return http_errorf(r, 400, "Labels and DriverOpts must be objects");
        struct pouch_err err = { 0 };
        json_t *doc = NULL;
        if (volume_quota_check(r->d, opts, &err) < 0)
                return http_error(r, &err);
        const char *vname = json_get_str(body, "Name", "");
        json_t *existing = NULL;
        bool fresh = !*vname || volume_inspect(r->d->volumes, vname, &existing, NULL) < 0;
        json_decref(existing);
        if (volume_create(r->d->volumes, vname, json_get_str(body, "Driver", ""),
                          json_is_object(labels) ? labels : NULL, json_is_object(opts) ? opts : NULL, &doc, &err) < 0)
                return http_error(r, &err);
        /* a sized volume gets its quota now; an existing volume is returned as it is */
        if (fresh && volume_quota_apply(r->d, doc, &err) < 0) {
                volume_quota_release(r->d, json_get_str(doc, "Name", ""));
                volume_remove(r->d->volumes, json_get_str(doc, "Name", ""), NULL);
                json_decref(doc);
                return http_error(r, &err);
        }
        event_publish(r->d->events, "volume", "create", json_get_str(doc, "Name", ""), NULL);
        json_object_del(doc, "Anonymous");
        return http_json(r, 201, doc);
}

enum MHD_Result api_volume_inspect(struct http_req *r)
{
        struct pouch_err err = { 0 };
        json_t *doc = NULL;
        if (volume_inspect(r->d->volumes, r->params[0], &doc, &err) < 0)
                return http_error(r, &err);
        volume_quota_status(r->d, doc);
        return http_json(r, 200, doc);
}

/* The names of the containers using a volume, for docker's in-use message. Caller holds d->lock. */
static void users_locked(struct pouchd *d, const char *name, char *buf, size_t len)
{
        size_t n = 0;
        buf[0] = '\0';
        for (struct container *c = d->containers; c; c = c->next) {
                size_t i;
                json_t *m;
                json_array_foreach(json_object_get(c->doc, "Mounts"), i, m) {
                        if (strcmp(json_get_str(m, "Name", ""), name) == 0 && n + 70 < len) {
                                n += (size_t) snprintf(buf + n, len - n, "%s%s", n ? ", " : "", c->id);
                                break;
                        }
                }
        }
}

enum MHD_Result api_volume_delete(struct http_req *r)
{
        struct pouch_err err = { 0 };
        const char *name = r->params[0];
        char users[1024];
        pthread_mutex_lock(&r->d->lock);
        bool used = volume_in_use_locked(r->d, name);
        if (used)
                users_locked(r->d, name, users, sizeof(users));
        pthread_mutex_unlock(&r->d->lock);
        if (used) {
                err_set(&err, -EBUSY, "remove %s: volume is in use - [%s]", name, users);
                return http_error(r, &err);
        }
        volume_quota_release(r->d, name);
        if (volume_remove(r->d->volumes, name, &err) < 0) {
                if (err.code == -ENOENT && http_query_bool(r, "force", false))
                        return http_empty(r, 204);
                return http_error(r, &err);
        }
        event_publish(r->d->events, "volume", "destroy", name, NULL);
        return http_empty(r, 204);
}

/* Unused anonymous volumes; with the filter all=true named ones too (docker 23+). */
enum MHD_Result api_volume_prune(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        bool all = false;
        if (http_filters(r, prune_filters, &f, &err) < 0 || filters_get_bool(f, "all", &all, &err) < 0)
                return http_error(r, &err);
        _cleanup_json_ json_t *vols = volume_list(r->d->volumes);
        json_t *deleted = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(vols, i, v) {
                const char *name = json_get_str(v, "Name", "");
                if ((!all && !volume_is_anonymous(r->d->volumes, name)) || !volume_matches(r->d, v, f))
                        continue;
                pthread_mutex_lock(&r->d->lock);
                bool used = volume_in_use_locked(r->d, name);
                pthread_mutex_unlock(&r->d->lock);
                if (!used)
                        volume_quota_release(r->d, name);
                if (!used && volume_remove(r->d->volumes, name, NULL) == 0) {
                        json_array_append_new(deleted, json_string(name));
                        event_publish(r->d->events, "volume", "destroy", name, NULL);
                }
        }
        return http_json(r, 200, json_pack("{s:o,s:i}", "VolumesDeleted", deleted, "SpaceReclaimed", 0));
}
