/* Container mode and exec mode. */
#include "io-loop.h"
#include "runtime-run.h"
#include "shim.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* Put "--log FILE --log-format json" right after the runtime's path (global options). */
static char **with_runtime_log(char **argv, const char *log_file)
{
        size_t n = strv_length(argv);
        char **v = calloc(n + 5, sizeof(char *));
        if (!v)
                return NULL;
        v[0] = argv[0];
        v[1] = strdup("--log");
        v[2] = strdup(log_file);
        v[3] = strdup("--log-format");
        v[4] = strdup("json");
        for (size_t i = 1; i < n; i++)
                v[i + 4] = argv[i];
        free(argv);
        return v;
}

static void runtime_from_opts(const struct shim_opts *o, struct runtime *rt)
{
        memset(rt, 0, sizeof(*rt));
        rt->name = (char *) "runc";
        rt->path = (char *) o->runtime_path;
        rt->root = (char *) o->runtime_root;
        rt->systemd_cgroup = o->systemd_cgroup;
}

static int exit_code_of(int status)
{
        return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static void write_exit_file(int status)
{
        struct timespec now = now_realtime();
        char ts[48];
        format_rfc3339nano(&now, ts, sizeof(ts));
        char buf[256];
        int n = snprintf(buf, sizeof(buf), "{\"ExitCode\":%d,\"FinishedAt\":\"%s\",\"Signal\":%d,\"OOMKilled\":false}\n",
                         exit_code_of(status), ts, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
        int r = write_file_atomic("exit.json", buf, (size_t) n, 0644);
        if (r < 0)
                log_error_errno(r, "Failed to write exit.json");
}

static void runtime_delete_quiet(const struct runtime *rt, const char *id)
{
        char **argv = runtime_argv_delete(rt, id);
        struct spawn_result res = { 0 };
        if (argv && spawn_capture(argv, NULL, NULL, 0, &res) == 0)
                spawn_result_done(&res);
        strv_free(argv);
}

int shim_run_container(const struct shim_opts *o)
{
        struct runtime rt;
        runtime_from_opts(o, &rt);
        char pidstr[32];
        int n = snprintf(pidstr, sizeof(pidstr), "%d\n", getpid());
        write_file_atomic("shim.pid", pidstr, (size_t) n, 0644);

        struct log_writer log;
        if (log_writer_open(&log, o->log_path, o->log_max_size, o->log_max_file) < 0) {
                sync_report(o->sync_fd, 0, "cannot open the container log file");
                return 1;
        }
        int listen_fd = unix_listen("attach.sock", 0600);
        /* the runtime resolves the console socket from its own working directory: pass it absolute */
        char console[4200];
        snprintf(console, sizeof(console), "%s/console.sock", o->state_dir);
        struct proc_stdio s = { .console_path = console };
        if (listen_fd < 0 || stdio_setup(&s, o->tty, o->open_stdin) < 0) {
                sync_report(o->sync_fd, 0, "cannot set up the container's stdio");
                return 1;
        }
        char pidfile[4200];
        snprintf(pidfile, sizeof(pidfile), "%s/init.pid", o->state_dir);
        char **argv = runtime_argv_create(&rt, o->id, o->bundle, pidfile, o->tty ? console : NULL);
        argv = with_runtime_log(argv, "runtime.log");
        char errbuf[4096];
        int code = argv ? runtime_run(argv, &s, "runtime.log", errbuf, sizeof(errbuf)) : -ENOMEM;
        strv_free(argv);
        stdio_close_child(&s);
        if (s.console_listen >= 0) {
                close(s.console_listen);
                unlink(console);
        }
        pid_t init = code == 0 ? read_pid_file("init.pid") : -1;
        if (code != 0 || init <= 0 || (o->tty && s.pty_master < 0)) {
                sync_report(o->sync_fd, 0, code != 0 ? errbuf : "runtime did not report the container");
                runtime_delete_quiet(&rt, o->id);
                unlink("attach.sock");
                return 1;
        }
        struct io_loop l = {
                .listen_fd = listen_fd,
                .out_fd = o->tty ? s.pty_master : s.parent[1],
                .err_fd = o->tty ? -1 : s.parent[2],
                .in_fd = o->tty ? (o->open_stdin ? s.pty_master : -1) : s.parent[0],
                .tty = o->tty,
                .close_stdin_on_client_eof = o->stdin_once,
                .log = &log,
                .init_pid = init,
        };
        if (o->tty)
                fcntl(s.pty_master, F_SETFL, O_NONBLOCK);
        if (io_loop_init(&l) < 0) {
                sync_report(o->sync_fd, 0, "cannot set up the event loop");
                return 1;
        }
        sync_report(o->sync_fd, init, NULL);
        io_loop_run(&l);
        write_exit_file(l.exit_status);
        io_loop_done(&l);
        close(listen_fd);
        unlink("attach.sock");
        log_writer_close(&log);
        runtime_delete_quiet(&rt, o->id);
        return 0;
}

int shim_run_exec(const struct shim_opts *o)
{
        struct runtime rt;
        runtime_from_opts(o, &rt);
        char console[4200], sock[64], pidfile[4200], logfile[64];
        snprintf(console, sizeof(console), "%s/exec-%s.console", o->state_dir, o->exec_id);
        snprintf(sock, sizeof(sock), "exec-%s.sock", o->exec_id);
        snprintf(pidfile, sizeof(pidfile), "%s/exec-%s.pid", o->state_dir, o->exec_id);
        snprintf(logfile, sizeof(logfile), "exec-%s.log", o->exec_id);
        int listen_fd = unix_listen(sock, 0600);
        struct proc_stdio s = { .console_path = console };
        if (stdio_setup(&s, o->tty, o->open_stdin) < 0) {
                sync_report(o->sync_fd, 0, "cannot set up the exec's stdio");
                return 126;
        }
        char **argv = runtime_argv_exec(&rt, o->id, o->process, pidfile, o->tty ? console : NULL);
        argv = with_runtime_log(argv, logfile);
        char errbuf[4096];
        int code = argv ? runtime_run(argv, &s, logfile, errbuf, sizeof(errbuf)) : -ENOMEM;
        strv_free(argv);
        stdio_close_child(&s);
        if (s.console_listen >= 0) {
                close(s.console_listen);
                unlink(console);
        }
        pid_t pid = code == 0 ? read_pid_file(pidfile) : -1;
        unlink(pidfile);
        unlink(logfile);
        if (code != 0 || pid <= 0) {
                sync_report(o->sync_fd, 0, code != 0 ? errbuf : "runtime did not report the exec process");
                if (listen_fd >= 0)
                        close(listen_fd), unlink(sock);
                return strstr(errbuf, "not found") || strstr(errbuf, "no such file") ? 127 : 126;
        }
        struct io_loop l = {
                .listen_fd = listen_fd,
                .out_fd = o->tty ? s.pty_master : s.parent[1],
                .err_fd = o->tty ? -1 : s.parent[2],
                .in_fd = o->tty ? s.pty_master : s.parent[0],
                .tty = o->tty,
                .close_stdin_on_client_eof = true,
                .init_pid = pid,
        };
        if (o->tty)
                fcntl(s.pty_master, F_SETFL, O_NONBLOCK);
        io_loop_init(&l);
        if (o->stream_fd >= 0) {
                fcntl(o->stream_fd, F_SETFL, fcntl(o->stream_fd, F_GETFL) | O_NONBLOCK);
                io_add_client(&l, o->stream_fd, -1, o->open_stdin, true, true);
        }
        sync_report(o->sync_fd, pid, NULL);
        io_loop_run(&l);
        io_loop_done(&l);
        if (listen_fd >= 0) {
                close(listen_fd);
                unlink(sock);
        }
        return exit_code_of(l.exit_status);
}
