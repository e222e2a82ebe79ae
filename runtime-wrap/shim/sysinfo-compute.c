/* struct sysinfo for a container from the host's and the container's cgroup values. */
#include "sysinfo-compute.h"

static uint64_t min_u64(uint64_t a, uint64_t b)
{
        return a < b ? a : b;
}

static bool limited(uint64_t limit)
{
        return limit < CG_UNLIMITED_MIN;
}

/* Swap fields in bytes: within the container's swap limit, never beyond the host's swap. */
static void swap_fields(const struct cg_sysinfo *cg, uint64_t host_total, uint64_t host_free, struct sysinfo *ret)
{
        uint64_t total = host_total, used = host_total - min_u64(host_free, host_total);
        if (cg->has_swap) {
                uint64_t limit = cg->swap_limit, usage = cg->swap_usage;
                if (cg->memsw_combined) {
                        /* memsw counts memory and swap together: the swap part is the difference */
                        limit = limited(limit) ? limit - min_u64(cg->mem_limit, limit) : limit;
                        usage = usage - min_u64(cg->mem_usage, usage);
                }
                if (limited(limit))
                        total = min_u64(limit, host_total);
                used = usage;
        }
        ret->totalswap = total;
        ret->freeswap = total - min_u64(used, total);
}

void sysinfo_for_container(const struct sysinfo *host, const struct cg_sysinfo *cg, struct sysinfo *ret)
{
        uint64_t unit = host->mem_unit ? host->mem_unit : 1;
        uint64_t host_ram = (uint64_t) host->totalram * unit;
        *ret = *host;
        if (cg->start_s >= 0 && cg->start_s <= host->uptime)
                ret->uptime = host->uptime - cg->start_s;
        if (cg->tasks >= 0)
                ret->procs = (unsigned short) min_u64((uint64_t) cg->tasks, 0xffff);
        if (!limited(cg->mem_limit) || cg->mem_limit >= host_ram)
                return;
        uint64_t total = cg->mem_limit;
        ret->mem_unit = 1;
        ret->totalram = total;
        ret->freeram = total - min_u64(cg->mem_usage, total);
        ret->sharedram = min_u64(cg->shmem, total);
        ret->bufferram = 0;
        ret->totalhigh = (uint64_t) host->totalhigh * unit;
        ret->freehigh = (uint64_t) host->freehigh * unit;
        swap_fields(cg, (uint64_t) host->totalswap * unit, (uint64_t) host->freeswap * unit, ret);
}
