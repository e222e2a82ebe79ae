/* The command lines of the control client: the same static binary is `pouch-init ctl VERB
 * [NAME...]`, and `systemctl VERB [NAME...]` or `service NAME VERB` when the daemon binds it over
 * the image's systemctl and service (argv[0] tells). */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum ctl_personality {
        CTL_AS_INIT,      /* PID 1 (or --ssh-host-keys): not a client */
        CTL_AS_CTL,       /* pouch-init ctl ... */
        CTL_AS_SYSTEMCTL, /* argv[0] is systemctl */
        CTL_AS_SERVICE,   /* argv[0] is service */
};

/* Which program argv asks for. */
enum ctl_personality ctl_personality(int argc, char **argv);

#define CTL_NAMES_MAX 32

struct ctl_args {
        int verb; /* enum ctl_verb */
        const char *names[CTL_NAMES_MAX];
        int n_names;
        bool quiet;         /* -q: is-active and the like print nothing */
        bool now;           /* enable --now / disable --now: start / stop too */
        const char *socket; /* --socket PATH, else NULL */
        bool help;
};

/* systemctl's arguments (after the program name): 0, or -EINVAL with a message in err. Options
 * systemctl has that change nothing here (--no-pager, --full, --system, ...) are accepted. No
 * verb is list-units. */
int ctl_args_parse(int argc, char **argv, struct ctl_args *ret, char *err, size_t err_size);
/* service's: `service NAME VERB` (`service --status-all` is list-units). 0 or -EINVAL. */
int ctl_service_args_parse(int argc, char **argv, struct ctl_args *ret, char *err, size_t err_size);
