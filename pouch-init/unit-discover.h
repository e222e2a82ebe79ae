/* The systemd units a VM image has enabled, found the way systemd would at boot.
 *
 * From default.target (its symlink names the real target, e.g. graphical.target) and
 * multi-user.target, the targets are walked through their *.wants/ and *.requires/ directories and
 * the Wants=/Requires= of the target files. sysinit.target and the other early-boot targets
 * (local-fs, swap, cryptsetup, emergency, rescue, shutdown, initrd) are not walked: their units set
 * up the machine, which is the engine's job. Every *.service found is loaded: the first unit file
 * of that name in /etc/systemd/system, /lib/systemd/system, /usr/lib/systemd/system; an instance
 * (NAME@INST.service) falls back to its template NAME@.service; then the drop-ins
 * NAME.service.d/ (and the template's) *.conf, in file-name order (the same file name in an earlier
 * directory wins). Aliases load under the real unit's name. The services they Wants=/Requires= are
 * loaded as well. Units are skipped (kept, with a reason) when masked (a symlink to /dev/null), on
 * the skip list (skip-list.h), missing, or of another kind (.timer, .socket, .path, .mount, ...). */
#pragma once

#include "unit-parse.h"

#include <stdbool.h>
#include <stddef.h>

/* Append every unit found below root ("" for the running system) to *units (realloc'ed). 0 or
 * -ENOMEM. */
int discover_systemd(const char *root, struct unit **units, size_t *n);

/* Whether a unit file NAME.service exists (masked or not) in the unit directories below root. */
bool unit_file_exists(const char *root, const char *name);

/* Append *u to *units (taken over; zeroed). 0 or -ENOMEM (u freed). */
int units_push(struct unit **units, size_t *n, struct unit *u);
/* Append a skipped unit name with reason. 0 or -ENOMEM. */
int units_push_skipped(struct unit **units, size_t *n, const char *name, enum unit_source source,
                       const char *reason_fmt, ...) __attribute__((format(printf, 5, 6)));
/* The index of the unit named name in units[0..n), or -1. */
ssize_t units_find(const struct unit *units, size_t n, const char *name);
