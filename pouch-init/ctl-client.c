/* The control client. */
#include "ctl-client.h"

#include "ctl-args.h"
#include "ctl-proto.h"
#include "lib/cleanup.h"
#include "loop.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#define EXIT_NO_INIT 1

/* One request: the answer's exit code, or -errno when pouch-init cannot be reached. quiet: the
 * answer's stdout text is not printed; silent_unknown: nothing is printed for an unknown unit. */
static int request(const char *sock, int verb, const char *name, bool quiet, bool silent_unknown)
{
        char line[CTL_REQUEST_MAX];
        int len = ctl_request_format(verb, name, line, sizeof(line));
        if (len < 0)
                return len;
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        if (strlen(sock) >= sizeof(sa.sun_path))
                return -ENAMETOOLONG;
        strcpy(sa.sun_path, sock);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0 || connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return -errno;
        if (write_all(fd, line, (size_t) len) < 0)
                return -EIO;
        _cleanup_free_ char *buf = malloc(CTL_REPLY_MAX);
        if (!buf)
                return -ENOMEM;
        ssize_t n = read_full(fd, buf, CTL_REPLY_MAX);
        int code, out;
        size_t text;
        if (n < 0 || ctl_reply_parse(buf, (size_t) n, &code, &out, &text) < 0) {
                fprintf(stderr, "pouch-init: no valid answer from %s\n", sock);
                return EXIT_NO_INIT;
        }
        if (silent_unknown && (code == CTL_EXIT_NO_UNIT || code == CTL_EXIT_NO_SUCH_UNIT))
                return code;
        if (!(quiet && out == 1))
                (void) write_all(out, buf + text, (size_t) n - text);
        return code;
}

static const char *socket_path(const struct ctl_args *a)
{
        if (a->socket)
                return a->socket;
        const char *e = getenv("POUCH_INIT_CTL_SOCKET");
        return e && *e ? e : DEFAULT_STATE_DIR "/" CTL_SOCKET_NAME;
}

static void usage(void)
{
        fputs("Usage: systemctl [--quiet] [--now] start|stop|restart|try-restart|reload|status|is-active|\n"
              "                 is-failed|is-enabled|enable|disable NAME...\n"
              "       systemctl list-units|is-system-running|daemon-reload\n"
              "       service NAME start|stop|restart|reload|status\n"
              "Asks pouch-init, PID 1 of this rich container, about the services it runs.\n",
              stdout);
}

/* `service NAME VERB` for a script pouch-init does not run: the script itself, as Debian's
 * service does without systemd. */
static int run_script(const char *name, const char *verb)
{
        char path[4096];
        snprintf(path, sizeof(path), "/etc/init.d/%s", name);
        if (access(path, X_OK) < 0)
                return -ENOENT;
        execl(path, path, verb, (char *) NULL);
        return -errno;
}

static int run(const struct ctl_args *a, bool service_style, const char *service_verb)
{
        const char *sock = socket_path(a);
        int n = a->n_names ? a->n_names : 1;
        int rc = 0;
        for (int i = 0; i < n; i++) {
                const char *name = a->n_names ? a->names[i] : NULL;
                int r = request(sock, a->verb, name, a->quiet, service_style);
                if (r >= 0 && a->now && r == 0 && (a->verb == CTL_ENABLE || a->verb == CTL_DISABLE))
                        r = request(sock, a->verb == CTL_ENABLE ? CTL_START : CTL_STOP, name, a->quiet, false);
                if (service_style && name && (r < 0 || r == CTL_EXIT_NO_UNIT || r == CTL_EXIT_NO_SUCH_UNIT)) {
                        run_script(name, service_verb); /* returns only when there is none */
                        fprintf(stderr, "%s: unrecognized service\n", name);
                        return 1;
                }
                if (r < 0) {
                        fprintf(stderr,
                                "pouch-init is not running as this container's init (cannot connect to "
                                "%s: %s)\n",
                                sock, strerror(-r));
                        return EXIT_NO_INIT;
                }
                if (rc == 0)
                        rc = r;
        }
        return rc;
}

int ctl_client_main(int argc, char **argv)
{
        enum ctl_personality p = ctl_personality(argc, argv);
        struct ctl_args a;
        char err[512];
        int skip = p == CTL_AS_CTL ? 2 : 1;
        int r = p == CTL_AS_SERVICE ? ctl_service_args_parse(argc - skip, argv + skip, &a, err, sizeof(err))
                                    : ctl_args_parse(argc - skip, argv + skip, &a, err, sizeof(err));
        if (r < 0 && p == CTL_AS_SERVICE && argc >= 3 && ctl_name_valid(argv[1]))
                run_script(argv[1], argv[2]); /* an action pouch-init does not know: the script's own */
        if (r < 0) {
                fprintf(stderr, "%s\n", err);
                return 1;
        }
        if (a.help) {
                usage();
                return 0;
        }
        return run(&a, p == CTL_AS_SERVICE, p == CTL_AS_SERVICE ? argv[2] : NULL);
}
