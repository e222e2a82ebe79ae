/* lxcfs: a supervised lxcfs FUSE daemon, and its per-container views of /proc and /sys.
 *
 * The supervisor adopts a healthy lxcfs already serving the mount point (one a previous pouchd
 * started: lxcfs outlives pouchd like the containers that read it) or starts one, and watches it
 * (pidfd, plus a health check of the mount every 500 ms). When it dies it is restarted on the
 * same mount point and on_restart runs, so the caller can re-bind the views inside running
 * containers: their binds point at the dead FUSE connection and read ENOTCONN until then. */
#pragma once

#include "lib/err.h"

#include <jansson.h>
#include <stdbool.h>
#include <sys/types.h>

/* Files lxcfs can serve, relative to its mount point; each is bound at "/" + name. */
extern const char *const lxcfs_view_files[];

struct lxcfs;

struct lxcfs_opts {
        const char *binary;     /* NULL: /usr/bin/lxcfs */
        const char *mountpoint; /* created when missing */
        const char *pidfile;    /* lxcfs's own (locked) pid file */
        const char *logfile;    /* lxcfs's stderr; NULL: /dev/null */
        /* Runs on the supervisor thread (no lock held) after lxcfs was started again. */
        void (*on_restart)(void *ud);
        void *ud;
};

/* Set up the supervisor and make lxcfs run. Never fails for lxcfs's sake: when the binary is
 * missing or lxcfs does not come up, *ret is still set and lxcfs_status() tells why. -ENOMEM only. */
int lxcfs_supervisor_new(const struct lxcfs_opts *o, struct lxcfs **ret);
/* Stop watching. stop_daemon: also stop lxcfs and unmount it (nobody uses it). NULL is fine. */
void lxcfs_supervisor_free(struct lxcfs *l, bool stop_daemon);
/* Make sure lxcfs serves the mount point now, restarting it when needed (without calling
 * on_restart). -ENOENT when lxcfs is not installed, -EIO when it does not come up; err says why. */
int lxcfs_ensure(struct lxcfs *l, struct pouch_err *err);
const char *lxcfs_mountpoint(const struct lxcfs *l);
/* {"Available","Running","Pid","Mountpoint","Binary","Restarts","Error","CpuQuotaView"} */
json_t *lxcfs_status(struct lxcfs *l);

/* probe.c */
/* Whether an lxcfs --help text offers --enable-cfs (lxcfs >= 5: CPU views that follow the CFS
 * quota). The supervisor starts lxcfs with it when the binary has it. */
bool lxcfs_help_has_cfs(const char *help);
bool lxcfs_supports_cfs(const char *binary);

/* mounts.c */
/* Whether a live lxcfs serves mountpoint (a FUSE mount whose proc/ answers). */
bool lxcfs_mount_healthy(const char *mountpoint);
/* Lazily unmount every mount stacked on mountpoint (a dead FUSE connection included). */
void lxcfs_unmount(const char *mountpoint);
/* Append a bind mount to spec.mounts for each view file lxcfs serves under mountpoint.
 * *ret_targets (may be NULL) gets the container paths as a JSON array. */
int lxcfs_spec_add_mounts(const char *mountpoint, json_t *spec, json_t **ret_targets);
/* Mount points of the FUSE lxcfs mounts in a mountinfo text, as written there. */
int lxcfs_mountinfo_targets(const char *mountinfo, char ***ret_targets);
/* Re-bind the views inside the mount namespace of pid (from a forked child that enters it; the
 * caller's threads keep their namespace): each target that holds an lxcfs mount is unmounted,
 * then the fresh file from mountpoint is moved over it. Returns the number of views bound. */
int lxcfs_remount_pid(const char *mountpoint, pid_t pid, struct pouch_err *err);
