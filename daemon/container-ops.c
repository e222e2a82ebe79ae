/* Stop, kill, restart, pause, rename, remove. */
#include "lifecycle.h"
#include "container-quota.h"
#include "events.h"
#include "names.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <time.h>
#include <unistd.h>

bool container_wait_locked(struct pouchd *d, bool (*pred)(struct container *c, void *ud), struct container *c, void *ud,
                           int64_t deadline_ns)
{
        while (!pred(c, ud)) {
                if (deadline_ns > 0) {
                        struct timespec ts = { .tv_sec = deadline_ns / 1000000000LL,
                                               .tv_nsec = deadline_ns % 1000000000LL };
                        if (pthread_cond_timedwait(&d->changed, &d->lock, &ts) != 0)
                                return pred(c, ud);
                } else {
                        pthread_cond_wait(&d->changed, &d->lock);
                }
        }
        return true;
}

static bool not_running(struct container *c, void *ud)
{
        (void) ud;
        return c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED;
}

static int64_t deadline_in(int64_t ms)
{
        struct timespec now = now_realtime();
        return timespec_to_ns(&now) + ms * 1000000LL;
}

static json_t *event_attrs_locked(struct container *c)
{
        return json_pack("{s:s,s:s}", "image", json_get_str(json_object_get(c->doc, "Config"), "Image", ""), "name",
                         container_name(c) + 1);
}

static int stop_signal_locked(struct container *c)
{
        const char *s = json_get_str(json_object_get(c->doc, "Config"), "StopSignal", "");
        int sig = *s ? signal_from_string(s) : SIGTERM;
        return sig > 0 ? sig : SIGTERM;
}

/* Send sig, wait up to timeout_s for the exit, then SIGKILL everything and wait again. */
static int stop_locked_op(struct pouchd *d, struct container *c, int timeout_s, struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        if (not_running(c, NULL)) {
                /* between restarts (policy back-off): the stop cancels the pending restart */
                if (c->restart_pending || c->status == CONTAINER_RESTARTING) {
                        c->manual_stop = true;
                        c->restart_pending = false;
                        json_object_set_new(c->doc, "HasBeenManuallyStopped", json_true());
                        container_save_locked(d, c);
                }
                pthread_mutex_unlock(&d->lock);
                return 0;
        }
        c->manual_stop = true;
        json_object_set_new(c->doc, "HasBeenManuallyStopped", json_true());
        bool paused = c->status == CONTAINER_PAUSED;
        int sig = stop_signal_locked(c);
        if (timeout_s < 0)
                timeout_s = (int) json_get_int(json_object_get(c->doc, "Config"), "StopTimeout", 10);
        pthread_mutex_unlock(&d->lock);

        if (paused)
                runtime_resume(&d->runtime, c->id, NULL);
        if (timeout_s > 0) {
                int r = runtime_kill(&d->runtime, c->id, sig, false, NULL);
                if (r == 0) {
                        pthread_mutex_lock(&d->lock);
                        bool done = container_wait_locked(d, not_running, c, NULL,
                                                          deadline_in((int64_t) timeout_s * 1000));
                        pthread_mutex_unlock(&d->lock);
                        if (done)
                                return 0;
                        log_info("Container %.12s did not stop within %ds after signal %d, killing it", c->id,
                                 timeout_s, sig);
                }
        }
        runtime_kill(&d->runtime, c->id, SIGKILL, true, NULL);
        pthread_mutex_lock(&d->lock);
        bool done = container_wait_locked(d, not_running, c, NULL, deadline_in(30000));
        pthread_mutex_unlock(&d->lock);
        if (!done)
                return err_set(err, -EIO, "container %.12s did not exit after SIGKILL", c->id);
        return 0;
}

int container_stop(struct pouchd *d, struct container *c, int timeout, struct pouch_err *err)
{
        pthread_mutex_lock(&c->op_lock);
        int r = stop_locked_op(d, c, timeout, err);
        pthread_mutex_unlock(&c->op_lock);
        if (r == 0) {
                pthread_mutex_lock(&d->lock);
                json_t *attrs = event_attrs_locked(c);
                pthread_mutex_unlock(&d->lock);
                event_publish(d->events, "container", "stop", c->id, attrs);
        }
        return r;
}

int container_kill(struct pouchd *d, struct container *c, int signo, struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        bool running = !not_running(c, NULL);
        if (running && (signo == SIGKILL || signo == SIGTERM || signo == SIGINT)) {
                c->manual_stop = true;
                json_object_set_new(c->doc, "HasBeenManuallyStopped", json_true());
        }
        json_t *attrs = event_attrs_locked(c);
        pthread_mutex_unlock(&d->lock);
        if (!running) {
                json_decref(attrs);
                return err_set(err, -EBUSY, "Cannot kill container: %.12s: Container %s is not running", c->id, c->id);
        }
        int r = runtime_kill(&d->runtime, c->id, signo, false, err);
        if (r < 0) {
                json_decref(attrs);
                return r;
        }
        json_object_set_new(attrs, "signal", json_integer(signo));
        event_publish(d->events, "container", "kill", c->id, attrs);
        return 0;
}

int container_restart(struct pouchd *d, struct container *c, int timeout, struct pouch_err *err)
{
        int r = container_stop(d, c, timeout, err);
        if (r < 0)
                return r;
        r = container_start(d, c, err);
        if (r == -EALREADY)
                r = 0;
        if (r == 0) {
                pthread_mutex_lock(&d->lock);
                json_t *attrs = event_attrs_locked(c);
                pthread_mutex_unlock(&d->lock);
                event_publish(d->events, "container", "restart", c->id, attrs);
        }
        return r;
}

int container_pause(struct pouchd *d, struct container *c, bool pause, struct pouch_err *err)
{
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&d->lock);
        enum container_status s = c->status;
        pthread_mutex_unlock(&d->lock);
        int r;
        if (pause && s != CONTAINER_RUNNING)
                r = err_set(err, -EBUSY,
                            s == CONTAINER_PAUSED ? "Container %.12s is already paused"
                                                  : "Container %.12s is not running",
                            c->id);
        else if (!pause && s != CONTAINER_PAUSED)
                r = err_set(err, -EBUSY, "Container %.12s is not paused", c->id);
        else
                r = pause ? runtime_pause(&d->runtime, c->id, err) : runtime_resume(&d->runtime, c->id, err);
        if (r == 0) {
                pthread_mutex_lock(&d->lock);
                if (c->status == (pause ? CONTAINER_RUNNING : CONTAINER_PAUSED))
                        container_set_status_locked(d, c, pause ? CONTAINER_PAUSED : CONTAINER_RUNNING);
                container_save_locked(d, c);
                json_t *attrs = event_attrs_locked(c);
                pthread_mutex_unlock(&d->lock);
                event_publish(d->events, "container", pause ? "pause" : "unpause", c->id, attrs);
        }
        pthread_mutex_unlock(&c->op_lock);
        return r;
}

int container_rename(struct pouchd *d, struct container *c, const char *new_name, struct pouch_err *err)
{
        if (!new_name || !*new_name)
                return err_set(err, -EINVAL, "Neither old nor new names may be empty");
        if (*new_name == '/')
                new_name++;
        if (!container_name_valid(new_name))
                return err_set(err, -EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                               new_name);
        pthread_mutex_lock(&d->lock);
        if (strcmp(container_name(c) + 1, new_name) == 0) {
                pthread_mutex_unlock(&d->lock);
                return err_set(err, -EINVAL, "Renaming a container with the same name as its current name");
        }
        int r = container_name_reserve_locked(d, new_name, err);
        if (r == 0) {
                /* whole names, however long: the duplicate check compares them */
                json_t *old = json_string(container_name(c));
                json_object_set_new(c->doc, "Name", json_sprintf("/%s", new_name));
                r = container_save_locked(d, c);
                json_t *attrs = event_attrs_locked(c);
                json_object_set_new(attrs, "oldName", old);
                pthread_mutex_unlock(&d->lock);
                event_publish(d->events, "container", "rename", c->id, attrs);
                return r;
        }
        pthread_mutex_unlock(&d->lock);
        return r;
}

/* The shim deletes the runtime's state when the container exits; only a container that never
 * ran, or whose shim died, still has some. A stat is much cheaper than another runtime call. */
static bool runtime_has_state(struct pouchd *d, const char *id)
{
        _cleanup_free_ char *p = NULL;
        if (asprintf(&p, "%s/%s", d->runtime.root, id) < 0)
                return true;
        return access(p, F_OK) == 0;
}

int container_remove(struct pouchd *d, struct container *c, bool force, bool remove_volumes, struct pouch_err *err)
{
        _cleanup_free_ char *rootfs = container_dir(d, c->id, "rootfs");
        _cleanup_free_ char *dir = container_dir(d, c->id, NULL);
        _cleanup_free_ char *run = container_run_dir(d, c->id, NULL);
        if (!rootfs || !dir || !run)
                return -ENOMEM;
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&d->lock);
        bool running = !not_running(c, NULL);
        bool gone = c->removed;
        pthread_mutex_unlock(&d->lock);
        int r = 0;
        if (gone) {
                r = err_set(err, -ENOENT, "No such container: %.12s", c->id);
                goto out;
        }
        if (running && !force) {
                r = err_set(err, -EBUSY,
                            "You cannot remove a running container %s. Stop the container before attempting removal or "
                            "force remove",
                            c->id);
                goto out;
        }
        if (running) {
                pthread_mutex_lock(&d->lock);
                c->manual_stop = true;
                pthread_mutex_unlock(&d->lock);
                runtime_kill(&d->runtime, c->id, SIGKILL, true, NULL);
                pthread_mutex_lock(&d->lock);
                bool done = container_wait_locked(d, not_running, c, NULL, deadline_in(30000));
                pthread_mutex_unlock(&d->lock);
                if (!done) {
                        r = err_set(err, -EIO, "could not kill running container %.12s, cannot remove", c->id);
                        goto out;
                }
        }
        pthread_mutex_lock(&d->lock);
        container_set_status_locked(d, c, CONTAINER_REMOVING);
        json_t *attrs = event_attrs_locked(c);
        pthread_mutex_unlock(&d->lock);
        if (runtime_has_state(d, c->id))
                runtime_delete(&d->runtime, c->id, true, NULL);
        if (umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                log_warn_errno(-errno, "Failed to unmount %s", rootfs);
        container_network_teardown(d, c);
        container_quota_release(d, c->id);
        r = rm_rf(dir);
        if (r < 0) {
                log_error_errno(r, "Failed to remove %s", dir);
                pthread_mutex_lock(&d->lock);
                container_set_status_locked(d, c, CONTAINER_DEAD);
                container_save_locked(d, c);
                pthread_mutex_unlock(&d->lock);
                json_decref(attrs);
                r = err_set(err, r, "unable to remove filesystem for %s: %s", c->id, strerror(-r));
                goto out;
        }
        rm_rf(run);
        pthread_mutex_lock(&d->lock);
        container_list_remove_locked(d, c);
        c->refs--; /* the list's reference; the caller still holds one */
        pthread_cond_broadcast(&d->changed);
        json_t *mounts = json_incref(json_object_get(c->doc, "Mounts"));
        pthread_mutex_unlock(&d->lock);
        container_volumes_release(d, mounts, remove_volumes);
        json_decref(mounts);
        log_debug("remove %.12s: done", c->id);
        event_publish(d->events, "container", "destroy", c->id, attrs);
out:
        pthread_mutex_unlock(&c->op_lock);
        return r;
}
