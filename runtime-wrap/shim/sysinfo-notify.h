/* The container's seccomp agent for sysinfo(2): the runtime connects to the spec's
 * linux.seccomp.listenerPath and passes the seccomp notify fd of the container's init (and of each
 * exec'd process); the shim answers each sysinfo call with the container's memory, swap, uptime
 * and task count (sysinfo-compute.h). See docs/shim-protocol.md. */
#pragma once

#include <sys/types.h>

struct io_loop;
struct sysinfo_notify;

/* Listen on the bundle's linux.seccomp.listenerPath (config.json), before the runtime creates
 * the container. *ret is NULL when the spec names no listener. 0 or -errno. */
int sysinfo_notify_listen(const char *bundle, struct sysinfo_notify **ret);
/* Serve from the loop: accept the runtime's connections, answer notifications. init_pid is the
 * container's init (its cgroups and start time are read now). n may be NULL. */
int sysinfo_notify_start(struct sysinfo_notify *n, struct io_loop *l, pid_t init_pid);
/* Close every fd (the container's sysinfo calls then fail with ENOSYS) and remove the socket;
 * l is NULL when the loop never started. */
void sysinfo_notify_free(struct sysinfo_notify *n, struct io_loop *l);
