/* Rich containers see their own memory limit and uptime through sysinfo(2): the spec hands
 * sysinfo to the container's pouch-shim as a seccomp agent (see docs/lxcfs-hooks.md). */
#pragma once

#include <jansson.h>

/* The shim's seccomp listener socket, in its state directory. */
#define RICH_SYSINFO_SOCKET "seccomp.sock"

/* For a rich container confined by pouch's default seccomp profile (no seccomp= security option,
 * not privileged) that has lxcfs's /proc/meminfo (call after the lxcfs views were added), on a
 * kernel that can notify an agent: make sysinfo notify listener_path. 1 when the spec was changed,
 * 0 when the container does not qualify, -errno on failure. */
int rich_sysinfo_apply(json_t *spec, const json_t *host_config, const char *listener_path);
