/* The CPUs of a rich container, as a VM's vCPUs: with a CPU quota (--cpus N, or --cpu-quota and
 * --cpu-period) and no cpuset of its own, the container is confined to ceil(N) of the CPUs the
 * daemon may use, so that nproc, sched_getaffinity(2) and the runtimes that size their thread
 * pools from them (Go, Java, OpenMP, nginx's worker_processes auto) see N CPUs, as in a VM with N
 * vCPUs; lxcfs cannot change what sched_getaffinity answers. The CPUs are chosen from the
 * container's id, so containers spread over the host. --cpuset-cpus picks them instead (and
 * --cpuset-cpus with every CPU keeps the quota alone). */
#pragma once

#include <jansson.h>
#include <sched.h>
#include <stddef.h>
#include <stdint.h>

/* The cpuset ("1" or "0,3") for a quota over period among the allowed CPUs, starting from the
 * seed-th allowed CPU (modulo their number): 0 with buf filled, 1 when no cpuset is needed (no
 * quota, or it covers every allowed CPU), -ENOBUFS when buf is too small. */
int rich_cpuset_for_quota(int64_t quota, int64_t period, const cpu_set_t *allowed, uint64_t seed, char *buf,
                          size_t len);

/* Set spec.linux.resources.cpu.cpus for the quota when the spec has none (allowed: the daemon's
 * affinity); id seeds the choice. 0, or -errno. */
int rich_apply_cpuset(json_t *spec, const char *id);
