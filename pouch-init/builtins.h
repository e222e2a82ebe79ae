/* The built-in services, found in the image:
 *   sshd  /usr/sbin/sshd -D -e; /run/sshd is created. When the image has ssh-keygen and lacks
 *         host keys, the ed25519 key is made by an ExecStartPre= (failure ignored) and the others
 *         by the service ssh-host-keys after sshd started (ssh-keys.h).
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
 * host keys: the ed25519 key as their first ExecStartPre=, the others by an ssh-host-keys
 * service appended to *units (ssh-keys.h). 0 or -ENOMEM. */
int builtins_adopt(const char *root, struct unit **units, size_t *n);
