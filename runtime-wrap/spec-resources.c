/* linux.resources (cgroup limits) from a Docker HostConfig. Settings the host's cgroups cannot
 * apply (swap or blkio weight accounting off) are dropped with a warning, as docker does, since
 * runc would otherwise refuse to start the container. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <unistd.h>

#define MIN_MEMORY (6LL << 20)
#define CPU_PERIOD_DEFAULT 100000LL

static bool cgroup2_unified(void)
{
        return access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
}

static bool swap_limit_supported(void)
{
        return cgroup2_unified() || access("/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes", F_OK) == 0;
}

static bool blkio_weight_supported(void)
{
        return cgroup2_unified() || access("/sys/fs/cgroup/blkio/blkio.weight", F_OK) == 0 ||
               access("/sys/fs/cgroup/blkio/blkio.bfq.weight", F_OK) == 0;
}

static int memory_resources(const json_t *hc, json_t *res, struct pouch_err *err)
{
        int64_t mem = json_get_int(hc, "Memory", 0), swap = json_get_int(hc, "MemorySwap", 0);
        int64_t reservation = json_get_int(hc, "MemoryReservation", 0);
        json_t *swappiness = json_object_get(hc, "MemorySwappiness");
        json_t *m = json_object();
        json_object_set_new(res, "memory", m);
        if (mem > 0 && mem < MIN_MEMORY)
                return err_set(err, -EINVAL, "Minimum memory limit allowed is 6MB");
        if (mem > 0 && swap > 0 && swap < mem)
                return err_set(err, -EINVAL, "Minimum memoryswap limit should be larger than memory limit, see usage");
        if (mem > 0)
                json_object_set_new(m, "limit", json_integer(mem));
        if (reservation > 0)
                json_object_set_new(m, "reservation", json_integer(reservation));
        /* Docker's default: as much swap as memory (swap limit = twice the memory limit). */
        if (mem > 0 && swap == 0)
                swap = mem * 2;
        if (swap != 0 && (mem > 0 || swap == -1)) {
                if (swap_limit_supported())
                        json_object_set_new(m, "swap", json_integer(swap));
                else
                        log_warn("Your kernel does not support swap limit capabilities; memory limited without swap");
        }
        if (json_is_integer(swappiness) && json_integer_value(swappiness) >= 0) {
                if (json_integer_value(swappiness) > 100)
                        return err_set(err, -EINVAL, "Invalid value: %lld, valid memory swappiness range is 0-100",
                                       (long long) json_integer_value(swappiness));
                json_object_set(m, "swappiness", swappiness);
        }
        if (json_get_bool(hc, "OomKillDisable", false))
                json_object_set_new(m, "disableOOMKiller", json_true());
        return 0;
}

static int cpu_resources(const json_t *hc, json_t *res, struct pouch_err *err)
{
        int64_t nano = json_get_int(hc, "NanoCpus", 0), shares = json_get_int(hc, "CpuShares", 0);
        int64_t period = json_get_int(hc, "CpuPeriod", 0), quota = json_get_int(hc, "CpuQuota", 0);
        json_t *c = json_object();
        json_object_set_new(res, "cpu", c);
        if (nano > 0 && (period > 0 || quota > 0))
                return err_set(err, -EINVAL, "Conflicting options: Nano CPUs and CPU Period/Quota cannot both be set");
        if (nano < 0 || shares < 0 || period < 0)
                return err_set(err, -EINVAL, "invalid CPU setting: values must not be negative");
        if (nano > 0) {
                period = CPU_PERIOD_DEFAULT;
                quota = nano * CPU_PERIOD_DEFAULT / 1000000000LL;
                if (quota < 1000)
                        return err_set(err, -EINVAL, "Range of CPUs is from 0.01 to the number of CPUs available");
        }
        if (shares > 0)
                json_object_set_new(c, "shares", json_integer(shares));
        if (quota != 0)
                json_object_set_new(c, "quota", json_integer(quota));
        if (period > 0)
                json_object_set_new(c, "period", json_integer(period));
        const char *cpus = json_get_str(hc, "CpusetCpus", ""), *mems = json_get_str(hc, "CpusetMems", "");
        if (*cpus)
                json_object_set_new(c, "cpus", json_string(cpus));
        if (*mems)
                json_object_set_new(c, "mems", json_string(mems));
        return 0;
}

int spec_resources_from_host_config(const json_t *hc, json_t **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *res = json_object();
        int r = spec_resources_validate(hc, err);
        if (r < 0)
                return r;
        r = memory_resources(hc, res, err);
        if (r < 0 || (r = cpu_resources(hc, res, err)) < 0)
                return r;
        int64_t pids = json_get_int(hc, "PidsLimit", 0), weight = json_get_int(hc, "BlkioWeight", 0);
        if (pids > 0)
                json_object_set_new(res, "pids", json_pack("{s:I}", "limit", (json_int_t) pids));
        if (weight > 0) {
                if (weight < 10 || weight > 1000)
                        return err_set(err, -EINVAL, "Range of blkio weight is from 10 to 1000");
                if (blkio_weight_supported())
                        json_object_set_new(res, "blockIO", json_pack("{s:I}", "weight", (json_int_t) weight));
                else
                        log_warn("Your kernel does not support Block I/O weight; weight discarded");
        }
        *ret = TAKE_PTR(res);
        return 0;
}
