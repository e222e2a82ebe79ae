/* POST /containers/prune: remove the stopped containers the filters (label, label!, until) allow. */
#include "api.h"
#include "container-filter.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdlib.h>

static const char *const prune_filter_keys[] = { "label", "label!", "until", NULL };

/* The candidates, each with a reference held; NULL-terminated. */
static struct container **candidates(struct pouchd *d, const struct container_filter *cf)
{
        pthread_mutex_lock(&d->lock);
        size_t n = 0;
        for (struct container *c = d->containers; c; c = c->next)
                n++;
        struct container **v = calloc(n + 1, sizeof(*v));
        size_t k = 0;
        for (struct container *c = d->containers; v && c; c = c->next) {
                /* dockerd prunes what does not run: paused and restarting containers count as running */
                if (c->removed ||
                    (c->status != CONTAINER_CREATED && c->status != CONTAINER_EXITED && c->status != CONTAINER_DEAD))
                        continue;
                if (!container_filter_match_locked(cf, c))
                        continue;
                c->refs++;
                v[k++] = c;
        }
        pthread_mutex_unlock(&d->lock);
        return v;
}

enum MHD_Result api_container_prune(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        struct container_filter cf;
        if (http_filters(r, prune_filter_keys, &f, &err) < 0 || container_filter_prepare(r->d, f, &cf, &err) < 0)
                return http_error(r, &err);
        struct timespec now = now_realtime();
        if (filters_get_time(f, "until", timespec_to_ns(&now), &cf.until_ns, &err) < 0) {
                container_filter_done(&cf);
                return http_error(r, &err);
        }
        _cleanup_free_ struct container **v = candidates(r->d, &cf);
        container_filter_done(&cf);
        if (!v)
                return http_errorf(r, 500, "out of memory");
        json_t *deleted = json_array();
        for (size_t i = 0; v[i]; i++) {
                /* not forced: a container started meanwhile is refused (EBUSY) and kept */
                if (container_remove(r->d, v[i], false, false, NULL) == 0)
                        json_array_append_new(deleted, json_string(v[i]->id));
                container_put(r->d, v[i]);
        }
        return http_json(r, 200, json_pack("{s:o,s:i}", "ContainersDeleted", deleted, "SpaceReclaimed", 0));
}
