/* The command lines of the control client. */
#include "ctl-args.h"

#include "ctl-proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static const char *base_name(const char *p)
{
        const char *s = strrchr(p, '/');
        return s ? s + 1 : p;
}

enum ctl_personality ctl_personality(int argc, char **argv)
{
        if (argc < 1 || !argv[0])
                return CTL_AS_INIT;
        const char *b = base_name(argv[0]);
        if (strcmp(b, "systemctl") == 0)
                return CTL_AS_SYSTEMCTL;
        if (strcmp(b, "service") == 0)
                return CTL_AS_SERVICE;
        if (argc >= 2 && strcmp(argv[1], "ctl") == 0)
                return CTL_AS_CTL;
        return CTL_AS_INIT;
}

/* systemctl options that take a value as the next word. */
static bool takes_value(const char *o)
{
        static const char *const with_value[] = { "-t",          "--type", "-p",        "--property", "-n",
                                                  "--lines",     "-o",     "--output",  "--state",    "-H",
                                                  "--host",      "-M",     "--machine", "--signal",   "-s",
                                                  "--kill-whom", "--root", "--job-mode" };
        for (size_t i = 0; i < sizeof(with_value) / sizeof(with_value[0]); i++)
                if (strcmp(o, with_value[i]) == 0)
                        return true;
        return false;
}

static int fail(char *err, size_t size, const char *fmt, const char *what)
{
        snprintf(err, size, fmt, what);
        return -EINVAL;
}

int ctl_args_parse(int argc, char **argv, struct ctl_args *ret, char *err, size_t err_size)
{
        struct ctl_args a = { .verb = -1 };
        for (int i = 0; i < argc; i++) {
                const char *w = argv[i];
                if (strcmp(w, "--socket") == 0) {
                        if (i + 1 >= argc)
                                return fail(err, err_size, "option %s needs a value", w);
                        a.socket = argv[++i];
                } else if (strcmp(w, "-q") == 0 || strcmp(w, "--quiet") == 0) {
                        a.quiet = true;
                } else if (strcmp(w, "--now") == 0) {
                        a.now = true;
                } else if (strcmp(w, "-h") == 0 || strcmp(w, "--help") == 0) {
                        a.help = true;
                } else if (w[0] == '-' && w[1]) {
                        if (takes_value(w))
                                i++;
                        /* any other option of systemctl's changes nothing here */
                } else if (a.verb < 0) {
                        a.verb = ctl_verb_from_string(w);
                        if (a.verb < 0)
                                return fail(err, err_size, "Unknown command verb '%s'.", w);
                } else {
                        if (a.n_names >= CTL_NAMES_MAX)
                                return fail(err, err_size, "%s", "too many units");
                        if (!ctl_name_valid(w))
                                return fail(err, err_size, "Invalid unit name \"%s\".", w);
                        a.names[a.n_names++] = w;
                }
        }
        if (a.verb < 0)
                a.verb = CTL_LIST_UNITS;
        if (!a.help && ctl_verb_needs_name(a.verb) && a.n_names == 0)
                return fail(err, err_size, "Too few arguments: %s needs a unit name.", ctl_verb_name(a.verb));
        if (!ctl_verb_needs_name(a.verb))
                a.n_names = 0;
        *ret = a;
        return 0;
}

int ctl_service_args_parse(int argc, char **argv, struct ctl_args *ret, char *err, size_t err_size)
{
        struct ctl_args a = { .verb = -1 };
        if (argc >= 1 && strcmp(argv[0], "--status-all") == 0) {
                a.verb = CTL_LIST_UNITS;
                *ret = a;
                return 0;
        }
        if (argc < 2 || argv[0][0] == '-')
                return fail(err, err_size, "%s", "Usage: service NAME start|stop|restart|reload|status");
        if (!ctl_name_valid(argv[0]))
                return fail(err, err_size, "invalid service name '%s'", argv[0]);
        a.verb = ctl_verb_from_string(argv[1]);
        if (a.verb < 0 || !ctl_verb_needs_name(a.verb))
                return fail(err, err_size, "service: unknown action '%s'", argv[1]);
        a.names[a.n_names++] = argv[0];
        *ret = a;
        return 0;
}
