/* Which services pouch-init runs: the union of the image's enabled systemd units, its SysV
 * scripts, the services.d units and the built-ins, as chosen by --rich-services.
 *
 * One service per name: a services.d unit wins over a systemd unit (which leaves the list, named in
 * a warning of the services.d unit), which wins over a SysV script; the built-in sshd and cron are
 * added only when no unit of those names (ssh/sshd, cron/crond) was found. A unit found in the
 * image that runs sshd gets the built-in's `ssh-keygen -A` step when the image has no host keys. */
#pragma once

#include "unit-parse.h"

#include <stdbool.h>
#include <stddef.h>

/* More than this many units (skipped ones included) are not run: the ordering is quadratic. */
#define SERVICES_MAX 1024

enum {
        SERVICES_SYSTEMD = 1 << 0,
        SERVICES_SYSV = 1 << 1,
        SERVICES_POUCH = 1 << 2,
        SERVICES_ALL = SERVICES_SYSTEMD | SERVICES_SYSV | SERVICES_POUCH,
};

/* Parse a --rich-services value: none, all, systemd, sysv, pouch, or a comma-separated list of
 * them. 0 with the mask in *ret, or -EINVAL. */
int services_mask_parse(const char *s, unsigned *ret);

struct service_set_opts {
        const char *root;         /* "" for the running system */
        const char *services_dir; /* inside root */
        unsigned mask;
        bool sshd;
        bool cron;
};

/* Every unit to run or show (skipped ones included), in list order (the start order of units
 * that do not order themselves): built-ins, systemd units, SysV scripts, services.d units. 0 with a malloc'ed array
 * (free with units_free), or -ENOMEM. */
int service_set_load(const struct service_set_opts *o, struct unit **ret, size_t *n);
