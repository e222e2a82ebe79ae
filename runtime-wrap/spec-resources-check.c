/* Bounds of the cgroup settings of a HostConfig, checked before create and `docker update`, so a
 * client's mistake is a 400 with docker's message rather than a runtime failure (a 500). */
#include "runtime-wrap/spec.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define CPU_SHARES_MIN 2 /* the kernel's bounds of cpu.shares */
#define CPU_SHARES_MAX 262144
#define CPU_PERIOD_MIN 1000 /* CFS period and quota, microseconds */
#define CPU_PERIOD_MAX 1000000
#define CPU_QUOTA_MIN 1000
#define PIDS_MAX (1 << 22) /* PID_MAX_LIMIT: pids.max takes no more */
#define LIST_ID_MAX 8191   /* no more CPUs or NUMA nodes than this on any kernel */

/* "0-3,5": -EINVAL unless it is a well-formed list; *ret_max is its highest number. */
static int parse_id_list(const char *s, long *ret_max)
{
        long max = -1;
        if (!*s)
                return -EINVAL;
        for (;;) {
                char *end;
                if (!isdigit((unsigned char) *s))
                        return -EINVAL;
                long a = strtol(s, &end, 10), b = a;
                if (*end == '-') {
                        if (!isdigit((unsigned char) end[1]))
                                return -EINVAL;
                        b = strtol(end + 1, &end, 10);
                }
                if (a > b || b > LIST_ID_MAX)
                        return -EINVAL;
                if (b > max)
                        max = b;
                if (*end == '\0')
                        break;
                if (*end != ',')
                        return -EINVAL;
                s = end + 1;
        }
        *ret_max = max;
        return 0;
}

/* The highest id in a sysfs list such as /sys/devices/system/node/online; -1 when unknown. */
static long sysfs_list_max(const char *path)
{
        _cleanup_free_ char *text = NULL;
        long max;
        if (read_file(path, 4096, &text, NULL) < 0)
                return -1;
        text[strcspn(text, "\n")] = '\0';
        return parse_id_list(text, &max) < 0 ? -1 : max;
}

static int check_cpuset(const json_t *hc, const char *key, const char *what, long avail_max, struct pouch_err *err)
{
        const char *v = json_get_str(hc, key, "");
        long max;
        if (!*v)
                return 0;
        if (parse_id_list(v, &max) < 0)
                return err_set(err, -EINVAL, "Invalid value %s for %s", v, key);
        if (avail_max >= 0 && max > avail_max)
                return err_set(err, -EINVAL, "Requested %s are not available - requested %s, available: 0-%ld", what, v,
                               avail_max);
        return 0;
}

static int check_memory(const json_t *hc, struct pouch_err *err)
{
        if (json_get_int(hc, "Memory", 0) < 0)
                return err_set(err, -EINVAL, "Invalid memory limit: it must not be negative");
        if (json_get_int(hc, "MemoryReservation", 0) < 0)
                return err_set(err, -EINVAL, "Invalid memory reservation: it must not be negative");
        if (json_get_int(hc, "MemorySwap", 0) < -1)
                return err_set(err, -EINVAL, "Invalid memory swap limit: -1 (unlimited) or a size was expected");
        return 0;
}

static int check_cpu(const json_t *hc, struct pouch_err *err)
{
        int64_t shares = json_get_int(hc, "CpuShares", 0), period = json_get_int(hc, "CpuPeriod", 0);
        int64_t quota = json_get_int(hc, "CpuQuota", 0);
        if (shares != 0 && (shares < CPU_SHARES_MIN || shares > CPU_SHARES_MAX))
                return err_set(err, -EINVAL, "Invalid CPU shares %lld: the range is %d to %d", (long long) shares,
                               CPU_SHARES_MIN, CPU_SHARES_MAX);
        if (period != 0 && (period < CPU_PERIOD_MIN || period > CPU_PERIOD_MAX))
                return err_set(
                        err, -EINVAL,
                        "CPU cfs period can not be less than 1ms (i.e. 1000) or larger than 1 second (i.e. 1000000)");
        if (quota < -1 || (quota > 0 && quota < CPU_QUOTA_MIN))
                return err_set(err, -EINVAL, "CPU cfs quota can not be less than 1ms (i.e. 1000)");
        long ncpu = sysconf(_SC_NPROCESSORS_CONF);
        int r = check_cpuset(hc, "CpusetCpus", "CPUs", ncpu > 0 ? ncpu - 1 : -1, err);
        if (r < 0)
                return r;
        return check_cpuset(hc, "CpusetMems", "memory nodes", sysfs_list_max("/sys/devices/system/node/online"), err);
}

int spec_resources_validate(const json_t *hc, struct pouch_err *err)
{
        int r = check_memory(hc, err);
        if (r < 0 || (r = check_cpu(hc, err)) < 0)
                return r;
        int64_t pids = json_get_int(hc, "PidsLimit", 0), weight = json_get_int(hc, "BlkioWeight", 0);
        if (pids < -1 || pids > PIDS_MAX)
                return err_set(err, -EINVAL, "Invalid PIDs limit %lld: -1 (unlimited) up to %d was expected",
                               (long long) pids, PIDS_MAX);
        if (weight != 0 && (weight < 10 || weight > 1000))
                return err_set(err, -EINVAL, "Range of blkio weight is from 10 to 1000");
        return 0;
}
