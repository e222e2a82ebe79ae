/* Starting a container: rootfs, OCI bundle, shim, runtime start. */
#include "image/image.h"
#include "image/layer.h"
#include "lifecycle.h"
#include "container-quota.h"
#include "container-lxcfs.h"
#include "events.h"
#include "health-watch.h"
#include "runtime-wrap/spec.h"
#include "hooks/ocihooks.h"
#include "richmode/richmode.h"
#include "richmode/sysinfo.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/utf8.h"
#include "lib/util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static bool is_mountpoint(const char *path)
{
        struct stat a, b;
        _cleanup_free_ char *parent = NULL;
        if (asprintf(&parent, "%s/..", path) < 0 || stat(path, &a) < 0 || stat(parent, &b) < 0)
                return false;
        return a.st_dev != b.st_dev;
}

int container_mount_rootfs(struct pouchd *d, struct container *c, struct pouch_err *err)
{
        _cleanup_free_ char *rootfs = container_dir(d, c->id, "rootfs");
        _cleanup_free_ char *diff = container_dir(d, c->id, "diff");
        _cleanup_free_ char *work = container_dir(d, c->id, "work");
        if (!rootfs || !diff || !work)
                return -ENOMEM;
        if (is_mountpoint(rootfs))
                return 0;
        int qr = container_quota_attach(d, c->id, err);
        if (qr < 0)
                return qr;
        pthread_mutex_lock(&d->lock);
        char image_id[80];
        snprintf(image_id, sizeof(image_id), "%s", json_get_str(c->doc, "Image", ""));
        pthread_mutex_unlock(&d->lock);
        _cleanup_strv_free_ char **lower = NULL;
        int r = image_layer_dirs(d->images, image_id, &lower, err);
        if (r < 0)
                return r;
        return rootfs_mount(lower, diff, work, rootfs, err);
}

static int write_bundle(struct pouchd *d, struct container *c, const char *netns, struct pouch_err *err)
{
        _cleanup_free_ char *rootfs = container_dir(d, c->id, "rootfs");
        _cleanup_free_ char *hostname_path = container_dir(d, c->id, "hostname");
        _cleanup_free_ char *hosts_path = container_dir(d, c->id, "hosts");
        _cleanup_free_ char *resolv_path = container_dir(d, c->id, "resolv.conf");
        _cleanup_free_ char *spec_path = container_dir(d, c->id, "config.json");
        pthread_mutex_lock(&d->lock);
        _cleanup_json_ json_t *config = json_deep_copy(json_object_get(c->doc, "Config"));
        _cleanup_json_ json_t *hc = json_deep_copy(json_object_get(c->doc, "HostConfig"));
        _cleanup_json_ json_t *mounts = json_deep_copy(json_object_get(c->doc, "Mounts"));
        pthread_mutex_unlock(&d->lock);
        int vr = container_volumes_resolve(d, mounts, rootfs, hc, err);
        if (vr < 0)
                return vr;
        /* --cgroup-parent: the container's cgroup under that parent (cgroupfs driver), else /pouch */
        const char *parent = json_get_str(hc, "CgroupParent", "");
        while (*parent == '/')
                parent++;
        if (strstr(parent, ".."))
                return err_set(err, -EINVAL, "invalid cgroup parent '%s'", parent);
        _cleanup_free_ char *cgroups = NULL;
        size_t plen = strlen(parent);
        while (plen && parent[plen - 1] == '/')
                plen--;
        if (d->runtime.systemd_cgroup) {
                /* runc's systemd form "slice:prefix:name": a transient pouch-<id>.scope in the slice */
                if (plen && (plen < 7 || strncmp(parent + plen - 6, ".slice", 6) != 0 || memchr(parent, '/', plen)))
                        return err_set(
                                err, -EINVAL,
                                "cgroup-parent for systemd cgroup should be a valid slice named as \"xxx.slice\"");
                if (asprintf(&cgroups, "%.*s:pouch:%s", plen ? (int) plen : 12, plen ? parent : "system.slice", c->id) <
                    0)
                        return -ENOMEM;
        } else if (asprintf(&cgroups, "/%.*s/%s", plen ? (int) plen : 5, plen ? parent : "pouch", c->id) < 0)
                return -ENOMEM;
        struct spec_input in = {
                .id = c->id,
                .config = config,
                .host_config = hc,
                .rootfs = rootfs,
                .hostname = json_get_str(config, "Hostname", ""),
                .resolv_conf_path = resolv_path,
                .hosts_path = hosts_path,
                .hostname_path = hostname_path,
                .cgroups_path = cgroups,
                .netns_path = netns,
                .allow_empty_command = rich_enabled(hc),
                .nofile_default = &d->nofile_initial,
        };
        _cleanup_json_ json_t *spec = NULL;
        int r = spec_build(&in, &spec, err);
        if (r < 0)
                return r;
        r = container_lxcfs_apply(d, c, hc, spec, err);
        if (r == 0)
                r = container_ocihooks_apply(d, c, hc, spec, err);
        if (r == 0)
                r = container_hooks_apply(hc, spec, err);
        if (r < 0)
                return r;
        oci_hooks_default_timeout(spec, d->cfg.hook_timeout);
        if (rich_enabled(hc)) {
                _cleanup_free_ char *state_dir = container_dir(d, c->id, "rich");
                _cleanup_free_ char *identity = container_dir(d, c->id, "rich-identity");
                pthread_mutex_lock(&d->lock);
                bool given = json_get_bool(c->doc, "RichCommandGiven", true);
                pthread_mutex_unlock(&d->lock);
                const char *script = json_get_str(hc, "InitScript", "");
                const char *services = json_get_str(hc, "RichServices", "");
                struct rich_opts ro = {
                        .mode = rich_mode_from_string(json_get_str(hc, "RichMode", "")),
                        .init_path = d->init_path,
                        .state_dir = state_dir,
                        .rootfs = rootfs,
                        .container_id = c->id,
                        .initscript = *script ? script : NULL,
                        .services = *services ? services : NULL,
                        /* the default of `pouch stop` (container-ops.c) when the container sets none */
                        .stop_timeout = (int) json_get_int(config, "StopTimeout",
                                                           d->cfg.default_stop_timeout > 0 ? d->cfg.default_stop_timeout
                                                                                           : 10),
                        .command_given = given,
                        .identity_marker = identity,
                        .hostname = json_get_str(config, "Hostname", ""),
                };
                const char *stop_signal = NULL;
                r = rich_apply(spec, &ro, &stop_signal, err);
                if (r < 0)
                        return r;
                /* sbin-init that turns out to be systemd stops on its signal too */
                pthread_mutex_lock(&d->lock);
                json_t *cfg = json_object_get(c->doc, "Config");
                if (stop_signal && !*json_get_str(cfg, "StopSignal", ""))
                        json_object_set_new(cfg, "StopSignal", json_string(stop_signal));
                /* sbin-init that turns out to be systemd gets its console (richmode.h) */
                if (json_get_bool(json_object_get(spec, "process"), "terminal", false))
                        json_object_set_new(cfg, "Tty", json_true());
                pthread_mutex_unlock(&d->lock);
                _cleanup_free_ char *listener = container_run_dir(d, c->id, RICH_SYSINFO_SOCKET);
                r = d->cfg.no_rich_sysinfo ? 0 : rich_sysinfo_apply(spec, hc, listener);
                if (r < 0)
                        return err_set(err, r, "cannot hand sysinfo to the shim: %s", strerror(-r));
        }
        r = json_write_file_atomic(spec_path, spec);
        if (r < 0)
                return err_set(err, r, "cannot write %s: %s", spec_path, strerror(-r));
        return 0;
}

/* Start pouch-shim for c and wait for its report. Returns the shim's pid. */
static int spawn_shim(struct pouchd *d, struct container *c, pid_t *ret_shim, struct pouch_err *err)
{
        _cleanup_free_ char *bundle = container_dir(d, c->id, NULL);
        _cleanup_free_ char *run = container_run_dir(d, c->id, NULL);
        if (!bundle || !run)
                return -ENOMEM;
        rm_rf(run);
        int r = mkdir_p(run, 0700);
        if (r < 0)
                return err_set(err, r, "cannot create %s: %s", run, strerror(-r));

        _cleanup_json_ json_t *rep = NULL;
        _cleanup_free_ char *pidfile = NULL;
        _cleanup_free_ char *pidtxt = NULL;
        pthread_mutex_lock(&d->lock);
        json_t *config = json_object_get(c->doc, "Config");
        bool tty = json_get_bool(config, "Tty", false);
        bool open_stdin = json_get_bool(config, "OpenStdin", false);
        bool stdin_once = json_get_bool(config, "StdinOnce", false);
        char *log_path = strdup(json_get_str(c->doc, "LogPath", ""));
        json_t *log_cfg = json_object_get(json_object_get(json_object_get(c->doc, "HostConfig"), "LogConfig"),
                                          "Config");
        char *max_size = strdup(json_get_str(log_cfg, "max-size", ""));
        char *max_file = strdup(json_get_str(log_cfg, "max-file", ""));
        pthread_mutex_unlock(&d->lock);

        char size_buf[32] = "";
        if (*max_size) {
                int64_t bytes;
                if (parse_size(max_size, &bytes) < 0 || bytes <= 0) {
                        r = err_set(err, -EINVAL, "invalid log-opt max-size: %s", max_size);
                        goto out;
                }
                snprintf(size_buf, sizeof(size_buf), "%lld", (long long) bytes);
        }
        char *argv[40];
        int n = 0;
        argv[n++] = d->shim_path;
        argv[n++] = "--id";
        argv[n++] = c->id;
        argv[n++] = "--bundle";
        argv[n++] = bundle;
        argv[n++] = "--state-dir";
        argv[n++] = run;
        argv[n++] = "--runtime";
        argv[n++] = d->runtime.path;
        argv[n++] = "--runtime-root";
        argv[n++] = d->runtime.root;
        if (d->runtime.systemd_cgroup)
                argv[n++] = "--systemd-cgroup";
        if (tty)
                argv[n++] = "--tty";
        if (open_stdin)
                argv[n++] = "--stdin";
        if (stdin_once)
                argv[n++] = "--stdin-once";
        argv[n++] = "--log-path";
        argv[n++] = log_path;
        if (*size_buf) {
                argv[n++] = "--log-max-size";
                argv[n++] = size_buf;
        }
        if (*max_file) {
                argv[n++] = "--log-max-file";
                argv[n++] = max_file;
        }
        argv[n++] = "--sync-fd";
        argv[n++] = "3";
        argv[n] = NULL;

        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                r = err_set(err, -errno, "pipe: %m");
                goto out;
        }
        int child_fds[1] = { p[1] };
        pid_t pid = spawn_with_fds(argv, child_fds, 1);
        if (pid < 0) {
                r = err_set(err, pid, "cannot start pouch-shim: %s", strerror(-pid));
                close(p[0]);
                close(p[1]);
                goto out;
        }
        close(p[1]);
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        char line[4096];
        size_t got = 0;
        for (;;) {
                struct pollfd pf = { .fd = p[0], .events = POLLIN };
                int pr = poll(&pf, 1, 120000);
                if (pr <= 0)
                        break;
                ssize_t k = read(p[0], line + got, sizeof(line) - 1 - got);
                if (k <= 0)
                        break;
                got += (size_t) k;
                if (memchr(line, '\n', got) || got == sizeof(line) - 1)
                        break;
        }
        close(p[0]);
        line[got] = '\0';
        json_error_t jerr;
        rep = json_loads(line, JSON_DISABLE_EOF_CHECK, &jerr);
        if (!rep) {
                r = err_set(err, -EIO, "pouch-shim did not report (exit status %d): %s", WEXITSTATUS(status),
                            got ? line : "no output");
                goto out;
        }
        if (json_get_str(rep, "error", NULL)) {
                r = err_set(err, -EIO, "OCI runtime create failed: %s", json_get_str(rep, "error", ""));
                goto out;
        }
        pidfile = container_run_dir(d, c->id, "shim.pid");
        if (!pidfile || read_file(pidfile, 64, &pidtxt, NULL) < 0) {
                r = err_set(err, -EIO, "pouch-shim wrote no pid file %s", pidfile);
                goto out;
        }
        *ret_shim = (pid_t) atoi(pidtxt);
        pthread_mutex_lock(&d->lock);
        json_object_set_new(json_object_get(c->doc, "State"), "Pid", json_integer(json_get_int(rep, "pid", 0)));
        pthread_mutex_unlock(&d->lock);
        r = 0;
out:
        free(log_path);
        free(max_size);
        free(max_file);
        return r;
}

static bool pid_alive(void *ud)
{
        pid_t pid = *(pid_t *) ud;
        return pid > 0 && kill(pid, 0) == 0;
}

/* A rich container's initscript runs inside, under pouch-init: the start succeeds only when it
 * does. On failure pouch-init exits with the script's code and the monitor records the exit. */
static int wait_initscript(struct pouchd *d, struct container *c, struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        json_t *hc = json_object_get(c->doc, "HostConfig");
        bool wait = rich_enabled(hc) && *json_get_str(hc, "InitScript", "");
        pid_t pid = (pid_t) json_get_int(json_object_get(c->doc, "State"), "Pid", 0);
        pthread_mutex_unlock(&d->lock);
        if (!wait)
                return 0;
        _cleanup_free_ char *state_dir = container_dir(d, c->id, "rich");
        int r = rich_wait_initscript(state_dir, pid_alive, &pid, 10 * 60 * 1000, err);
        if (r < 0) {
                pthread_mutex_lock(&d->lock);
                json_object_set_new(json_object_get(c->doc, "State"), "Error", json_string_utf8(err->msg));
                container_save_locked(d, c);
                pthread_mutex_unlock(&d->lock);
                if (r == -ETIMEDOUT)
                        runtime_kill(&d->runtime, c->id, SIGKILL, true, NULL);
                err->code = -EIO;
                return err->code;
        }
        log_debug("start %.12s: initscript done", c->id);
        return 0;
}

static bool container_exited_during_start(struct pouchd *d, struct container *c)
{
        _cleanup_free_ char *exit_path = container_run_dir(d, c->id, "exit.json");
        return exit_path && access(exit_path, F_OK) == 0;
}

static int exit_code_for_start_error(const char *msg)
{
        if (strstr(msg, "executable file not found") || strstr(msg, "no such file or directory"))
                return 127;
        if (strstr(msg, "permission denied"))
                return 126;
        return 128;
}

static int fail_start(struct pouchd *d, struct container *c, struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        json_t *st = json_object_get(c->doc, "State");
        json_object_set_new(st, "Error", json_string_utf8(err->msg));
        json_object_set_new(st, "ExitCode", json_integer(exit_code_for_start_error(err->msg)));
        json_object_set_new(st, "Pid", json_integer(0));
        container_save_locked(d, c);
        pthread_mutex_unlock(&d->lock);
        _cleanup_free_ char *rootfs = container_dir(d, c->id, "rootfs");
        umount2(rootfs, MNT_DETACH);
        /* Make docker's CLI map these to 126/127 and return 400 like dockerd. */
        if (exit_code_for_start_error(err->msg) != 128)
                err->code = -EINVAL;
        return err->code;
}

int container_start(struct pouchd *d, struct container *c, struct pouch_err *err)
{
        /* before any goto: the cleanup must never see an uninitialised pointer */
        _cleanup_free_ char *netns = NULL;
        pthread_mutex_lock(&c->op_lock);
        pthread_mutex_lock(&d->lock);
        enum container_status s = c->status;
        bool removed = c->removed;
        pthread_mutex_unlock(&d->lock);
        int r;
        if (removed) {
                r = err_set(err, -ENOENT, "No such container: %s", c->id);
                goto out;
        }
        if (s == CONTAINER_RESTARTING) {
                /* a policy restart that a stop overtook does not happen */
                pthread_mutex_lock(&d->lock);
                bool stopped = c->manual_stop;
                if (stopped)
                        container_set_status_locked(d, c, CONTAINER_EXITED);
                pthread_mutex_unlock(&d->lock);
                if (stopped) {
                        r = err_set(err, -ECANCELED, "container %.12s was stopped", c->id);
                        goto out;
                }
        }
        if (s == CONTAINER_RUNNING || s == CONTAINER_PAUSED) {
                r = err_set(err, -EALREADY, "container already started");
                goto out;
        }
        if (s == CONTAINER_REMOVING || s == CONTAINER_DEAD) {
                r = err_set(err, -EBUSY, "cannot start container %.12s: it is %s", c->id,
                            container_status_to_string(s));
                goto out;
        }
        r = container_mount_rootfs(d, c, err);
        if (r < 0) {
                err_wrap(err, "cannot mount the container's root filesystem");
                goto out;
        }
        log_debug("start %.12s: rootfs mounted", c->id);
        r = container_network_setup(d, c, &netns, err);
        log_debug("start %.12s: network ready", c->id);
        if (r < 0) {
                fail_start(d, c, err);
                goto out;
        }
        r = write_bundle(d, c, netns, err);
        log_debug("start %.12s: bundle written", c->id);
        if (r < 0) {
                container_network_teardown(d, c);
                fail_start(d, c, err);
                goto out;
        }
        pid_t shim = 0;
        r = spawn_shim(d, c, &shim, err);
        log_debug("start %.12s: shim reported", c->id);
        if (r < 0) {
                container_network_teardown(d, c);
                r = fail_start(d, c, err);
                goto out;
        }
        pthread_mutex_lock(&d->lock);
        c->shim_pid = shim;
        c->shim_ready = true;
        pthread_cond_broadcast(&d->changed);
        /* Let attaches that arrived before start connect first (bounded wait). */
        struct timespec t0 = now_realtime();
        int64_t until = timespec_to_ns(&t0) + 5000000000LL;
        while (c->attach_waiting > 0) {
                struct timespec ts = { .tv_sec = until / 1000000000LL, .tv_nsec = until % 1000000000LL };
                if (pthread_cond_timedwait(&d->changed, &d->lock, &ts) != 0)
                        break;
        }
        c->start_generation++;
        c->manual_stop = false;
        json_object_set_new(c->doc, "HasBeenManuallyStopped", json_false());
        pthread_mutex_unlock(&d->lock);
        /* Watch before `runc start`: an instant exit must still be noticed. */
        r = monitor_watch(d, c);
        if (r < 0) {
                err_set(err, r, "cannot watch the container's shim: %s", strerror(-r));
                runtime_delete(&d->runtime, c->id, true, NULL);
                container_network_teardown(d, c);
                goto out;
        }
        pthread_mutex_lock(&d->lock);
        /* Mark running first so an exit racing with `runc start` is recorded after it. */
        container_set_status_locked(d, c, CONTAINER_RUNNING);
        struct timespec now = now_realtime();
        char ts[48];
        format_rfc3339nano(&now, ts, sizeof(ts));
        json_t *st = json_object_get(c->doc, "State");
        json_object_set_new(st, "StartedAt", json_string(ts));
        json_object_set_new(st, "FinishedAt", json_string("0001-01-01T00:00:00Z"));
        json_object_set_new(st, "ExitCode", json_integer(0));
        json_object_set_new(st, "Error", json_string(""));
        json_object_set_new(st, "OOMKilled", json_false());
        bool health_watched = health_container_started_locked(c);
        container_save_locked(d, c);
        const char *name = container_name(c) + 1;
        json_t *attrs = json_pack("{s:s,s:s}", "image", json_get_str(json_object_get(c->doc, "Config"), "Image", ""),
                                  "name", name);
        pthread_mutex_unlock(&d->lock);
        r = runtime_start(&d->runtime, c->id, err);
        if (r < 0 && container_exited_during_start(d, c)) {
                /* the process ran and exited before `runc start` returned, and the shim's
                 * `runc delete` removed the state under it (exec.fifo): that is a start */
                log_debug("start %.12s: exited before the runtime's start returned (%s)", c->id, err->msg);
                r = 0;
        }
        if (r < 0) {
                json_decref(attrs);
                err_wrap(err, "OCI runtime start failed");
                pthread_mutex_lock(&d->lock);
                json_object_set_new(json_object_get(c->doc, "State"), "Error", json_string_utf8(err->msg));
                pthread_mutex_unlock(&d->lock);
                runtime_kill(&d->runtime, c->id, SIGKILL, true, NULL);
                goto out;
        }
        log_debug("start %.12s: runtime started", c->id);
        event_publish(d->events, "container", "start", c->id, attrs);
        if (health_watched)
                health_watch_kick(d);
        r = wait_initscript(d, c, err);
out:
        pthread_mutex_unlock(&c->op_lock);
        return r;
}
