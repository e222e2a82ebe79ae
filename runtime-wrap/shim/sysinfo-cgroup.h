/* Reading a container's memory and pids cgroups (v1 or v2) and its init's start time, for the
 * sysinfo(2) the container sees. */
#pragma once

#include "sysinfo-compute.h"

#include <sys/types.h>

struct cg_dirs {
        int mem_fd;  /* the container's memory cgroup directory, -1 unknown */
        int pids_fd; /* its pids cgroup directory (v2: the same directory), -1 unknown */
        bool v2;
        int64_t start_s; /* the init's start, seconds since boot; -1 unknown */
};

/* Find the cgroups of pid (the container's init) as seen from here (/proc/PID/cgroup under
 * /sys/fs/cgroup) and its start time. What cannot be found stays unknown: always succeeds. */
void cg_dirs_open(pid_t pid, struct cg_dirs *ret);
void cg_dirs_close(struct cg_dirs *d);
/* Current values; unknown fields are "no limit" / -1. */
void cg_sysinfo_read(const struct cg_dirs *d, struct cg_sysinfo *ret);
