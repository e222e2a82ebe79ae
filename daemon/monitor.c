/* Watching shims (pidfd + epoll), recording exits, restart policies, live restore. */
#include "lifecycle.h"
#include "events.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "lib/util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

struct monitor {
        int epfd;
        int wake_fd[2];
        pthread_t thread;
        bool running;
};

static int pidfd_open_(pid_t pid)
{
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

int monitor_watch(struct pouchd *d, struct container *c)
{
        int fd = pidfd_open_(c->shim_pid);
        if (fd < 0) {
                if (errno == ESRCH) {
                        /* already gone: record the exit now */
                        container_handle_exit(d, c);
                        return 0;
                }
                return -errno;
        }
        pthread_mutex_lock(&d->lock);
        if (c->shim_pidfd >= 0)
                close(c->shim_pidfd);
        c->shim_pidfd = fd;
        c->refs++; /* held by the monitor until the exit is handled */
        pthread_mutex_unlock(&d->lock);
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };
        if (epoll_ctl(d->monitor->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
                int r = -errno;
                container_put(d, c);
                return r;
        }
        return 0;
}

static void *monitor_thread(void *p)
{
        struct pouchd *d = p;
        struct epoll_event evs[16];
        for (;;) {
                int n = epoll_wait(d->monitor->epfd, evs, 16, -1);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        log_error_errno(-errno, "monitor: epoll_wait failed");
                        return NULL;
                }
                for (int i = 0; i < n; i++) {
                        if (evs[i].data.ptr == NULL)
                                return NULL; /* wake-up pipe: shutting down */
                        struct container *c = evs[i].data.ptr;
                        pthread_mutex_lock(&d->lock);
                        int fd = c->shim_pidfd;
                        c->shim_pidfd = -1;
                        pthread_mutex_unlock(&d->lock);
                        if (fd >= 0) {
                                epoll_ctl(d->monitor->epfd, EPOLL_CTL_DEL, fd, NULL);
                                close(fd);
                        }
                        container_handle_exit(d, c);
                        container_put(d, c);
                }
        }
}

int monitor_start(struct pouchd *d)
{
        struct monitor *m = calloc(1, sizeof(*m));
        if (!m)
                return -ENOMEM;
        m->epfd = epoll_create1(EPOLL_CLOEXEC);
        if (m->epfd < 0 || pipe2(m->wake_fd, O_CLOEXEC) < 0) {
                free(m);
                return -errno;
        }
        struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };
        epoll_ctl(m->epfd, EPOLL_CTL_ADD, m->wake_fd[0], &ev);
        d->monitor = m;
        if (pthread_create(&m->thread, NULL, monitor_thread, d) != 0)
                return -EAGAIN;
        m->running = true;
        return 0;
}

void monitor_stop(struct pouchd *d)
{
        struct monitor *m = d->monitor;
        if (!m)
                return;
        if (m->running) {
                if (write(m->wake_fd[1], "x", 1) < 0)
                        log_warn_errno(-errno, "monitor: cannot wake the thread");
                pthread_join(m->thread, NULL);
        }
        close(m->wake_fd[0]);
        close(m->wake_fd[1]);
        close(m->epfd);
        free(m);
        d->monitor = NULL;
}

/* ---- restart policies ------------------------------------------------------------------- */

struct restart_job {
        struct pouchd *d;
        struct container *c;
        int64_t delay_ms;
};

static void *restart_thread(void *p)
{
        struct restart_job *j = p;
        struct timespec ts = { .tv_sec = j->delay_ms / 1000, .tv_nsec = (j->delay_ms % 1000) * 1000000L };
        nanosleep(&ts, NULL);
        struct pouchd *d = j->d;
        struct container *c = j->c;
        pthread_mutex_lock(&d->lock);
        bool go = c->restart_pending && !c->removed && !c->manual_stop && !d->shutting_down;
        c->restart_pending = false;
        if (go) {
                json_object_set_new(c->doc, "RestartCount", json_integer(json_get_int(c->doc, "RestartCount", 0) + 1));
                container_set_status_locked(d, c, CONTAINER_RESTARTING);
        }
        pthread_mutex_unlock(&d->lock);
        if (go) {
                struct pouch_err err = { 0 };
                if (container_start(d, c, &err) < 0) {
                        if (err.code == -ECANCELED)
                                log_debug("restart of %.12s cancelled by a stop", c->id);
                        else
                                log_error("Restarting container %.12s failed: %s", c->id, err.msg);
                        pthread_mutex_lock(&d->lock);
                        if (c->status == CONTAINER_RESTARTING)
                                container_set_status_locked(d, c, CONTAINER_EXITED);
                        container_save_locked(d, c);
                        pthread_mutex_unlock(&d->lock);
                }
        }
        container_put(d, c);
        free(j);
        return NULL;
}

/* Decide with d->lock held; returns the delay in ms, or -1 for no restart. */
static int64_t restart_delay_locked(struct container *c, int exit_code, int64_t ran_ms)
{
        if (c->manual_stop || c->removed)
                return -1;
        json_t *rp = json_object_get(json_object_get(c->doc, "HostConfig"), "RestartPolicy");
        const char *name = json_get_str(rp, "Name", "no");
        int64_t count = json_get_int(c->doc, "RestartCount", 0);
        bool want = strcmp(name, "always") == 0 || strcmp(name, "unless-stopped") == 0;
        if (strcmp(name, "on-failure") == 0) {
                int64_t max = json_get_int(rp, "MaximumRetryCount", 0);
                want = exit_code != 0 && (max == 0 || count < max);
        }
        if (!want)
                return -1;
        /* Back-off doubling from 100 ms up to 1 min; a container that ran 10 s resets it. */
        if (ran_ms >= 10000)
                return 100;
        int shift = count > 10 ? 10 : (int) count;
        int64_t delay = 100LL << shift;
        return delay > 60000 ? 60000 : delay;
}

static void schedule_restart_locked(struct pouchd *d, struct container *c, int64_t delay_ms)
{
        struct restart_job *j = calloc(1, sizeof(*j));
        if (!j)
                return;
        *j = (struct restart_job){ .d = d, .c = c, .delay_ms = delay_ms };
        c->refs++;
        c->restart_pending = true;
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, restart_thread, j) != 0) {
                c->refs--;
                c->restart_pending = false;
                free(j);
        }
        pthread_attr_destroy(&attr);
}

/* ---- exits --------------------------------------------------------------------------------- */

static int64_t started_ms_ago_locked(struct container *c)
{
        struct timespec started;
        if (parse_timestamp(json_get_str(json_object_get(c->doc, "State"), "StartedAt", ""), &started) < 0)
                return 0;
        struct timespec now = now_realtime();
        return (timespec_to_ns(&now) - timespec_to_ns(&started)) / 1000000;
}

void container_handle_exit(struct pouchd *d, struct container *c)
{
        log_debug("exit %.12s: shim gone", c->id);
        _cleanup_free_ char *exit_path = container_run_dir(d, c->id, "exit.json");
        _cleanup_free_ char *rootfs = container_dir(d, c->id, "rootfs");
        _cleanup_json_ json_t *ex = NULL;
        int r = exit_path ? json_read_file(exit_path, &ex, NULL, 0) : -ENOMEM;
        const char *error = "";
        int code;
        char finished[48];
        if (r == 0) {
                code = (int) json_get_int(ex, "ExitCode", 255);
                snprintf(finished, sizeof(finished), "%s", json_get_str(ex, "FinishedAt", ""));
        } else {
                /* The shim died without recording an exit: make sure nothing is left running. */
                runtime_kill(&d->runtime, c->id, SIGKILL, true, NULL);
                runtime_delete(&d->runtime, c->id, true, NULL);
                code = 255;
                error = "container shim exited unexpectedly; the container was killed (its exit status is unknown)";
                struct timespec now = now_realtime();
                format_rfc3339nano(&now, finished, sizeof(finished));
        }
        if (rootfs && umount2(rootfs, MNT_DETACH) < 0 && errno != EINVAL && errno != ENOENT)
                log_warn_errno(-errno, "Failed to unmount %s", rootfs);
        container_network_teardown(d, c);

        pthread_mutex_lock(&d->lock);
        if (c->removed) {
                pthread_mutex_unlock(&d->lock);
                return;
        }
        json_t *st = json_object_get(c->doc, "State");
        json_object_set_new(st, "ExitCode", json_integer(code));
        json_object_set_new(st, "FinishedAt", json_string(finished));
        json_object_set_new(st, "Pid", json_integer(0));
        json_object_set_new(st, "OOMKilled", json_boolean(json_get_bool(ex, "OOMKilled", false)));
        if (*error || !*json_get_str(st, "Error", ""))
                json_object_set_new(st, "Error", json_string_utf8(error));
        c->shim_pid = 0;
        c->shim_ready = false;
        c->exit_generation++;
        container_set_status_locked(d, c, CONTAINER_EXITED);
        container_save_locked(d, c);
        json_t *attrs = json_pack("{s:s,s:s,s:s}", "image",
                                  json_get_str(json_object_get(c->doc, "Config"), "Image", ""), "name",
                                  container_name(c) + 1, "exitCode", "");
        char codebuf[16];
        snprintf(codebuf, sizeof(codebuf), "%d", code);
        json_object_set_new(attrs, "exitCode", json_string(codebuf));
        bool auto_remove = json_get_bool(json_object_get(c->doc, "HostConfig"), "AutoRemove", false);
        int64_t delay = auto_remove ? -1 : restart_delay_locked(c, code, started_ms_ago_locked(c));
        if (delay >= 0 && !d->shutting_down)
                schedule_restart_locked(d, c, delay);
        bool oom = json_get_bool(json_object_get(c->doc, "State"), "OOMKilled", false);
        json_t *oom_attrs = oom ? json_deep_copy(attrs) : NULL;
        pthread_mutex_unlock(&d->lock);
        if (oom_attrs)
                event_publish(d->events, "container", "oom", c->id, oom_attrs);
        event_publish(d->events, "container", "die", c->id, attrs);
        if (auto_remove) {
                struct pouch_err err = { 0 };
                if (container_remove(d, c, true, true, &err) < 0)
                        log_error("Auto-removing container %.12s failed: %s", c->id, err.msg);
        }
}

/* Is pid a pouch-shim serving container id? Guards against pid reuse after a host reboot. */
static bool shim_alive(pid_t pid, const char *id)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/cmdline", pid);
        _cleanup_free_ char *cmd = NULL;
        size_t len;
        if (pid <= 0 || read_file(path, 1 << 16, &cmd, &len) < 0)
                return false;
        bool is_shim = false, has_id = false;
        for (size_t off = 0; off < len; off += strlen(cmd + off) + 1) {
                if (strstr(cmd + off, "pouch-shim"))
                        is_shim = true;
                if (strcmp(cmd + off, id) == 0)
                        has_id = true;
        }
        return is_shim && has_id;
}

int containers_restore(struct pouchd *d)
{
        /* Snapshot the list: handling exits may remove containers (AutoRemove). */
        pthread_mutex_lock(&d->lock);
        size_t n = 0;
        for (struct container *c = d->containers; c; c = c->next)
                n++;
        struct container **all = calloc(n + 1, sizeof(*all));
        size_t k = 0;
        for (struct container *c = d->containers; c; c = c->next) {
                c->refs++;
                all[k++] = c;
                c->manual_stop = json_get_bool(c->doc, "HasBeenManuallyStopped", false);
        }
        pthread_mutex_unlock(&d->lock);
        for (size_t i = 0; i < k; i++) {
                struct container *c = all[i];
                if (c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED ||
                    c->status == CONTAINER_RESTARTING) {
                        _cleanup_free_ char *pidfile = container_run_dir(d, c->id, "shim.pid");
                        _cleanup_free_ char *txt = NULL;
                        pid_t pid = 0;
                        if (pidfile && read_file(pidfile, 64, &txt, NULL) == 0)
                                pid = atoi(txt);
                        if (shim_alive(pid, c->id)) {
                                c->shim_pid = pid;
                                c->shim_ready = true;
                                int r = monitor_watch(d, c);
                                if (r < 0)
                                        log_error_errno(r, "Cannot watch the shim of container %.12s", c->id);
                                else
                                        log_info("Restored running container %.12s (shim %d)", c->id, pid);
                        } else {
                                log_info("Container %.12s stopped while pouchd was down", c->id);
                                container_handle_exit(d, c);
                        }
                } else if (c->status == CONTAINER_EXITED && !c->manual_stop) {
                        /* docker starts always/unless-stopped containers again at daemon start */
                        const char *pol = json_get_str(json_object_get(json_object_get(c->doc, "HostConfig"),
                                                                       "RestartPolicy"),
                                                       "Name", "no");
                        if (strcmp(pol, "always") == 0 || strcmp(pol, "unless-stopped") == 0) {
                                pthread_mutex_lock(&d->lock);
                                schedule_restart_locked(d, c, 0);
                                pthread_mutex_unlock(&d->lock);
                        }
                }
                container_put(d, c);
        }
        free(all);
        return 0;
}
