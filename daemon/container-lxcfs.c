/* lxcfs in the daemon: the supervisor's setup, the views in a container's spec, remounts. */
#include "container-lxcfs.h"
#include "lifecycle.h"

#include "lxcfs-integration/lxcfs.h"
#include "richmode/richmode.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum lxcfs_want {
        LXCFS_NO,
        LXCFS_IF_AVAILABLE, /* rich containers, --enable-lxcfs on pouchd: a warning without lxcfs */
        LXCFS_REQUIRED,     /* HostConfig.EnableLxcfs: an error without lxcfs */
};

static enum lxcfs_want wanted(struct pouchd *d, const json_t *hc)
{
        json_t *v = json_object_get(hc, "EnableLxcfs");
        if (json_is_true(v))
                return LXCFS_REQUIRED;
        if (json_is_false(v))
                return LXCFS_NO;
        return rich_enabled(hc) || d->cfg.enable_lxcfs ? LXCFS_IF_AVAILABLE : LXCFS_NO;
}

static void on_restart(void *ud)
{
        struct pouchd *d = ud;
        _cleanup_json_ json_t *rep = containers_lxcfs_remount_all(d);
        size_t n = json_array_size(json_object_get(rep, "Remounted"));
        if (n > 0 || json_array_size(json_object_get(rep, "Errors")) > 0)
                log_info("lxcfs restarted: views re-bound in %zu container(s), %zu failure(s)", n,
                         json_array_size(json_object_get(rep, "Errors")));
}

int pouchd_lxcfs_setup(struct pouchd *d)
{
        _cleanup_free_ char *mp = NULL;
        _cleanup_free_ char *pidfile = NULL;
        _cleanup_free_ char *logfile = NULL;
        if ((d->cfg.lxcfs_home ? !(mp = strdup(d->cfg.lxcfs_home)) : asprintf(&mp, "%s/lxcfs", d->home) < 0) ||
            asprintf(&pidfile, "%s/lxcfs.pid", d->home) < 0 || asprintf(&logfile, "%s/lxcfs.log", d->home) < 0)
                return -ENOMEM;
        struct lxcfs_opts o = {
                .binary = d->cfg.lxcfs_binary,
                .mountpoint = mp,
                .pidfile = pidfile,
                .logfile = logfile,
                .on_restart = on_restart,
                .ud = d,
        };
        return lxcfs_supervisor_new(&o, &d->lxcfs);
}

static bool any_user_locked(struct pouchd *d)
{
        for (struct container *c = d->containers; c; c = c->next)
                if ((c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED) &&
                    json_array_size(json_object_get(c->doc, "LxcfsMounts")) > 0)
                        return true;
        return false;
}

void pouchd_lxcfs_teardown(struct pouchd *d)
{
        if (!d->lxcfs)
                return;
        pthread_mutex_lock(&d->lock);
        bool used = any_user_locked(d);
        pthread_mutex_unlock(&d->lock);
        lxcfs_supervisor_free(d->lxcfs, !used);
        d->lxcfs = NULL;
}

int container_lxcfs_check(struct pouchd *d, const json_t *hc, struct pouch_err *err)
{
        json_t *v = json_object_get(hc, "EnableLxcfs");
        if (v && !json_is_boolean(v) && !json_is_null(v))
                return err_set(err, -EINVAL, "invalid HostConfig.EnableLxcfs: a boolean was expected");
        if (wanted(d, hc) != LXCFS_REQUIRED)
                return 0;
        struct pouch_err e = { 0 };
        if (lxcfs_ensure(d->lxcfs, &e) < 0)
                return err_set(err, -EINVAL, "--enable-lxcfs: lxcfs is not available: %s", e.msg);
        return 0;
}

int container_lxcfs_apply(struct pouchd *d, struct container *c, const json_t *hc, json_t *spec, struct pouch_err *err)
{
        enum lxcfs_want w = wanted(d, hc);
        _cleanup_json_ json_t *targets = NULL;
        if (w != LXCFS_NO) {
                struct pouch_err e = { 0 };
                int r = lxcfs_ensure(d->lxcfs, &e);
                if (r < 0 && w == LXCFS_REQUIRED)
                        return err_set(err, -EINVAL, "--enable-lxcfs: lxcfs is not available: %s", e.msg);
                if (r < 0)
                        log_warn("container %.12s: lxcfs is not available, starting without its views: %s", c->id,
                                 e.msg);
                else {
                        r = lxcfs_spec_add_mounts(lxcfs_mountpoint(d->lxcfs), spec, &targets);
                        if (r < 0)
                                return err_set(err, r, "cannot add the lxcfs mounts: %s", strerror(-r));
                }
        }
        pthread_mutex_lock(&d->lock);
        if (targets && json_array_size(targets) > 0)
                json_object_set(c->doc, "LxcfsMounts", targets);
        else
                json_object_del(c->doc, "LxcfsMounts");
        pthread_mutex_unlock(&d->lock);
        return 0;
}

static pid_t running_pid_locked(struct container *c)
{
        if (c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED)
                return 0;
        return (pid_t) json_get_int(json_object_get(c->doc, "State"), "Pid", 0);
}

int container_lxcfs_remount(struct pouchd *d, struct container *c, struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        pid_t pid = running_pid_locked(c);
        bool uses = json_array_size(json_object_get(c->doc, "LxcfsMounts")) > 0;
        pthread_mutex_unlock(&d->lock);
        if (pid <= 0)
                return err_set(err, -EBUSY, "container %.12s is not running", c->id);
        if (!uses)
                return err_set(err, -EINVAL, "container %.12s does not use lxcfs (start it with --enable-lxcfs)",
                               c->id);
        int r = lxcfs_ensure(d->lxcfs, err);
        if (r < 0)
                return r;
        r = lxcfs_remount_pid(lxcfs_mountpoint(d->lxcfs), pid, err);
        if (r >= 0)
                log_info("container %.12s: %d lxcfs view(s) re-bound", c->id, r);
        return r;
}

json_t *containers_lxcfs_remount_all(struct pouchd *d)
{
        json_t *done = json_array(), *errors = json_array();
        size_t n = 0, cap = 8;
        struct container **v = malloc(cap * sizeof(*v));
        pthread_mutex_lock(&d->lock);
        for (struct container *c = d->containers; c && v; c = c->next) {
                if (running_pid_locked(c) <= 0 || json_array_size(json_object_get(c->doc, "LxcfsMounts")) == 0)
                        continue;
                if (n == cap) {
                        struct container **nv = realloc(v, (cap *= 2) * sizeof(*v));
                        if (!nv)
                                break;
                        v = nv;
                }
                c->refs++;
                v[n++] = c;
        }
        pthread_mutex_unlock(&d->lock);
        for (size_t i = 0; i < n; i++) {
                struct pouch_err err = { 0 };
                if (container_lxcfs_remount(d, v[i], &err) >= 0)
                        json_array_append_new(done, json_string(v[i]->id));
                else {
                        log_warn("container %.12s: cannot re-bind lxcfs: %s", v[i]->id, err.msg);
                        json_array_append_new(errors, json_pack("{s:s,s:s}", "Id", v[i]->id, "Error", err.msg));
                }
                container_put(d, v[i]);
        }
        free(v);
        return json_pack("{s:o,s:o}", "Remounted", done, "Errors", errors);
}

json_t *pouchd_lxcfs_info(struct pouchd *d)
{
        json_t *j = lxcfs_status(d->lxcfs);
        if (j)
                json_object_set_new(j, "EnabledByDefault", json_boolean(d->cfg.enable_lxcfs));
        return j;
}
