/* pouch-shim: one per container (or per exec); see docs/shim-protocol.md. */
#include "shim.h"

#include "lib/log.h"
#include "lib/spawn.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

static int parse(int argc, char **argv, struct shim_opts *o)
{
        enum { OPT_ID = 256, OPT_EXEC_ID, OPT_BUNDLE, OPT_STATE, OPT_RUNTIME, OPT_ROOT, OPT_SYSTEMD, OPT_TTY, OPT_STDIN, OPT_ONCE,
               OPT_LOG, OPT_MAXSIZE, OPT_MAXFILE, OPT_SYNC, OPT_PROCESS, OPT_STREAM };
        static const struct option opts[] = {
                { "id", required_argument, NULL, OPT_ID },
                { "exec-id", required_argument, NULL, OPT_EXEC_ID },
                { "bundle", required_argument, NULL, OPT_BUNDLE },
                { "state-dir", required_argument, NULL, OPT_STATE },
                { "runtime", required_argument, NULL, OPT_RUNTIME },
                { "runtime-root", required_argument, NULL, OPT_ROOT },
                { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD },
                { "tty", no_argument, NULL, OPT_TTY },
                { "stdin", no_argument, NULL, OPT_STDIN },
                { "stdin-once", no_argument, NULL, OPT_ONCE },
                { "log-path", required_argument, NULL, OPT_LOG },
                { "log-max-size", required_argument, NULL, OPT_MAXSIZE },
                { "log-max-file", required_argument, NULL, OPT_MAXFILE },
                { "sync-fd", required_argument, NULL, OPT_SYNC },
                { "process", required_argument, NULL, OPT_PROCESS },
                { "stream-fd", required_argument, NULL, OPT_STREAM },
                {},
        };
        int opt;
        while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                switch (opt) {
                case OPT_ID: o->id = optarg; break;
                case OPT_EXEC_ID: o->exec_id = optarg; break;
                case OPT_BUNDLE: o->bundle = optarg; break;
                case OPT_STATE: o->state_dir = optarg; break;
                case OPT_RUNTIME: o->runtime_path = optarg; break;
                case OPT_ROOT: o->runtime_root = optarg; break;
                case OPT_SYSTEMD: o->systemd_cgroup = true; break;
                case OPT_TTY: o->tty = true; break;
                case OPT_STDIN: o->open_stdin = true; break;
                case OPT_ONCE: o->stdin_once = true; break;
                case OPT_LOG: o->log_path = optarg; break;
                case OPT_MAXSIZE: o->log_max_size = atoll(optarg); break;
                case OPT_MAXFILE: o->log_max_file = atoi(optarg); break;
                case OPT_SYNC: o->sync_fd = atoi(optarg); break;
                case OPT_PROCESS: o->process = optarg; break;
                case OPT_STREAM: o->stream_fd = atoi(optarg); break;
                default: return -EINVAL;
                }
        }
        if (!o->id || !o->state_dir || !o->runtime_path || !o->runtime_root)
                return -EINVAL;
        if (o->exec_mode ? (!o->exec_id || !o->process) : (!o->bundle || !o->log_path))
                return -EINVAL;
        return 0;
}

int main(int argc, char **argv)
{
        struct shim_opts o = { .sync_fd = -1, .stream_fd = -1, .log_max_file = 1 };
        log_set_ident("pouch-shim");
        if (argc > 1 && strcmp(argv[1], "exec") == 0) {
                o.exec_mode = true;
                argv++;
                argc--;
        }
        if (parse(argc, argv, &o) < 0) {
                fprintf(stderr, "usage: pouch-shim [exec] --id ID --state-dir DIR --runtime PATH --runtime-root DIR "
                                "(--bundle DIR --log-path FILE | --exec-id ID --process FILE) [--tty] [--stdin] "
                                "[--sync-fd N] [--stream-fd N]\n");
                return 2;
        }
        if (chdir(o.state_dir) < 0) {
                fprintf(stderr, "pouch-shim: cannot enter %s: %m\n", o.state_dir);
                return 2;
        }
        signal(SIGPIPE, SIG_IGN);
        sigset_t mask;
        sigemptyset(&mask);
        sigaddset(&mask, SIGCHLD);
        sigprocmask(SIG_BLOCK, &mask, NULL);
        if (!o.exec_mode) {
                /* detach from pouchd: the first process exits at once, the second leads a session */
                pid_t pid = fork();
                if (pid < 0)
                        return 1;
                if (pid > 0)
                        _exit(0);
                setsid();
                int null = open("/dev/null", O_RDWR);
                dup2(null, 0);
                dup2(null, 1);
                if (null > 2)
                        close(null);
                int keep[] = { o.sync_fd };
                close_fds_from(3, keep, 1);
        }
        if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
                return 1;
        return o.exec_mode ? shim_run_exec(&o) : shim_run_container(&o);
}
