/* Reaping: pouch-init waits for every child, its own and the orphans the kernel hands to it
 * (as PID 1 of the namespace, or as a child subreaper when it is not PID 1). */
#pragma once

#include <sys/types.h>

typedef void (*reap_fn)(void *ud, pid_t pid, int wstatus);

/* Become the child subreaper unless we are PID 1: 0 or -errno. */
int reaper_setup(void);
/* waitpid(-1, WNOHANG) until no exited child is left, calling fn for each one reaped (orphans
 * included: fn ignores pids it does not know). The number reaped. */
int reap_children(reap_fn fn, void *ud);
/* An exit status as a shell shows it: the exit code, or 128 + the signal. */
int exit_code_of(int wstatus);
