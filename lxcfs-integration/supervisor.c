/* The lxcfs daemon: adopt or start it, watch it, restart it when it dies. */
#include "lxcfs.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define CHECK_INTERVAL_MS 500
#define START_TIMEOUT_MS 5000

struct lxcfs {
        char *binary, *mountpoint, *pidfile, *logfile;
        void (*on_restart)(void *ud);
        void *ud;
        pthread_mutex_t lock; /* guards everything below */
        pid_t pid;
        int pidfd;
        bool child; /* started by us: reap it */
        bool cfs;   /* the binary knows --enable-cfs (lxcfs >= 5) */
        unsigned restarts;
        char error[512];
        pthread_t thread;
        bool thread_running;
        int wake[2];
};

static int pidfd_open_(pid_t pid)
{
        return (int) syscall(SYS_pidfd_open, pid, 0);
}

static int64_t now_ms(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bool is_lxcfs_pid(pid_t pid)
{
        char path[64];
        snprintf(path, sizeof(path), "/proc/%d/comm", pid);
        _cleanup_free_ char *comm = NULL;
        return pid > 0 && read_file(path, 256, &comm, NULL) == 0 && strncmp(comm, "lxcfs", 5) == 0;
}

static pid_t read_pidfile(const char *path)
{
        _cleanup_free_ char *txt = NULL;
        if (read_file(path, 64, &txt, NULL) < 0)
                return 0;
        return (pid_t) atoi(txt);
}

static void forget_locked(struct lxcfs *l)
{
        if (l->pidfd >= 0)
                close(l->pidfd);
        l->pidfd = -1;
        if (l->child && l->pid > 0)
                waitpid(l->pid, NULL, WNOHANG);
        l->pid = 0;
        l->child = false;
}

static pid_t spawn_lxcfs(struct lxcfs *l)
{
        char *argv[8];
        size_t n = 0;
        argv[n++] = l->binary;
        argv[n++] = "--foreground";
        argv[n++] = "--enable-loadavg";
        /* cpuinfo, cpu/online and stat follow the CPU quota (--cpus), not only the cpuset */
        if (l->cfs)
                argv[n++] = "--enable-cfs";
        argv[n++] = "--pidfile";
        argv[n++] = l->pidfile;
        argv[n++] = l->mountpoint;
        argv[n] = NULL;
        int logfd = l->logfile ? open(l->logfile, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640) : -1;
        int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (devnull < 0) {
                int r = -errno;
                if (logfd >= 0)
                        close(logfd);
                return r;
        }
        sigset_t all;
        sigemptyset(&all);
        pid_t pid = fork();
        if (pid == 0) {
                /* its own session: lxcfs must outlive pouchd and its terminal, like the containers */
                setsid();
                sigprocmask(SIG_SETMASK, &all, NULL);
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(logfd >= 0 ? logfd : devnull, 2);
                close_fds_from(3, NULL, 0);
                execv(argv[0], argv);
                _exit(127);
        }
        int r = pid < 0 ? -errno : pid;
        close(devnull);
        if (logfd >= 0)
                close(logfd);
        return r;
}

/* Start lxcfs over whatever is left on the mount point and wait until it serves. */
static int start_locked(struct lxcfs *l)
{
        if (access(l->binary, X_OK) < 0) {
                snprintf(l->error, sizeof(l->error), "lxcfs is not installed (%s: %s)", l->binary, strerror(errno));
                return -ENOENT;
        }
        pid_t old = read_pidfile(l->pidfile);
        if (l->pid > 0 && l->pid != old && is_lxcfs_pid(l->pid))
                kill(l->pid, SIGKILL);
        if (is_lxcfs_pid(old))
                kill(old, SIGKILL);
        forget_locked(l);
        lxcfs_unmount(l->mountpoint);
        int r = mkdir_p(l->mountpoint, 0755);
        if (r < 0) {
                snprintf(l->error, sizeof(l->error), "cannot create %s: %s", l->mountpoint, strerror(-r));
                return r;
        }
        pid_t pid = spawn_lxcfs(l);
        if (pid < 0) {
                snprintf(l->error, sizeof(l->error), "cannot start %s: %s", l->binary, strerror(-pid));
                return pid;
        }
        l->pid = pid;
        l->child = true;
        l->pidfd = pidfd_open_(pid);
        int64_t deadline = now_ms() + START_TIMEOUT_MS;
        while (!lxcfs_mount_healthy(l->mountpoint)) {
                int status;
                if (waitpid(pid, &status, WNOHANG) == pid) {
                        l->child = false;
                        forget_locked(l);
                        snprintf(l->error, sizeof(l->error), "lxcfs exited with status %d while starting%s%s",
                                 WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status),
                                 l->logfile ? "; see " : "", l->logfile ? l->logfile : "");
                        return -EIO;
                }
                if (now_ms() > deadline) {
                        kill(pid, SIGKILL);
                        forget_locked(l);
                        snprintf(l->error, sizeof(l->error), "lxcfs did not mount %s within %d ms", l->mountpoint,
                                 START_TIMEOUT_MS);
                        return -EIO;
                }
                struct timespec ts = { 0, 10 * 1000000L };
                nanosleep(&ts, NULL);
        }
        l->error[0] = '\0';
        log_info("lxcfs running (pid %d) on %s", pid, l->mountpoint);
        return 0;
}

/* Adopt an lxcfs a previous pouchd left serving the mount point. */
static bool adopt_locked(struct lxcfs *l)
{
        pid_t pid = read_pidfile(l->pidfile);
        if (!is_lxcfs_pid(pid) || !lxcfs_mount_healthy(l->mountpoint))
                return false;
        l->pid = pid;
        l->child = false;
        l->pidfd = pidfd_open_(pid);
        log_info("lxcfs already running (pid %d) on %s", pid, l->mountpoint);
        return true;
}

static bool dead_locked(struct lxcfs *l)
{
        if (l->pid <= 0)
                return true;
        if (l->pidfd >= 0) {
                struct pollfd pf = { .fd = l->pidfd, .events = POLLIN };
                if (poll(&pf, 1, 0) > 0)
                        return true;
        } else if (kill(l->pid, 0) < 0 && errno == ESRCH) {
                return true;
        }
        return !lxcfs_mount_healthy(l->mountpoint);
}

static void *supervise(void *p)
{
        struct lxcfs *l = p;
        int64_t next_try = 0, backoff = 1000;
        for (;;) {
                pthread_mutex_lock(&l->lock);
                struct pollfd pf[2] = { { .fd = l->wake[0], .events = POLLIN }, { .fd = l->pidfd, .events = POLLIN } };
                pthread_mutex_unlock(&l->lock);
                int n = poll(pf, pf[1].fd >= 0 ? 2 : 1, CHECK_INTERVAL_MS);
                if (n > 0 && (pf[0].revents & POLLIN))
                        return NULL;
                pthread_mutex_lock(&l->lock);
                bool restarted = false;
                if (dead_locked(l) && now_ms() >= next_try) {
                        if (l->pid > 0)
                                log_warn("lxcfs (pid %d) is gone; restarting it", l->pid);
                        if (start_locked(l) == 0) {
                                l->restarts++;
                                restarted = true;
                                backoff = 1000;
                        } else {
                                /* a host without FUSE must not flood the log */
                                log_error("cannot restart lxcfs (next try in %llds): %s", (long long) backoff / 1000,
                                          l->error);
                                next_try = now_ms() + backoff;
                                backoff = backoff < 60000 ? backoff * 2 : backoff;
                        }
                }
                pthread_mutex_unlock(&l->lock);
                if (restarted && l->on_restart)
                        l->on_restart(l->ud);
        }
}

int lxcfs_supervisor_new(const struct lxcfs_opts *o, struct lxcfs **ret)
{
        struct lxcfs *l = calloc(1, sizeof(*l));
        if (!l)
                return -ENOMEM;
        l->binary = strdup(o->binary ? o->binary : "/usr/bin/lxcfs");
        l->mountpoint = strdup(o->mountpoint);
        l->pidfile = strdup(o->pidfile);
        l->logfile = o->logfile ? strdup(o->logfile) : NULL;
        l->on_restart = o->on_restart;
        l->ud = o->ud;
        l->pidfd = -1;
        l->wake[0] = l->wake[1] = -1;
        pthread_mutex_init(&l->lock, NULL);
        if (!l->binary || !l->mountpoint || !l->pidfile || (o->logfile && !l->logfile)) {
                lxcfs_supervisor_free(l, false);
                return -ENOMEM;
        }
        l->cfs = lxcfs_supports_cfs(l->binary);
        pthread_mutex_lock(&l->lock);
        bool fresh = false;
        if (!adopt_locked(l)) {
                if (start_locked(l) < 0)
                        log_warn("lxcfs is not available: %s", l->error);
                else
                        fresh = true;
        }
        bool installed = access(l->binary, X_OK) == 0;
        pthread_mutex_unlock(&l->lock);
        /* a fresh lxcfs replaces a dead one whose binds containers may still hold */
        if (fresh && l->on_restart)
                l->on_restart(l->ud);
        if (installed && pipe2(l->wake, O_CLOEXEC) == 0 && pthread_create(&l->thread, NULL, supervise, l) == 0)
                l->thread_running = true;
        *ret = l;
        return 0;
}

void lxcfs_supervisor_free(struct lxcfs *l, bool stop_daemon)
{
        if (!l)
                return;
        if (l->thread_running) {
                if (write(l->wake[1], "x", 1) < 0)
                        log_warn_errno(-errno, "cannot wake the lxcfs supervisor");
                pthread_join(l->thread, NULL);
        }
        if (l->wake[0] >= 0)
                close(l->wake[0]);
        if (l->wake[1] >= 0)
                close(l->wake[1]);
        if (stop_daemon && l->pid > 0 && is_lxcfs_pid(l->pid)) {
                /* Unmounting ends lxcfs's FUSE session, so it exits; a signal can land on a thread
                 * that is not reading /dev/fuse and go unnoticed for long. */
                lxcfs_unmount(l->mountpoint);
                kill(l->pid, SIGTERM);
                struct pollfd pf = { .fd = l->pidfd, .events = POLLIN };
                if (l->pidfd < 0 || poll(&pf, 1, 2000) <= 0)
                        kill(l->pid, SIGKILL);
                if (l->child)
                        waitpid(l->pid, NULL, 0);
                l->child = false;
                log_info("lxcfs stopped (no container uses it)");
        }
        if (stop_daemon)
                lxcfs_unmount(l->mountpoint);
        forget_locked(l);
        pthread_mutex_destroy(&l->lock);
        free(l->binary);
        free(l->mountpoint);
        free(l->pidfile);
        free(l->logfile);
        free(l);
}

int lxcfs_ensure(struct lxcfs *l, struct pouch_err *err)
{
        if (!l)
                return err_set(err, -ENOENT, "lxcfs is not set up");
        pthread_mutex_lock(&l->lock);
        int r = 0;
        if (dead_locked(l)) {
                r = start_locked(l);
                if (r == 0)
                        l->restarts++;
        }
        if (r < 0)
                r = err_set(err, r == -ENOENT ? -ENOENT : -EIO, "%s", l->error);
        pthread_mutex_unlock(&l->lock);
        return r;
}

const char *lxcfs_mountpoint(const struct lxcfs *l)
{
        return l ? l->mountpoint : NULL;
}

json_t *lxcfs_status(struct lxcfs *l)
{
        if (!l)
                return json_pack("{s:b,s:b}", "Available", 0, "Running", 0);
        pthread_mutex_lock(&l->lock);
        bool running = l->pid > 0 && !dead_locked(l);
        json_t *j = json_pack("{s:b,s:b,s:i,s:s,s:s,s:i,s:s}", "Available", access(l->binary, X_OK) == 0, "Running",
                              running, "Pid", running ? (int) l->pid : 0, "Mountpoint", l->mountpoint, "Binary",
                              l->binary, "Restarts", (int) l->restarts, "Error", l->error);
        if (j)
                json_object_set_new(j, "CpuQuotaView", json_boolean(l->cfs));
        pthread_mutex_unlock(&l->lock);
        return j;
}
