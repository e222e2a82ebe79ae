/* Inside the quota manager: the backend vtable and the manager's fields. Not for callers
 * outside quota/. */
#pragma once

#include "quota/idtable.h"
#include "quota/quota.h"

#include <pthread.h>

/* One backend. The manager validates arguments and holds m->lock around every call. */
struct quota_backend_ops {
        int (*set)(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                   struct pouch_err *err);
        int (*attach)(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err);
        int (*release)(struct quota_manager *m, const char *key, const char *dir);
        int (*resize)(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err);
        int (*usage)(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit);
};

struct quota_manager {
        pthread_mutex_t lock;
        enum quota_backend backend;
        const struct quota_backend_ops *ops;
        char *state_dir; /* canonical (realpath) */
        char *root;
        char *mkfs;          /* loop: the mkfs.ext4 to run */
        struct idtable *ids; /* the project-id table (written by prjquota only) */
        char note[1024];     /* why detection skipped a backend */
};

extern const struct quota_backend_ops quota_none_ops;
extern const struct quota_backend_ops quota_prjquota_ops;
extern const struct quota_backend_ops quota_loop_ops;

/* 0 when project quotas work on root's filesystem; -ENOTSUP (or -errno) with the reason. */
int quota_prjquota_probe(const char *root, struct pouch_err *err);
/* 0 when the loop backend can work here (*ret_mkfs: the mkfs.ext4 found); -ENOTSUP with why. */
int quota_loop_probe(char **ret_mkfs, struct pouch_err *err);
