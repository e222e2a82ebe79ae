/* Exec mode: `runc exec -d`, pump the process's stdio over the stream fd, exit with its status. */
#include "io-loop.h"
#include "runtime-run.h"
#include "shim.h"

#include "lib/cleanup.h"
#include "lib/log.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#define FINAL_FLUSH_MS 5000

struct exec_paths {
        char *sock, *console; /* relative to the state dir (short socket paths) */
        char *pid_file, *console_abs, *log_file;
};

static void exec_paths_free(struct exec_paths *p)
{
        free(p->sock), free(p->console), free(p->pid_file), free(p->console_abs), free(p->log_file);
}

static int exec_paths_init(struct exec_paths *p, const struct shim_opts *o)
{
        *p = (struct exec_paths){ 0 };
        const char *s = o->state_dir, *e = o->exec_id;
        if (asprintf(&p->sock, "exec-%s.sock", e) < 0 || asprintf(&p->console, "exec-%s.console", e) < 0 ||
            asprintf(&p->pid_file, "%s/exec-%s.pid", s, e) < 0 ||
            asprintf(&p->console_abs, "%s/exec-%s.console", s, e) < 0 ||
            asprintf(&p->log_file, "%s/exec-%s.log", s, e) < 0) {
                exec_paths_free(p);
                return -ENOMEM;
        }
        return 0;
}

/* `runc exec -d`: the process's pid, or -1 with ret_err set. */
static pid_t start(const struct shim_opts *o, const struct exec_paths *p, struct proc_stdio *s, char *ret_err,
                   size_t errlen)
{
        struct runtime rt;
        runtime_borrow(&rt, o->runtime_path, o->runtime_root, o->systemd_cgroup);
        char **argv = runtime_argv_exec(&rt, o->id, o->process, p->pid_file, o->tty ? p->console_abs : NULL);
        argv = runtime_argv_with_log(argv, p->log_file);
        if (!argv) {
                snprintf(ret_err, errlen, "out of memory");
                return -1;
        }
        int code = runtime_run(argv, s, p->log_file, ret_err, errlen);
        strv_free(argv);
        stdio_close_child(s);
        if (s->console_listen >= 0) {
                if (code == 0)
                        s->pty_master = console_receive(s->console_listen);
                close(TAKE_FD(s->console_listen));
                unlink(p->console);
        }
        pid_t pid = code == 0 ? read_pid_file(p->pid_file) : -1;
        unlink(p->pid_file);
        unlink(p->log_file);
        if (code == 0 && o->tty && s->pty_master < 0)
                snprintf(ret_err, errlen, "the runtime sent no terminal");
        else if (code == 0 && pid <= 0)
                snprintf(ret_err, errlen, "the runtime wrote no pid file");
        return code == 0 && pid > 0 && (!o->tty || s->pty_master >= 0) ? pid : -1;
}

static int failed_status(const char *msg)
{
        return strstr(msg, "not found") || strstr(msg, "no such file") ? 127 : 126;
}

static int pump(const struct shim_opts *o, struct proc_stdio *s, pid_t pid, int listen_fd, int sync_fd)
{
        struct io_loop l = {
                .epfd = -1,
                .pty = -1,
                .pty_peer = -1,
                .tty = o->tty,
                .close_stdin_on_eof = true,
                .backpressure = true,
                .init_pid = pid,
        };
        int in = -1, out, err = -1;
        if (o->tty) {
                l.pty = TAKE_FD(s->pty_master);
                out = l.pty;
                in = o->open_stdin ? fcntl(l.pty, F_DUPFD_CLOEXEC, 3) : -1;
        } else {
                in = TAKE_FD(s->parent[0]);
                out = TAKE_FD(s->parent[1]);
                err = TAKE_FD(s->parent[2]);
        }
        int r = io_loop_init(&l, out, err, in, listen_fd);
        if (r >= 0 && o->stream_fd >= 0) {
                r = client_add(&l, o->stream_fd, -1, o->open_stdin, true, true, NULL);
                if (r < 0)
                        close(o->stream_fd);
        }
        if (r < 0) {
                sync_report(sync_fd, 0, "cannot set up the event loop");
                io_loop_done(&l);
                return 126;
        }
        sync_report(sync_fd, pid, NULL);
        r = io_loop_run(&l);
        io_loop_finish_clients(&l, FINAL_FLUSH_MS);
        int status = l.exited ? exit_code_of(l.exit_status) : 255;
        io_loop_done(&l);
        return status;
}

int shim_run_exec(const struct shim_opts *o)
{
        int sync_fd = o->sync_fd;
        struct exec_paths p;
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0 || chdir(o->state_dir) < 0 || exec_paths_init(&p, o) < 0) {
                sync_report(sync_fd, 0, "pouch-shim cannot set up the exec");
                return 126;
        }
        if (sync_fd >= 0)
                fcntl(sync_fd, F_SETFD, FD_CLOEXEC);
        if (o->stream_fd >= 0)
                fcntl(o->stream_fd, F_SETFD, FD_CLOEXEC);
        int listen_fd = unix_listen(p.sock, 0600);
        struct proc_stdio s;
        char errbuf[2048];
        int status;
        int r = listen_fd < 0 ? listen_fd : stdio_setup(&s, o->tty, o->open_stdin, p.console);
        if (r < 0) {
                sync_report(sync_fd, 0, "cannot set up the exec's stdio");
                status = 126;
        } else {
                pid_t pid = start(o, &p, &s, errbuf, sizeof(errbuf));
                if (pid <= 0) {
                        sync_report(sync_fd, 0, errbuf);
                        status = failed_status(errbuf);
                        close(TAKE_FD(listen_fd));
                } else {
                        status = pump(o, &s, pid, TAKE_FD(listen_fd), sync_fd);
                }
                stdio_done(&s);
        }
        if (listen_fd >= 0)
                close(listen_fd);
        unlink(p.sock);
        exec_paths_free(&p);
        return status;
}
