/* Handing syscalls of a container to a seccomp agent (SCMP_ACT_NOTIFY, linux.seccomp.listenerPath). */
#pragma once

#include <jansson.h>
#include <stdbool.h>

/* Whether the kernel and libseccomp can notify an agent (libseccomp API level 6: Linux >= 5.7,
 * the level runc asks for). */
bool seccomp_notify_supported(void);

/* In an OCI linux.seccomp object: take name out of the unconditional rules that allow it, add a
 * SCMP_ACT_NOTIFY rule for it and set listenerPath. -EINVAL when the profile does not allow name
 * unconditionally (a rule with arguments or another action would change meaning), -ENOMEM. */
int seccomp_notify_syscall(json_t *seccomp, const char *name, const char *listener_path);
