/* A rich container's CPU quota as a number of CPUs it sees. */
#include "cpus.h"

#include "lib/jsonutil.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

int rich_cpuset_for_quota(int64_t quota, int64_t period, const cpu_set_t *allowed, uint64_t seed, char *buf, size_t len)
{
        int count = CPU_COUNT(allowed);
        if (quota <= 0 || period <= 0 || count <= 0)
                return 1;
        int64_t want = (quota + period - 1) / period;
        if (want >= count)
                return 1;
        int cpus[CPU_SETSIZE];
        int n = 0;
        for (int c = 0; c < CPU_SETSIZE; c++)
                if (CPU_ISSET(c, allowed))
                        cpus[n++] = c;
        bool chosen[CPU_SETSIZE] = { false };
        int start = (int) (seed % (uint64_t) n);
        for (int64_t i = 0; i < want; i++)
                chosen[(start + i) % n] = true;
        size_t off = 0;
        buf[0] = '\0';
        for (int i = 0; i < n; i++) {
                if (!chosen[i])
                        continue;
                int w = snprintf(buf + off, len - off, "%s%d", off ? "," : "", cpus[i]);
                if (w < 0 || (size_t) w >= len - off)
                        return -ENOBUFS;
                off += (size_t) w;
        }
        return 0;
}

int rich_apply_cpuset(json_t *spec, const char *id)
{
        json_t *cpu = json_object_get(json_object_get(json_object_get(spec, "linux"), "resources"), "cpu");
        if (!json_is_object(cpu) || *json_get_str(cpu, "cpus", ""))
                return 0;
        cpu_set_t allowed;
        CPU_ZERO(&allowed);
        if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
                return -errno;
        char hex[17] = { 0 };
        snprintf(hex, sizeof(hex), "%.16s", id ? id : "");
        char set[4096];
        int r = rich_cpuset_for_quota(json_get_int(cpu, "quota", 0), json_get_int(cpu, "period", 0), &allowed,
                                      strtoull(hex, NULL, 16), set, sizeof(set));
        if (r != 0)
                return r < 0 ? r : 0;
        return json_object_set_new(cpu, "cpus", json_string(set)) < 0 ? -ENOMEM : 0;
}
