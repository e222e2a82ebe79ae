/* Disk quotas for container root filesystems and volumes.
 *
 * Two parts:
 *   - the --disk-quota rule parser (pure, no I/O): which mount point gets which limit;
 *   - the quota manager: gives a directory a size limit through one backend, chosen at start-up:
 *       prjquota  ext4/xfs project quotas on the filesystem that holds <home> (a project id per
 *                 directory, inherited by everything created below it; live resize);
 *       loop      a sparse ext4 image file per directory, loop-mounted on it (works on any host
 *                 with loop devices and mkfs.ext4; no resize);
 *       none      quotas refused with a clear message.
 * The manager is thread-safe (one mutex); the parser functions are reentrant.
 * Every function returns 0 or a positive value on success and -errno on failure; messages in
 * `struct pouch_err` are meant for API users. See docs/quota.md. */
#pragma once

#include "lib/err.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>

/* --disk-quota rules as PouchContainer defines them:
 *   "10g"            rootfs and every volume, each 10g ("/" and volumes)   (a bare size)
 *   "/=10g"          the rootfs only
 *   "/data=5g"       the volume or bind mounted at /data
 *   "/&/data=10g"    rootfs and /data share one 10g quota (same project id)
 *   ".*=10g"         every mount point (regex), each its own quota
 * Sizes: integer with b, k, m, g, t (case-insensitive, powers of 1024); 0 or negative refused.
 * Several rules may be given; a later rule for the same path wins. Errors list the accepted
 * forms. *ret = {"rules":[{"paths":["/","/data"],"size":N,"regex":false}, ...]} in the given order.
 *
 * Details: a bare size is stored as the regex rule {"paths":[".*"],"regex":true}. A left-hand
 * side is a plain path when it starts with '/' and holds none of * ? + [ ] ( ) { } | ^ $ \,
 * otherwise an extended regular expression matched against the whole mount point. Plain paths
 * are normalised ("//data/" -> "/data"); "." and ".." components are refused. "Later wins"
 * removes the path (or the identical regex) from earlier rules, and a rule left without paths
 * is dropped. specs may be NULL (no rules).
 * Client input is bounded before regcomp sees it: at most 32 rules, 16 paths in a shared rule,
 * and regular expressions within quota/regex-check.h's limits (length, repetition count and
 * size, no nesting), -EINVAL with a message naming the limit otherwise. */
int quota_rules_parse(char *const *specs, json_t **ret, struct pouch_err *err);
/* The same from a HostConfig-style map {"PATH": "SIZE", ...} (key "" = a bare size), in the
 * map's order. map may be NULL or empty. */
int quota_rules_from_map(const json_t *map, json_t **ret, struct pouch_err *err);
/* The limit (bytes, 0 = none) the rules give to mount point `path` ("/" is the rootfs), and the
 * index of the rule (for shared quotas), -1 when none applies.
 * A plain-path rule naming `path` beats every regex rule; among regex rules the last matching
 * one wins. ret_rule_index may be NULL. */
int64_t quota_rules_size_for(const json_t *rules, const char *path, int *ret_rule_index);
/* Whether rule `index` is a shared quota ("/&/data=10g": several plain paths, one project id).
 * Mount points matched by the same regex rule each get their own quota. */
bool quota_rules_is_shared(const json_t *rules, int index);
/* Parse one size ("10g", "512", "2T"): integer with an optional unit b, k, m, g or t (powers of
 * 1024). -EINVAL for junk, 0 or negative values; -ERANGE past INT64_MAX. */
int quota_size_parse(const char *s, int64_t *ret);

enum quota_backend {
        QUOTA_BACKEND_NONE,
        QUOTA_BACKEND_PRJQUOTA,
        QUOTA_BACKEND_LOOP,
        _QUOTA_BACKEND_MAX,
        _QUOTA_BACKEND_INVALID = -EINVAL,
};
const char *quota_backend_to_string(enum quota_backend b); /* "none", "prjquota", "loop"; NULL if invalid */
enum quota_backend quota_backend_from_string(const char *s);

/* Automatically allocated project ids start here (2^24, as PouchContainer does), so they stay
 * clear of ids an administrator sets by hand. */
#define QUOTA_PROJECT_ID_AUTO_MIN 16777216
/* The highest project id accepted (ids are 32-bit; 2^32-1 is reserved by the kernel). */
#define QUOTA_PROJECT_ID_MAX 4294967294LL
/* The loop backend refuses smaller limits (mkfs.ext4 needs room for its metadata). */
#define QUOTA_LOOP_MIN_BYTES (1024 * 1024)

struct quota_manager;
/* state_dir: <home>/quota (image files, the project-id table). root: the directory whose
 * filesystem holds containers and volumes (<home>). force: NULL = detect (prjquota when root's fs
 * is ext4/xfs mounted with prjquota/pquota and quotactl works, else loop when mkfs.ext4 and loop
 * devices exist, else none), or a backend name ("--quota-backend"): -EINVAL/-ENOTSUP with a clear
 * message when it cannot work here. ("" is treated like NULL.) state_dir is created (0700). */
int quota_manager_open(const char *state_dir, const char *root, const char *force, struct quota_manager **ret,
                       struct pouch_err *err);
struct quota_manager *quota_manager_free(struct quota_manager *m);
enum quota_backend quota_manager_backend(const struct quota_manager *m);
/* Why detection did not pick prjquota (and loop), for a log line at start-up; "" when it did. */
const char *quota_manager_detect_note(const struct quota_manager *m);
/* The project id recorded for key in the table (any backend; the table is only written by
 * prjquota). -ENOENT when none. */
int quota_manager_project_id(struct quota_manager *m, const char *key, int64_t *ret_id);

/* Give directory `dir` (empty, or created) a limit of `bytes`.
 * prjquota: project id *inout_id (0/-1 on input = allocate a free one; kept in a table under
 * state_dir so ids are stable across restarts; a given id N is used as is), FS_XFLAG_PROJINHERIT
 * set on dir, limit set. loop: a sparse image file state_dir/<key>.img of `bytes`, formatted,
 * loop-mounted on dir (key: a name unique to the caller, e.g. the container id + "-rootfs").
 * *inout_id is unchanged for loop.
 * key: 1-200 characters of [A-Za-z0-9_.-], not starting with '.'. Calling it again for a key
 * that is already set up: prjquota sets the (new) limit; loop returns 0 when dir already holds the
 * key's image of the same size (mounting it again if it is not mounted: an existing image is
 * never wiped), -EEXIST when the image has another size. loop needs dir empty (-ENOTEMPTY) and
 * bytes >= QUOTA_LOOP_MIN_BYTES; the new filesystem's root keeps dir's owner and mode.
 * prjquota also tags what already exists under dir. The none backend returns -ENOTSUP. */
int quota_dir_set(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                  struct pouch_err *err);
/* After a daemon restart (or before use): make dir usable again — loop: mount the image if dir is
 * not a mountpoint; prjquota: nothing. 0 when nothing was known for key. */
int quota_dir_attach(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err);
/* Release: loop — unmount dir (lazy if busy) and delete the image; prjquota — clear the limit
 * (and free an auto-allocated id). Idempotent.
 * prjquota: the limit is left in place while another key still uses the same project id (a
 * shared quota or a fixed id given to several containers). */
int quota_dir_release(struct quota_manager *m, const char *key, const char *dir);
/* Grow (or shrink) a limit live: prjquota sets the new limit; loop returns -ENOTSUP with
 * "the loop quota backend cannot resize a quota; recreate the container".
 * prjquota: -ENOENT when key has no quota. */
int quota_dir_resize(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err);
/* Usage and limit in bytes (statfs for loop; quotactl Q_GETQUOTA/Q_XGETQUOTA for prjquota).
 * loop: the limit is the image size. -ENOENT when key has no quota (loop: image missing or not
 * mounted on dir); -ENOTSUP for the none backend. */
int quota_dir_usage(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit);
