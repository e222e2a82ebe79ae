/* lxcfs and oci-hooks(5) directories in the daemon: setup, the spec at start, remounts, info. */
#pragma once

#include "pouchd.h"

/* container-lxcfs.c */
/* Start supervising lxcfs (<home>/lxcfs or --lxcfs-home); never fatal: info shows the state. */
int pouchd_lxcfs_setup(struct pouchd *d);
/* Stop supervising; lxcfs itself is stopped only when no running container uses it. */
void pouchd_lxcfs_teardown(struct pouchd *d);
/* At create: an explicit EnableLxcfs without a working lxcfs is refused (-EINVAL). */
int container_lxcfs_check(struct pouchd *d, const json_t *host_config, struct pouch_err *err);
/* At start: bind lxcfs's views over the spec's /proc and /sys files when the container wants
 * them (EnableLxcfs, rich containers, or the daemon's --enable-lxcfs) and record them in the
 * doc's "LxcfsMounts". */
int container_lxcfs_apply(struct pouchd *d, struct container *c, const json_t *host_config, json_t *spec,
                          struct pouch_err *err);
/* Re-bind the views inside a running container (lxcfs is started first when it is down). */
int container_lxcfs_remount(struct pouchd *d, struct container *c, struct pouch_err *err);
/* The same for every running container that uses lxcfs: {"Remounted":[ids],"Errors":[{Id,Error}]}. */
json_t *containers_lxcfs_remount_all(struct pouchd *d);
/* GET /info "Lxcfs". */
json_t *pouchd_lxcfs_info(struct pouchd *d);

/* container-ocihooks.c */
/* At start, before the per-container hooks: add the matching hooks of the hook directories and
 * record every hook the spec runs in the doc's "AppliedHooks". */
int container_ocihooks_apply(struct pouchd *d, struct container *c, const json_t *host_config, json_t *spec,
                             struct pouch_err *err);
