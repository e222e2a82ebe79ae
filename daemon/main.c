/* pouchd: parse options, lock the home, load state, serve the API until SIGTERM/SIGINT.
 * Containers keep running when pouchd stops (live restore). */
#include "config.h"
#include "events.h"
#include "health-watch.h"
#include "http.h"
#include "http-limits.h"
#include "image/image.h"
#include "lifecycle.h"
#include "pouchd-state.h"

#include "network/network.h"
#include "volume/volume.h"
#include "container-quota.h"
#include "container-lxcfs.h"
#include "quota/quota.h"
#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <fcntl.h>
#include <limits.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

/* A helper binary: next to pouchd first, then the usual install places. */
static char *find_helper(const char *name)
{
        char self[PATH_MAX];
        ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n > 0) {
                self[n] = '\0';
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dirname(self), name) > 0 && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        const char *dirs[] = { "/usr/local/bin", "/usr/bin", "/usr/libexec/pouch" };
        for (size_t i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
                char *p = NULL;
                if (asprintf(&p, "%s/%s", dirs[i], name) > 0 && access(p, X_OK) == 0)
                        return p;
                free(p);
        }
        return NULL;
}

static int lock_home(struct pouchd *d, struct pouch_err *err)
{
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/pouchd.pid", d->home) < 0)
                return -ENOMEM;
        int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
        if (fd < 0)
                return err_set(err, -errno, "cannot open %s: %m", path);
        if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
                int e = errno;
                close(fd);
                if (e == EWOULDBLOCK)
                        return err_set(err, -EBUSY, "another pouchd is already running with home %s (lock %s)", d->home,
                                       path);
                return err_set(err, -e, "cannot lock %s: %s", path, strerror(e));
        }
        char pid[32];
        int n = snprintf(pid, sizeof(pid), "%d\n", getpid());
        if (ftruncate(fd, 0) < 0 || write(fd, pid, (size_t) n) != n)
                log_warn_errno(-errno, "Failed to write %s", path);
        d->lock_fd = fd;
        return 0;
}

static int setup(struct pouchd *d, struct pouch_err *err)
{
        d->home = strdup(d->cfg.home);
        const char *subdirs[] = { "", "containers", "run", "image", "tmp", "runtime" };
        for (size_t i = 0; i < sizeof(subdirs) / sizeof(subdirs[0]); i++) {
                _cleanup_free_ char *p = NULL;
                if (asprintf(&p, "%s/%s", d->home, subdirs[i]) < 0)
                        return -ENOMEM;
                int r = mkdir_p(p, 0711);
                if (r < 0)
                        return err_set(err, r, "cannot create %s: %s", p, strerror(-r));
        }
        int r = lock_home(d, err);
        if (r < 0)
                return r;
        d->shim_path = find_helper("pouch-shim");
        d->init_path = find_helper("pouch-init");
        if (!d->shim_path)
                return err_set(err, -ENOENT, "pouch-shim not found next to pouchd or in PATH");
        _cleanup_free_ char *rt_root = NULL;
        if (asprintf(&rt_root, "%s/runtime/%s", d->home, strchr(d->cfg.runtime, '/') ? "custom" : d->cfg.runtime) < 0)
                return -ENOMEM;
        r = runtime_init(&d->runtime, d->cfg.runtime, rt_root, err);
        if (r < 0)
                return r;
        d->runtime.systemd_cgroup = d->cfg.cgroup_driver && strcmp(d->cfg.cgroup_driver, "systemd") == 0;
        _cleanup_free_ char *img_root = NULL;
        if (asprintf(&img_root, "%s/image", d->home) < 0)
                return -ENOMEM;
        r = image_store_open(img_root, &d->images, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *vol_root = NULL;
        if (asprintf(&vol_root, "%s/volumes", d->home) < 0)
                return -ENOMEM;
        r = volume_store_open(vol_root, &d->volumes, err);
        if (r < 0)
                return r;
        _cleanup_free_ char *net_root = NULL;
        if (asprintf(&net_root, "%s/network", d->home) < 0)
                return -ENOMEM;
        struct network_store_opts nopts = {
                .state_dir = net_root,
                .plugin_dir = d->cfg.cni_bin_dir,
                .default_bridge = d->cfg.bridge,
                .default_cidr = d->cfg.bip,
        };
        r = network_store_open(&nopts, &d->networks, err);
        if (r < 0)
                return r;
        r = pouchd_quota_open(d, err);
        if (r < 0)
                return r;
        d->events = event_bus_new();
        if (!d->events)
                return -ENOMEM;
        r = containers_load(d);
        if (r < 0)
                return err_set(err, r, "cannot load containers: %s", strerror(-r));
        pouchd_quota_restore(d);
        r = monitor_start(d);
        if (r < 0)
                return err_set(err, r, "cannot start the container monitor: %s", strerror(-r));
        r = containers_restore(d);
        if (r < 0)
                return r;
        r = health_watch_start(d);
        if (r < 0)
                return err_set(err, r, "cannot start the health watcher: %s", strerror(-r));
        container_networks_restore(d);
        return pouchd_lxcfs_setup(d);
}

static void teardown(struct pouchd *d)
{
        health_watch_stop(d);
        monitor_stop(d);
        pouchd_lxcfs_teardown(d);
        pouchd_state_done(d);
        if (d->lock_fd >= 0)
                close(d->lock_fd);
}

int main(int argc, char **argv)
{
        struct pouchd d = { .lock_fd = -1 };
        struct pouch_err err = { 0 };
        log_set_ident("pouchd");
        pthread_mutex_init(&d.lock, NULL);
        pthread_cond_init(&d.changed, NULL);
        clock_gettime(CLOCK_REALTIME, &d.started);
        if (config_parse(&d.cfg, argc, argv, &err) < 0) {
                fprintf(stderr, "pouchd: %s\n", err.msg);
                return 2;
        }
        log_set_level(d.cfg.debug ? LOG_LEVEL_DEBUG : log_level_from_string(d.cfg.log_level));
        /* Every API connection holds fds; the limit we were started with stays the containers' default. */
        nofile_raise(&d.nofile_initial);

        /* Signals are taken synchronously by the main thread; workers never see them. */
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGHUP);
        pthread_sigmask(SIG_BLOCK, &mask, NULL);
        signal(SIGPIPE, SIG_IGN);
        umask(0022);

        int rc = 1;
        struct MHD_Daemon **servers = NULL;
        size_t nservers = 0;
        if (setup(&d, &err) < 0 || http_server_start(&d, &servers, &nservers, &err) < 0) {
                log_error("%s", err.msg[0] ? err.msg : "startup failed");
                goto out;
        }
        log_info("pouchd %s ready: home %s, runtime %s, %zu listener(s)", POUCH_VERSION, d.home, d.runtime.path,
                 nservers);
        sd_notify(0, "READY=1");
        for (;;) {
                int sig;
                if (sigwait(&mask, &sig) != 0)
                        continue;
                if (sig == SIGHUP)
                        continue;
                log_info("received signal %d, shutting down (containers keep running)", sig);
                break;
        }
        sd_notify(0, "STOPPING=1");
        pthread_mutex_lock(&d.lock);
        d.shutting_down = true;
        pthread_cond_broadcast(&d.changed);
        pthread_mutex_unlock(&d.lock);
        event_bus_close(d.events);
        http_server_stop(servers, nservers);
        rc = 0;
out:
        teardown(&d);
        return rc;
}
