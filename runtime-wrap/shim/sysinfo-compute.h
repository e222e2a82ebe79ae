/* The struct sysinfo a container sees: the host's, with memory, swap, uptime and the number of
 * tasks taken from the container's cgroups. Pure: no files read here (sysinfo-cgroup.c reads them). */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/sysinfo.h>

/* What the container's cgroups say; a field the host does not provide stays at its "unknown". */
struct cg_sysinfo {
        uint64_t mem_limit; /* bytes; UINT64_MAX = no limit (v2 "max"; v1 gives a huge value) */
        uint64_t mem_usage; /* bytes, page cache included (v1 usage_in_bytes, v2 memory.current) */
        uint64_t shmem;     /* bytes of tmpfs/shm charged to the cgroup (memory.stat) */
        /* Swap. v1: memsw.* count memory + swap together (memsw_combined true); v2: swap.* alone. */
        bool has_swap; /* false: no swap accounting, the host's swap is shown */
        bool memsw_combined;
        uint64_t swap_limit; /* UINT64_MAX = no limit */
        uint64_t swap_usage;
        int64_t tasks;   /* pids.current; -1 unknown */
        int64_t start_s; /* when the container's init started, seconds since boot; -1 unknown */
};

/* Limits at or above this are "unlimited" (cgroup v1 reports PAGE_COUNTER_MAX * page size,
 * 0x7ffffffffffff000 on x86_64, for no limit). */
#define CG_UNLIMITED_MIN (UINT64_C(1) << 62)

/* Fill *ret from the host's sysinfo and the container's values: totalram = the memory limit
 * (never more than the host's RAM), freeram = limit - usage, sharedram = shmem, bufferram 0,
 * swap within the container's swap limit (never more than the host's swap), uptime since the
 * container's init started, procs = the container's tasks; loads and high memory stay the host's.
 * mem_unit is 1. Without a memory limit the memory and swap fields are the host's. */
void sysinfo_for_container(const struct sysinfo *host, const struct cg_sysinfo *cg, struct sysinfo *ret);
