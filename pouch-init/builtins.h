/* The built-in services, found in the image:
 *   sshd  /usr/sbin/sshd -D -e, after `ssh-keygen -A` (an ExecStartPre=, failure ignored) when
 *         the image has no /etc/ssh/ssh_host_*_key yet and has ssh-keygen; /run/sshd is created.
 *   cron  the first of /usr/sbin/cron (`cron -f`), /usr/sbin/crond, /sbin/crond, /usr/bin/crond
 *         (`crond -f`).
 * Both are Restart=always. A services.d unit of the same name (sshd or ssh, cron or crond)
 * replaces the built-in. */
#pragma once

#include "unit-parse.h"

#include <stdbool.h>
#include <stddef.h>

#define SSHD_PATH "/usr/sbin/sshd"

/* Put the built-ins that exist below root ("" for the running system) and are wanted in front
 * of the n units of *units (realloc'ed); their paths inside the container are absolute. 0 or
 * -ENOMEM. */
int builtins_add(const char *root, bool sshd, bool cron, struct unit **units, size_t *n);

/* Units found in the image that run sshd (named ssh or sshd, not skipped) get the built-in's
 * `ssh-keygen -A` first step when the image has no host keys yet. 0 or -ENOMEM. */
int builtins_adopt(const char *root, struct unit *units, size_t n);
