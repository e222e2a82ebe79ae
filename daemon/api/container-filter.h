/* The filters of GET /containers/json and POST /containers/prune, resolved once per request. */
#pragma once

#include "daemon/filters.h"
#include "daemon/pouchd.h"

#include <stdint.h>

/* The keys dockerd accepts: id, name, label, status, ancestor, before, since, volume, network,
 * exited, health, is-task, isolation, publish, expose. */
extern const char *const container_list_filter_keys[];

struct container_filter {
        const struct filters *f;
        int64_t before_ns, since_ns; /* created before / after these containers; 0 = no bound */
        int64_t until_ns;            /* prune: created before this time; 0 = no bound */
        char **ancestor_ids;         /* the image ids the ancestor values name */
        int is_task;                 /* -1 absent; pouch runs no swarm tasks, so true matches nothing */
};

/* Check the values (status names, exit codes, health states, ports, booleans) and resolve what refers
 * to other objects (before, since, ancestor). Takes d->lock itself: call it without. -EINVAL with a
 * message for the client; a before/since container that does not exist is -ENOENT. */
int container_filter_prepare(struct pouchd *d, const struct filters *f, struct container_filter *ret,
                             struct pouch_err *err);
void container_filter_done(struct container_filter *cf);
/* Does c pass the filters? Caller holds d->lock. */
bool container_filter_match_locked(const struct container_filter *cf, struct container *c);
