/* Container mode: daemonise, `runc create`, report, serve until the container exits. */
#include "io-loop.h"
#include "runtime-run.h"
#include "shim.h"
#include "sysinfo-notify.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ioctl.h>
#include <unistd.h>

/* How long clients get to take the output still queued for them once the container exited. */
#define FINAL_FLUSH_MS 5000

/* Fork once (the parent exits at once), lead a new session, become the subreaper, keep only
 * the sync fd and point 0/1/2 at /dev/null. Returns the (possibly moved) sync fd or -errno. */
static int daemonise(int sync_fd)
{
        pid_t pid = fork();
        if (pid < 0)
                return -errno;
        if (pid > 0)
                _exit(0);
        if (setsid() < 0 || prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return -errno;
        if (sync_fd >= 0 && sync_fd < 3)
                sync_fd = fcntl(sync_fd, F_DUPFD_CLOEXEC, 3);
        if (sync_fd >= 0)
                fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
        int keep[] = { sync_fd };
        close_fds_from(3, keep, sync_fd >= 0 ? 1 : 0);
        int null = open("/dev/null", O_RDWR);
        if (null < 0)
                return -errno;
        for (int i = 0; i < 3; i++)
                if (null != i)
                        dup2(null, i);
        if (null > 2)
                close(null);
        return sync_fd;
}

struct paths {
        char *pid_file, *console, *runtime_log;
};

static void paths_free(struct paths *p)
{
        free(p->pid_file);
        free(p->console);
        free(p->runtime_log);
}

static int paths_init(struct paths *p, const char *state)
{
        *p = (struct paths){ 0 };
        if (asprintf(&p->pid_file, "%s/init.pid", state) < 0 || asprintf(&p->console, "%s/console.sock", state) < 0 ||
            asprintf(&p->runtime_log, "%s/runtime.log", state) < 0) {
                paths_free(p);
                return -ENOMEM;
        }
        return 0;
}

/* Runs `runc create`; on success the pid of the container's init, else -1 with ret_err set. */
static pid_t create(const struct shim_opts *o, const struct runtime *rt, const struct paths *p, struct proc_stdio *s,
                    char *ret_err, size_t errlen)
{
        char **argv = runtime_argv_create(rt, o->id, o->bundle, p->pid_file, o->tty ? p->console : NULL);
        argv = runtime_argv_with_log(argv, p->runtime_log);
        if (!argv) {
                snprintf(ret_err, errlen, "out of memory");
                return -1;
        }
        int code = runtime_run(argv, s, p->runtime_log, ret_err, errlen);
        strv_free(argv);
        stdio_close_child(s);
        if (code != 0)
                return -1;
        if (o->tty) {
                s->pty_master = console_receive(s->console_listen);
                if (s->pty_master < 0) {
                        snprintf(ret_err, errlen, "the runtime sent no terminal: %s", strerror(-s->pty_master));
                        return -1;
                }
        }
        pid_t init = read_pid_file(p->pid_file);
        if (init <= 0)
                snprintf(ret_err, errlen, "the runtime wrote no pid file %s", p->pid_file);
        return init;
}

static void loop_setup(struct io_loop *l, const struct shim_opts *o, struct proc_stdio *s)
{
        *l = (struct io_loop){
                .epfd = -1,
                .sig.fd = -1,
                .listen.fd = -1,
                .pty = -1,
                .pty_peer = -1,
                .tty = o->tty,
                .close_stdin_on_eof = o->stdin_once,
                .allow_attach = true,
        };
        if (o->tty) {
                l->pty = TAKE_FD(s->pty_master);
                /* hold the slave ourselves while the container runs (io-loop.h); without it the
                 * terminal still works, only an init that closes its own would lose its output */
                l->pty_peer = ioctl(l->pty, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);
                /* a dup, so that closing stdin (stdin-once) leaves our output side open */
                l->in.fd = o->open_stdin ? fcntl(l->pty, F_DUPFD_CLOEXEC, 3) : -1;
                l->out.fd = l->pty;
                l->err.fd = -1;
        } else {
                l->in.fd = TAKE_FD(s->parent[0]);
                l->out.fd = TAKE_FD(s->parent[1]);
                l->err.fd = TAKE_FD(s->parent[2]);
        }
}

/* Creates and serves the container; owns listen_fd. -EIO when it could not be created. */
static int serve(const struct shim_opts *o, const struct runtime *rt, const struct paths *p, int sync_fd,
                 struct log_writer *log, int listen_fd, struct sysinfo_notify *sn)
{
        struct proc_stdio s;
        char errbuf[2048];
        int r = stdio_setup(&s, o->tty, o->open_stdin, "console.sock");
        if (r < 0) {
                close(listen_fd);
                sysinfo_notify_free(sn, NULL);
                sync_report(sync_fd, 0, "cannot set up the container's stdio");
                return -EIO;
        }
        pid_t init = create(o, rt, p, &s, errbuf, sizeof(errbuf));
        if (s.console_listen >= 0) {
                close(TAKE_FD(s.console_listen));
                unlink("console.sock");
        }
        if (init <= 0) {
                close(listen_fd);
                sysinfo_notify_free(sn, NULL);
                stdio_done(&s);
                sync_report(sync_fd, 0, errbuf);
                runtime_delete_quiet(rt, o->id);
                return -EIO;
        }
        struct io_loop l;
        loop_setup(&l, o, &s);
        stdio_done(&s);
        l.log = log;
        l.init_pid = init;
        r = io_loop_init(&l, l.out.fd, l.err.fd, l.in.fd, listen_fd);
        if (r >= 0)
                r = sysinfo_notify_start(sn, &l, init);
        if (r < 0) {
                sync_report(sync_fd, 0, "cannot set up the event loop");
                sysinfo_notify_free(sn, &l);
                io_loop_done(&l);
                runtime_delete_quiet(rt, o->id);
                return -EIO;
        }
        sync_report(sync_fd, init, NULL);
        r = io_loop_run(&l);
        if (l.exited) {
                int w = exit_status_write("exit.json", l.exit_status, &l.finished_at,
                                          shim_container_oom_killed(o->bundle));
                if (w < 0)
                        log_error_errno(w, "Failed to write exit.json");
        }
        io_loop_finish_clients(&l, FINAL_FLUSH_MS);
        sysinfo_notify_free(sn, &l);
        io_loop_done(&l); /* closes listen_fd */
        runtime_delete_quiet(rt, o->id);
        return r;
}

int shim_run_container(const struct shim_opts *o)
{
        int sync_fd = daemonise(o->sync_fd);
        if (sync_fd < 0 && o->sync_fd >= 0) {
                sync_report(o->sync_fd, 0, "pouch-shim cannot daemonise");
                _exit(1);
        }
        struct runtime rt;
        runtime_borrow(&rt, o->runtime_path, o->runtime_root, o->systemd_cgroup);
        struct paths p;
        if (chdir(o->state_dir) < 0 || paths_init(&p, o->state_dir) < 0) {
                sync_report(sync_fd, 0, "pouch-shim cannot use its state directory");
                return 1;
        }
        char pid[24];
        int n = snprintf(pid, sizeof(pid), "%d\n", (int) getpid());
        int r = write_file_atomic("shim.pid", pid, (size_t) n, 0644);
        struct log_writer log = { .fd = -1 };
        if (r >= 0)
                r = log_writer_open(&log, o->log_path, o->log_max_size, o->log_max_file);
        int listen_fd = r >= 0 ? unix_listen("attach.sock", 0600) : r;
        if (r < 0 || listen_fd < 0) {
                sync_report(sync_fd, 0,
                            r < 0 ? "pouch-shim cannot open its pid file or the log file"
                                  : "pouch-shim cannot listen on attach.sock");
                log_writer_close(&log);
                paths_free(&p);
                return 1;
        }
        /* the runtime connects to the seccomp listener while it creates the container */
        struct sysinfo_notify *sn = NULL;
        r = sysinfo_notify_listen(o->bundle, &sn);
        if (r < 0) {
                sync_report(sync_fd, 0, "pouch-shim cannot listen on the seccomp listener socket");
                close(listen_fd);
                unlink("attach.sock");
                log_writer_close(&log);
                paths_free(&p);
                return 1;
        }
        r = serve(o, &rt, &p, sync_fd, &log, listen_fd, sn);
        unlink("attach.sock");
        log_writer_close(&log);
        paths_free(&p);
        return r == -EIO ? 1 : 0;
}
