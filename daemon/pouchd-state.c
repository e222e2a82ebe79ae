/* pouchd_state_done: releasing what a struct pouchd owns (pouchd-state.h). */
#include "pouchd-state.h"

#include "config.h"
#include "events.h"
#include "http-limits.h"
#include "image/image.h"
#include "lifecycle.h"
#include "network/network.h"
#include "volume/volume.h"
#include "quota/quota.h"

#include <stdlib.h>

static void records_free(struct pouchd *d)
{
        pthread_mutex_lock(&d->lock);
        while (d->containers) {
                struct container *c = d->containers;
                d->containers = c->next;
                container_free(c);
        }
        while (d->execs) {
                struct exec_rec *e = d->execs;
                d->execs = e->next;
                json_decref(e->config);
                free(e);
        }
        pthread_mutex_unlock(&d->lock);
}

void pouchd_state_done(struct pouchd *d)
{
        records_free(d);
        image_store_free(d->images);
        volume_store_free(d->volumes);
        quota_manager_free(d->quota);
        network_store_free(d->networks);
        event_bus_free(d->events);
        runtime_done(&d->runtime);
        free(d->home);
        free(d->shim_path);
        free(d->init_path);
        peer_caps_free(d->peer_caps);
        config_done(&d->cfg);
}
