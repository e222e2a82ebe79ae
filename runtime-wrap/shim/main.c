/* pouch-shim: one per container (or per exec); see docs/shim-protocol.md. */
#include "io-loop.h"
#include "shim.h"

#include "lib/log.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int parse_int(const char *s, long long min, long long max, long long *ret)
{
        char *end;
        errno = 0;
        long long v = strtoll(s, &end, 10);
        if (errno || end == s || *end || v < min || v > max)
                return -EINVAL;
        *ret = v;
        return 0;
}

static int parse(int argc, char **argv, struct shim_opts *o)
{
        enum {
                OPT_ID = 256,
                OPT_EXEC_ID,
                OPT_BUNDLE,
                OPT_STATE,
                OPT_RUNTIME,
                OPT_ROOT,
                OPT_SYSTEMD,
                OPT_TTY,
                OPT_STDIN,
                OPT_ONCE,
                OPT_LOG,
                OPT_MAXSIZE,
                OPT_MAXFILE,
                OPT_SYNC,
                OPT_PROCESS,
                OPT_STREAM
        };
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
        long long v = 0;
        while ((opt = getopt_long(argc, argv, "", opts, NULL)) != -1) {
                int r = 0;
                switch (opt) {
                case OPT_ID:
                        o->id = optarg;
                        break;
                case OPT_EXEC_ID:
                        o->exec_id = optarg;
                        break;
                case OPT_BUNDLE:
                        o->bundle = optarg;
                        break;
                case OPT_STATE:
                        o->state_dir = optarg;
                        break;
                case OPT_RUNTIME:
                        o->runtime_path = optarg;
                        break;
                case OPT_ROOT:
                        o->runtime_root = optarg;
                        break;
                case OPT_SYSTEMD:
                        o->systemd_cgroup = true;
                        break;
                case OPT_TTY:
                        o->tty = true;
                        break;
                case OPT_STDIN:
                        o->open_stdin = true;
                        break;
                case OPT_ONCE:
                        o->stdin_once = true;
                        break;
                case OPT_LOG:
                        o->log_path = optarg;
                        break;
                case OPT_PROCESS:
                        o->process = optarg;
                        break;
                case OPT_MAXSIZE:
                        r = parse_int(optarg, 0, LLONG_MAX, &v);
                        o->log_max_size = v;
                        break;
                case OPT_MAXFILE:
                        r = parse_int(optarg, 1, 1000, &v);
                        o->log_max_file = (int) v;
                        break;
                case OPT_SYNC:
                        r = parse_int(optarg, 0, INT_MAX, &v);
                        o->sync_fd = (int) v;
                        break;
                case OPT_STREAM:
                        r = parse_int(optarg, 0, INT_MAX, &v);
                        o->stream_fd = (int) v;
                        break;
                default:
                        return -EINVAL;
                }
                if (r < 0) {
                        fprintf(stderr, "pouch-shim: invalid value for --%s: %s\n", opts[opt - OPT_ID].name, optarg);
                        return r;
                }
        }
        if (optind < argc || !o->id || !o->state_dir || !o->runtime_path || !o->runtime_root)
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
                fprintf(stderr,
                        "usage: pouch-shim --id ID --bundle DIR --state-dir DIR --runtime PATH --runtime-root DIR\n"
                        "                  [--systemd-cgroup] [--tty] [--stdin] [--stdin-once] --log-path FILE\n"
                        "                  [--log-max-size BYTES] [--log-max-file N] --sync-fd N\n"
                        "       pouch-shim exec --id ID --exec-id EID --runtime PATH --runtime-root DIR\n"
                        "                  --state-dir DIR --process FILE [--tty] [--stdin] [--stream-fd N] --sync-fd N\n");
                return 2;
        }
        /* fixed thresholds: big client buffers go back to the kernel when freed (glibc would
         * otherwise raise them after the first free and keep the memory) */
        mallopt(M_MMAP_THRESHOLD, 64 * 1024);
        mallopt(M_TRIM_THRESHOLD, 128 * 1024);
        if (shim_signals_setup() < 0)
                return 1;
        return o.exec_mode ? shim_run_exec(&o) : shim_run_container(&o);
}
