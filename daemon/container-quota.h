/* Disk quotas of containers and volumes: the glue between pouchd and the quota manager (quota/).
 *
 * A container with a "/" limit keeps its writable layer in <home>/containers/<id>/rw (the quota
 * directory: a loop-mounted ext4 image, or a directory tagged with a project id), with the overlay
 * upper and work dirs at rw/diff and rw/work (diff and work in the container directory are
 * symlinks to them). Named and anonymous volumes at mount points the rules name get their own
 * quota (key vol-<name>), which belongs to the volume: it stays until the volume is removed.
 * Host binds never get one (see docs/quota.md).
 *
 * The container record keeps what was set up in "QuotaUsage":
 *   {"Backend": "loop", "Mounts": [{"Destination": "/", "Key": ..., "Dir": ..., "Limit": N,
 *    "ProjectID": N, "Volume": "NAME"}, ...]}
 * and inspect adds the live "Used" bytes to every entry. */
#pragma once

#include "daemon/pouchd.h"

#include <jansson.h>
#include <stdint.h>

/* pouchd start-up: open the manager (<home>/quota, root <home>, cfg.quota_backend forces one). */
int pouchd_quota_open(struct pouchd *d, struct pouch_err *err);
/* After containers_load: mount the loop images of existing containers and volumes again (after a
 * reboot, or when someone unmounted them). Already mounted images are left alone. */
void pouchd_quota_restore(struct pouchd *d);
/* The backend's name for /info ("none" without a manager). */
const char *pouchd_quota_backend_name(struct pouchd *d);

/* Create, before anything is made: HostConfig.DiskQuota (object or string) and QuotaID are valid
 * and this host's backend can serve them; -EINVAL with a message listing the accepted forms. */
int container_quota_check(struct pouchd *d, const json_t *hc, struct pouch_err *err);
/* Create, after the volumes are prepared: set the limits, point diff/work at the quota directory,
 * record "QuotaUsage" (and the GraphDriver paths) in doc. Undoes its own work on failure.
 * warnings (may be NULL): a JSON array for rules that name no mount point. */
int container_quota_setup(struct pouchd *d, const char *id, const json_t *hc, const json_t *mounts, json_t *doc,
                          json_t *warnings, struct pouch_err *err);
/* Removal: release the container's own quota (the writable layer); volume quotas stay with their
 * volumes. doc may be NULL (then only the rootfs key is released). Idempotent. */
void container_quota_release(struct pouchd *d, const char *id);
/* Before mounting the rootfs: make the quota directory usable (loop: mount the image). */
int container_quota_attach(struct pouchd *d, const char *id, struct pouch_err *err);
/* Inspect: add "Used" to the entries of doc's "QuotaUsage". */
void container_quota_inspect(struct pouchd *d, const char *id, json_t *doc);
/* The writable layer's size in bytes: the loop filesystem's usage, else the diff dir's. */
int64_t container_quota_size_rw(struct pouchd *d, const char *id);
/* POST /containers/{id}/update with "DiskQuota": resize live (prjquota), refuse on loop. Updates
 * hc's DiskQuota and the record's limits. Caller holds c->op_lock, not d->lock. 0 when body has
 * no DiskQuota. */
int container_quota_update(struct pouchd *d, struct container *c, const json_t *body, json_t *hc,
                           struct pouch_err *err);

/* Volumes: Options "size" (or "opt.size") is checked before the volume is made ... */
int volume_quota_check(struct pouchd *d, const json_t *options, struct pouch_err *err);
/* ... and applied after; doc: the volume's document. Nothing to do without a size. */
int volume_quota_apply(struct pouchd *d, const json_t *doc, struct pouch_err *err);
/* Before a volume is deleted. Idempotent. */
void volume_quota_release(struct pouchd *d, const char *name);
/* Volume inspect: "Status": {"QuotaBackend", "Limit", "Used"} for a sized volume. */
void volume_quota_status(struct pouchd *d, json_t *doc);
