/* Container lifecycle operations shared by the API handlers, the monitor and restore. */
#pragma once

#include "pouchd.h"

/* POST /containers/create: body is the Docker create body; name may be NULL. */
int container_create(struct pouchd *d, const char *name, json_t *body, char ret_id[65], json_t **ret_warnings,
                     struct pouch_err *err);
/* Start a created or exited container; -EALREADY when it already runs (HTTP 304). */
int container_start(struct pouchd *d, struct container *c, struct pouch_err *err);
/* Stop: StopSignal, wait timeout seconds (-1 = the container's StopTimeout or 10), then KILL. */
int container_stop(struct pouchd *d, struct container *c, int timeout, struct pouch_err *err);
int container_kill(struct pouchd *d, struct container *c, int signo, struct pouch_err *err);
int container_restart(struct pouchd *d, struct container *c, int timeout, struct pouch_err *err);
int container_pause(struct pouchd *d, struct container *c, bool pause, struct pouch_err *err);
/* remove_volumes: also delete the container's anonymous volumes (docker rm -v, --rm). */
int container_remove(struct pouchd *d, struct container *c, bool force, bool remove_volumes, struct pouch_err *err);
int container_rename(struct pouchd *d, struct container *c, const char *new_name, struct pouch_err *err);

/* Called by the monitor when the shim of c exited (the container stopped). */
void container_handle_exit(struct pouchd *d, struct container *c);
/* After a daemon restart: reconnect running containers to their shims, collect exits. */
int containers_restore(struct pouchd *d);
/* Mount the rootfs for a stopped container (docker cp); no-op when mounted. */
int container_mount_rootfs(struct pouchd *d, struct container *c, struct pouch_err *err);

/* Wait (with d->lock held) until pred holds or the deadline (CLOCK_REALTIME ns, 0 = forever). */
bool container_wait_locked(struct pouchd *d, bool (*pred)(struct container *c, void *ud), struct container *c, void *ud,
                           int64_t deadline_ns);

/* container-volumes.c */
/* At create: named volumes of Binds and Mounts (created when missing), --volumes-from, an anonymous
 * volume for each image VOLUME nobody covers: Docker's inspect "Mounts" array. */
int container_volumes_prepare(struct pouchd *d, const json_t *config, json_t *hc, json_t **ret_mounts,
                              struct pouch_err *err);
/* At start: rewrite a copy of HostConfig so every volume is a bind of its host directory, copying
 * the image's content into fresh volumes first (docker's copy-up, unless nocopy). */
int container_volumes_resolve(struct pouchd *d, const json_t *mounts, const char *rootfs, json_t *hc,
                              struct pouch_err *err);
/* Whether any container's Mounts names volume NAME. Caller holds d->lock. */
bool volume_in_use_locked(struct pouchd *d, const char *name);
/* After removal: delete the anonymous volumes nobody else uses, when asked. */
void container_volumes_release(struct pouchd *d, json_t *mounts, bool remove_anonymous);

/* container-network.c */
/* At create: check NetworkMode (default, bridge, host, none, container:ID, a network's name or id)
 * and build NetworkSettings.Networks from it and NetworkingConfig.EndpointsConfig (--ip, aliases). */
int container_network_prepare(struct pouchd *d, json_t *hc, const json_t *networking_config, json_t **ret_networks,
                              struct pouch_err *err);
/* At start: the network namespace, endpoints on every network of the record, /etc files.
 * *ret_netns = the namespace for the spec (NULL: host network, or a new one made by the runtime). */
int container_network_setup(struct pouchd *d, struct container *c, char **ret_netns, struct pouch_err *err);
/* After exit, failed start, removal: detach every endpoint, remove the namespace (idempotent). */
void container_network_teardown(struct pouchd *d, struct container *c);
int container_network_connect(struct pouchd *d, struct container *c, const char *network, const json_t *endpoint_config,
                              struct pouch_err *err);
int container_network_disconnect(struct pouchd *d, struct container *c, const char *network, struct pouch_err *err);
/* After containers_restore: release endpoints of containers that are gone or stopped. */
void container_networks_restore(struct pouchd *d);

/* container-hooks.c: HostConfig.Hooks (--hook) into the spec, validated. */
int container_hooks_apply(const json_t *host_config, json_t *spec, struct pouch_err *err);

/* monitor.c */
int monitor_start(struct pouchd *d);
int monitor_watch(struct pouchd *d, struct container *c);
void monitor_stop(struct pouchd *d);
