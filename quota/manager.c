/* The quota manager: backend choice, argument checks, the lock; the work is in the backends. */
#include "quota/quota-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const backend_names[_QUOTA_BACKEND_MAX] = {
        [QUOTA_BACKEND_NONE] = "none",
        [QUOTA_BACKEND_PRJQUOTA] = "prjquota",
        [QUOTA_BACKEND_LOOP] = "loop",
};

const char *quota_backend_to_string(enum quota_backend b)
{
        return b >= 0 && b < _QUOTA_BACKEND_MAX ? backend_names[b] : NULL;
}

enum quota_backend quota_backend_from_string(const char *s)
{
        for (int b = 0; s && b < _QUOTA_BACKEND_MAX; b++)
                if (STREQ(s, backend_names[b]))
                        return (enum quota_backend) b;
        return _QUOTA_BACKEND_INVALID;
}

static const struct quota_backend_ops *backend_ops(enum quota_backend b)
{
        return b == QUOTA_BACKEND_PRJQUOTA ? &quota_prjquota_ops
               : b == QUOTA_BACKEND_LOOP   ? &quota_loop_ops
                                           : &quota_none_ops;
}

/* Pick the backend: forced (and checked) or the first that works. */
static int choose_backend(struct quota_manager *m, const char *force, struct pouch_err *err)
{
        struct pouch_err why = { 0 };
        if (force) {
                enum quota_backend b = quota_backend_from_string(force);
                if (b < 0)
                        return err_set(err, -EINVAL, "unknown quota backend \"%s\": expected none, prjquota or loop",
                                       force);
                int r = b == QUOTA_BACKEND_PRJQUOTA ? quota_prjquota_probe(m->root, err)
                        : b == QUOTA_BACKEND_LOOP   ? quota_loop_probe(&m->mkfs, err)
                                                    : 0;
                if (r < 0) {
                        if (err)
                                err_wrap(err, "quota backend %s cannot work here", force);
                        return r;
                }
                m->backend = b;
                return 0;
        }
        if (quota_prjquota_probe(m->root, &why) == 0) {
                m->backend = QUOTA_BACKEND_PRJQUOTA;
                return 0;
        }
        snprintf(m->note, sizeof(m->note), "prjquota: %.480s", why.msg);
        err_clear(&why);
        if (quota_loop_probe(&m->mkfs, &why) == 0) {
                m->backend = QUOTA_BACKEND_LOOP;
                return 0;
        }
        size_t n = strlen(m->note);
        snprintf(m->note + n, sizeof(m->note) - n, "; loop: %.480s", why.msg);
        m->backend = QUOTA_BACKEND_NONE;
        return 0;
}

int quota_manager_open(const char *state_dir, const char *root, const char *force, struct quota_manager **ret,
                       struct pouch_err *err)
{
        if (!state_dir || !*state_dir || !root || !*root)
                return err_set(err, -EINVAL, "quota: state directory and root are required");
        if (force && !*force)
                force = NULL;
        int r = mkdir_p(state_dir, 0700);
        if (r < 0)
                return err_set(err, r, "cannot create the quota state directory %s: %s", state_dir, strerror(-r));
        struct quota_manager *m = calloc(1, sizeof(*m));
        if (!m)
                return err_set(err, -ENOMEM, "out of memory");
        char real[PATH_MAX];
        m->state_dir = realpath(state_dir, real) ? strdup(real) : NULL;
        m->root = strdup(root);
        if (!m->state_dir || !m->root) {
                quota_manager_free(m);
                return err_set(err, -ENOMEM, "out of memory");
        }
        _cleanup_free_ char *table = NULL;
        if (asprintf(&table, "%s/project-ids.json", m->state_dir) < 0) {
                quota_manager_free(m);
                return err_set(err, -ENOMEM, "out of memory");
        }
        r = idtable_load(table, &m->ids);
        if (r < 0) {
                quota_manager_free(m);
                return err_set(err, r, "cannot load the project-id table %s: %s", table,
                               r == -EINVAL ? "malformed file" : strerror(-r));
        }
        r = choose_backend(m, force, err);
        if (r < 0) {
                quota_manager_free(m);
                return r;
        }
        m->ops = backend_ops(m->backend);
        pthread_mutex_init(&m->lock, NULL);
        log_debug("quota: backend %s%s%s", quota_backend_to_string(m->backend), *m->note ? " - " : "", m->note);
        *ret = m;
        return 0;
}

struct quota_manager *quota_manager_free(struct quota_manager *m)
{
        if (!m)
                return NULL;
        if (m->ops)
                pthread_mutex_destroy(&m->lock);
        idtable_free(m->ids);
        free(m->state_dir);
        free(m->root);
        free(m->mkfs);
        free(m);
        return NULL;
}

enum quota_backend quota_manager_backend(const struct quota_manager *m)
{
        return m->backend;
}

const char *quota_manager_detect_note(const struct quota_manager *m)
{
        return m->note;
}

int quota_manager_project_id(struct quota_manager *m, const char *key, int64_t *ret_id)
{
        uint32_t id;
        pthread_mutex_lock(&m->lock);
        int r = key ? idtable_lookup(m->ids, key, &id, NULL) : -EINVAL;
        pthread_mutex_unlock(&m->lock);
        if (r == 0)
                *ret_id = id;
        return r;
}

/* Keys name image files: [A-Za-z0-9_.-]{1,200}, not starting with '.'. */
static int check_args(const char *key, const char *dir, struct pouch_err *err)
{
        size_t n = key ? strlen(key) : 0;
        if (n == 0 || n > 200 || key[0] == '.' ||
            strspn(key, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") != n)
                return err_set(err, -EINVAL, "invalid quota key \"%s\": expected 1-200 characters of A-Z a-z 0-9 _ . -",
                               key ? key : "");
        if (!dir || dir[0] != '/')
                return err_set(err, -EINVAL, "invalid quota directory \"%s\": an absolute path is required",
                               dir ? dir : "");
        return 0;
}

int quota_dir_set(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                  struct pouch_err *err)
{
        int r = check_args(key, dir, err);
        if (r < 0)
                return r;
        if (bytes <= 0)
                return err_set(err, -EINVAL, "invalid disk quota %lld: the size must be greater than 0",
                               (long long) bytes);
        int64_t unused_id = 0;
        pthread_mutex_lock(&m->lock);
        r = m->ops->set(m, key, dir, bytes, inout_id ? inout_id : &unused_id, err);
        pthread_mutex_unlock(&m->lock);
        return r;
}

int quota_dir_attach(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err)
{
        int r = check_args(key, dir, err);
        if (r < 0)
                return r;
        pthread_mutex_lock(&m->lock);
        r = m->ops->attach(m, key, dir, err);
        pthread_mutex_unlock(&m->lock);
        return r;
}

int quota_dir_release(struct quota_manager *m, const char *key, const char *dir)
{
        int r = check_args(key, dir, NULL);
        if (r < 0)
                return r;
        pthread_mutex_lock(&m->lock);
        r = m->ops->release(m, key, dir);
        pthread_mutex_unlock(&m->lock);
        return r;
}

int quota_dir_resize(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err)
{
        int r = check_args(key, dir, err);
        if (r < 0)
                return r;
        if (bytes <= 0)
                return err_set(err, -EINVAL, "invalid disk quota %lld: the size must be greater than 0",
                               (long long) bytes);
        pthread_mutex_lock(&m->lock);
        r = m->ops->resize(m, key, dir, bytes, err);
        pthread_mutex_unlock(&m->lock);
        return r;
}

int quota_dir_usage(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit)
{
        int r = check_args(key, dir, NULL);
        if (r < 0)
                return r;
        pthread_mutex_lock(&m->lock);
        r = m->ops->usage(m, key, dir, ret_used, ret_limit);
        pthread_mutex_unlock(&m->lock);
        return r;
}

/* --- the none backend ---------------------------------------------------------------------- */

static int none_set(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, int64_t *inout_id,
                    struct pouch_err *err)
{
        (void) key, (void) dir, (void) bytes, (void) inout_id;
        return err_set(err, -ENOTSUP, "disk quotas are not available on this host (quota backend none%s%s)",
                       *m->note ? ": " : "", m->note);
}

static int none_attach(struct quota_manager *m, const char *key, const char *dir, struct pouch_err *err)
{
        (void) m, (void) key, (void) dir, (void) err;
        return 0;
}

static int none_release(struct quota_manager *m, const char *key, const char *dir)
{
        (void) m, (void) key, (void) dir;
        return 0;
}

static int none_resize(struct quota_manager *m, const char *key, const char *dir, int64_t bytes, struct pouch_err *err)
{
        return none_set(m, key, dir, bytes, NULL, err);
}

static int none_usage(struct quota_manager *m, const char *key, const char *dir, int64_t *ret_used, int64_t *ret_limit)
{
        (void) m, (void) key, (void) dir, (void) ret_used, (void) ret_limit;
        return -ENOTSUP;
}

const struct quota_backend_ops quota_none_ops = {
        .set = none_set,
        .attach = none_attach,
        .release = none_release,
        .resize = none_resize,
        .usage = none_usage,
};
