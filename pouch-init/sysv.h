/* SysV init scripts enabled for the default runlevel, run as services.
 *
 * The runlevel is the one of /etc/inittab's `id:N:initdefault:` line, else 3 on RHEL-like trees
 * (/etc/redhat-release, or rhel/fedora/centos in /etc/os-release's ID or ID_LIKE) and 2 on the
 * others (Debian). The scripts are the /etc/rcN.d/S* (or /etc/rc.d/rcN.d/S*) links in name
 * order; each is a service named after the script (S20myapp -> ../init.d/myapp is "myapp"):
 * `SCRIPT start` must exit, exit code 0 making it running (Type=oneshot, RemainAfterExit=yes,
 * the processes it leaves keep running), `SCRIPT stop` runs when the container stops
 * (ExecStop=, KillMode=none). Required-Start and Should-Start of the LSB headers order the
 * scripts after the ones that provide those names ($facilities are ignored); scripts without
 * headers keep the S order. rcS.d (boot scripts) is not run. When with_systemd is set, a script
 * that has a systemd unit of the same name (NAME.service) is left to the unit, as systemd does:
 * dropped when the unit is already in the list, else skipped with the reason. Skip-list names are
 * skipped. */
#pragma once

#include "unit-parse.h"

#include <stdbool.h>
#include <stddef.h>

/* The default runlevel of the tree below root ("" for the running system). */
int sysv_runlevel(const char *root);

/* Append the enabled scripts' units to *units (realloc'ed). 0 or -ENOMEM. */
int sysv_discover(const char *root, bool with_systemd, struct unit **units, size_t *n);
