/* pouch-init: PID 1 of pouch's rich containers. The command line; the rest is in loop.c.
 *
 * pouch-init [--initscript CMDLINE] [--keep-running] [--services-dir DIR] [--state-dir DIR]
 *            [--stop-timeout SECONDS] [--no-sshd] [--no-cron] [--rich-services LIST] [--exec]
 *            [--syslog-socket PATH] [--] [CMD [ARG...]]
 * pouch-init ctl VERB [NAME...], or run as systemctl / service: the control client (ctl-client.h).
 * An unknown option or a bad value exits 125 (the daemon reports it). */
#include "loop.h"

#include "ctl-args.h"
#include "ctl-client.h"
#include "service-set.h"
#include "syslog-sink.h"
#include "ssh-keys.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef POUCH_VERSION
#define POUCH_VERSION "0.0.0"
#endif
#ifndef POUCH_GIT_COMMIT
#define POUCH_GIT_COMMIT "unknown"
#endif

#define EXIT_USAGE 125

static void usage(FILE *f)
{
        fputs("Usage: pouch-init [OPTIONS] [--] [CMD [ARG...]]\n"
              "\n"
              "PID 1 of a rich container: runs the initscript, starts sshd, cron and the services of\n"
              "the services directory, then CMD; reaps every process and stops it all on SIGTERM.\n"
              "Without CMD the services run until pouch-init is stopped.\n"
              "\n"
              "Options:\n"
              "  --initscript CMDLINE    run CMDLINE first (a path, or a command line split like\n"
              "                          ExecStart=); its failure fails the container\n"
              "  --keep-running          keep the services running after CMD exits\n"
              "  --services-dir DIR      *.service units to run (default " DEFAULT_SERVICES_DIR ")\n"
              "  --state-dir DIR         where status.json is written (default " DEFAULT_STATE_DIR ")\n"
              "  --stop-timeout SECONDS  the container's stop timeout (default 10): CMD gets\n"
              "                          SECONDS - 2 (at least 1) to exit after SIGTERM\n"
              "  --no-sshd               do not start /usr/sbin/sshd\n"
              "  --no-cron               do not start cron\n"
              "  --rich-services LIST    which of the image's services run: all (default), none, or\n"
              "                          a comma-separated list of systemd, sysv, pouch (services dir)\n"
              "  --exec                  run the initscript, then exec CMD in pouch-init's place\n"
              "  --syslog-socket PATH    where to receive syslog messages when the image runs no\n"
              "                          syslog daemon (default " DEFAULT_SYSLOG_SOCKET ")\n"
              "\n"
              "pouch-init ctl VERB [NAME...] (or run as systemctl / service) asks the running\n"
              "pouch-init to start, stop, restart, reload or show a service.\n"
              "  --version               print the version\n"
              "  --help                  print this help\n",
              f);
}

/* The value of --name VALUE or --name=VALUE at argv[*i]; NULL when it does not match (or the
 * value is missing: *missing set). */
static const char *option_value(char **argv, int argc, int *i, const char *name, int *missing)
{
        size_t len = strlen(name);
        const char *a = argv[*i];
        if (strncmp(a, name, len) != 0)
                return NULL;
        if (a[len] == '=')
                return a + len + 1;
        if (a[len] != '\0')
                return NULL;
        if (*i + 1 >= argc) {
                *missing = 1;
                return NULL;
        }
        return argv[++*i];
}

int main(int argc, char **argv)
{
        struct init_options o = {
                .services_dir = DEFAULT_SERVICES_DIR,
                .state_dir = DEFAULT_STATE_DIR,
                .stop_timeout = DEFAULT_STOP_TIMEOUT,
                .services_mask = SERVICES_ALL,
                .syslog_socket = DEFAULT_SYSLOG_SOCKET,
        };
        /* systemctl, service, pouch-init ctl: the control client */
        if (ctl_personality(argc, argv) != CTL_AS_INIT)
                return ctl_client_main(argc, argv);
        /* the ssh-host-keys built-in service (ssh-keys.h), not for users */
        if (argc == 3 && strcmp(argv[1], SSH_HOST_KEYS_OPTION) == 0)
                return ssh_keys_generate_main(argv[2]);
        int i = 1;
        for (; i < argc; i++) {
                const char *a = argv[i];
                const char *v;
                int missing = 0;
                if (strcmp(a, "--") == 0) {
                        i++;
                        break;
                }
                if (a[0] != '-' || a[1] == '\0')
                        break; /* CMD without "--" */
                if (strcmp(a, "--version") == 0) {
                        printf("pouch-init version %s (commit %s)\n", POUCH_VERSION, POUCH_GIT_COMMIT);
                        return 0;
                }
                if (strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0) {
                        usage(stdout);
                        return 0;
                }
                if (strcmp(a, "--keep-running") == 0) {
                        o.keep_running = true;
                } else if (strcmp(a, "--no-sshd") == 0) {
                        o.no_sshd = true;
                } else if (strcmp(a, "--no-cron") == 0) {
                        o.no_cron = true;
                } else if (strcmp(a, "--exec") == 0) {
                        o.exec = true;
                } else if ((v = option_value(argv, argc, &i, "--initscript", &missing))) {
                        if (!*v) {
                                fprintf(stderr, "pouch-init: --initscript needs a path or a command line\n");
                                return EXIT_USAGE;
                        }
                        o.initscript = v;
                } else if ((v = option_value(argv, argc, &i, "--services-dir", &missing))) {
                        o.services_dir = v;
                } else if ((v = option_value(argv, argc, &i, "--syslog-socket", &missing))) {
                        o.syslog_socket = v;
                } else if ((v = option_value(argv, argc, &i, "--state-dir", &missing))) {
                        o.state_dir = v;
                } else if ((v = option_value(argv, argc, &i, "--rich-services", &missing))) {
                        if (services_mask_parse(v, &o.services_mask) < 0) {
                                fprintf(stderr,
                                        "pouch-init: invalid --rich-services '%s': none, all, or a "
                                        "comma-separated list of systemd, sysv, pouch\n",
                                        v);
                                return EXIT_USAGE;
                        }
                } else if ((v = option_value(argv, argc, &i, "--stop-timeout", &missing))) {
                        unsigned long long t;
                        if (!parse_uint(v, 100000000, &t)) {
                                fprintf(stderr, "pouch-init: invalid --stop-timeout '%s': a number of seconds\n", v);
                                return EXIT_USAGE;
                        }
                        o.stop_timeout = (int) t;
                } else if (missing) {
                        fprintf(stderr, "pouch-init: option %s needs a value\n", a);
                        return EXIT_USAGE;
                } else {
                        fprintf(stderr, "pouch-init: unknown option '%s' (see --help)\n", a);
                        return EXIT_USAGE;
                }
        }
        o.cmd = i < argc ? argv + i : NULL;
        /* `-- ""`: an empty command is no command */
        if (o.cmd && !o.cmd[0][0] && !o.cmd[1])
                o.cmd = NULL;
        if (o.exec && !o.cmd) {
                fprintf(stderr, "pouch-init: --exec needs a command\n");
                return EXIT_USAGE;
        }
        return init_run(&o);
}
