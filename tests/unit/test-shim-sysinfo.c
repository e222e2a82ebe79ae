/* Unit tests for the struct sysinfo a rich container sees (cgroup values -> sysinfo). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime-wrap/shim/sysinfo-cgroup.h"
#include "runtime-wrap/shim/sysinfo-compute.h"

#include "lib/fsutil.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MiB (UINT64_C(1) << 20)
#define GiB (UINT64_C(1) << 30)
/* what cgroup v1 reports as memory.limit_in_bytes when no limit is set (x86_64) */
#define V1_UNLIMITED UINT64_C(0x7ffffffffffff000)

static struct sysinfo host(void)
{
        struct sysinfo h;
        memset(&h, 0, sizeof(h));
        h.uptime = 100000;
        h.loads[0] = 12345;
        h.totalram = 24 * GiB;
        h.freeram = 20 * GiB;
        h.sharedram = 10 * MiB;
        h.bufferram = 300 * MiB;
        h.totalswap = 2 * GiB;
        h.freeswap = 2 * GiB - 100 * MiB;
        h.procs = 900;
        h.mem_unit = 1;
        return h;
}

static struct cg_sysinfo no_cgroup(void)
{
        return (struct cg_sysinfo){ .mem_limit = UINT64_MAX, .swap_limit = UINT64_MAX, .tasks = -1, .start_s = -1 };
}

static void test_limit_v1(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = 256 * MiB;
        cg.mem_usage = 56 * MiB;
        cg.shmem = 4 * MiB;
        cg.start_s = 99940;
        cg.tasks = 7;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.mem_unit, 1);
        assert_int_equal(s.totalram, 256 * MiB);
        assert_int_equal(s.freeram, 200 * MiB);
        assert_int_equal(s.sharedram, 4 * MiB);
        assert_int_equal(s.bufferram, 0);
        assert_int_equal(s.uptime, 60);
        assert_int_equal(s.procs, 7);
        assert_int_equal(s.loads[0], 12345); /* the host's */
        /* no swap accounting: the host's swap */
        assert_int_equal(s.totalswap, 2 * GiB);
        assert_int_equal(s.freeswap, 2 * GiB - 100 * MiB);
}

static void test_v1_unlimited_is_host(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = V1_UNLIMITED;
        cg.mem_usage = 56 * MiB;
        cg.has_swap = true;
        cg.memsw_combined = true;
        cg.swap_limit = V1_UNLIMITED;
        cg.swap_usage = 60 * MiB;
        cg.start_s = 99000;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalram, h.totalram);
        assert_int_equal(s.freeram, h.freeram);
        assert_int_equal(s.bufferram, h.bufferram);
        assert_int_equal(s.totalswap, h.totalswap);
        assert_int_equal(s.freeswap, h.freeswap);
        assert_int_equal(s.procs, h.procs); /* tasks unknown */
        assert_int_equal(s.uptime, 1000);   /* the uptime is still the container's */
}

static void test_limit_above_host_ram_is_host(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = 64 * GiB;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalram, h.totalram);
        assert_int_equal(s.freeram, h.freeram);
        assert_int_equal(s.uptime, h.uptime); /* start unknown */
}

static void test_usage_over_limit_and_mem_unit(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        /* the host counts in 4 KiB units; the result is in bytes */
        h.mem_unit = 4096;
        h.totalram = 24 * GiB / 4096;
        h.totalswap = 2 * GiB / 4096;
        h.freeswap = 2 * GiB / 4096;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = 128 * MiB;
        cg.mem_usage = 130 * MiB;
        cg.shmem = 200 * MiB;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.mem_unit, 1);
        assert_int_equal(s.totalram, 128 * MiB);
        assert_int_equal(s.freeram, 0);
        assert_int_equal(s.sharedram, 128 * MiB);
        assert_int_equal(s.totalswap, 2 * GiB);
}

static void test_memsw_v1(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = 256 * MiB;
        cg.mem_usage = 250 * MiB;
        cg.has_swap = true;
        cg.memsw_combined = true;
        cg.swap_limit = 512 * MiB; /* memory + swap */
        cg.swap_usage = 290 * MiB; /* 40 MiB swapped out */
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalswap, 256 * MiB);
        assert_int_equal(s.freeswap, 216 * MiB);
        /* a swap limit beyond the host's swap shows the host's */
        cg.swap_limit = 8 * GiB;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalswap, 2 * GiB);
        assert_int_equal(s.freeswap, 2 * GiB - 40 * MiB);
        /* --memory-swap equal to --memory: no swap */
        cg.swap_limit = 256 * MiB;
        cg.swap_usage = 250 * MiB;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalswap, 0);
        assert_int_equal(s.freeswap, 0);
}

static void test_swap_v2(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        h.totalswap = 0;
        h.freeswap = 0;
        struct cg_sysinfo cg = no_cgroup();
        cg.mem_limit = 256 * MiB;
        cg.has_swap = true;
        cg.swap_limit = 256 * MiB;
        cg.swap_usage = 0;
        sysinfo_for_container(&h, &cg, &s);
        /* no swap on the host: none in the container either */
        assert_int_equal(s.totalswap, 0);
        assert_int_equal(s.freeswap, 0);
        h = host();
        cg.swap_usage = 16 * MiB;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalswap, 256 * MiB);
        assert_int_equal(s.freeswap, 240 * MiB);
        /* "max": the host's swap, the container's usage */
        cg.swap_limit = UINT64_MAX;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.totalswap, 2 * GiB);
        assert_int_equal(s.freeswap, 2 * GiB - 16 * MiB);
}

static void test_uptime_and_procs_edges(void **state)
{
        (void) state;
        struct sysinfo h = host(), s;
        struct cg_sysinfo cg = no_cgroup();
        cg.start_s = h.uptime + 5; /* clock skew between the two reads: keep the host's */
        cg.tasks = 100000;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.uptime, h.uptime);
        assert_int_equal(s.procs, 0xffff);
        cg.start_s = h.uptime;
        sysinfo_for_container(&h, &cg, &s);
        assert_int_equal(s.uptime, 0);
}

static void put(const char *dir, const char *name, const char *content)
{
        char path[256];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        assert_int_equal(write_file_atomic(path, content, strlen(content), 0644), 0);
}

/* The files of a fake cgroup directory, read as the shim reads the container's. */
static void test_read_cgroup_files(void **state)
{
        (void) state;
        char dir[] = "/tmp/pouch-sysinfo-test.XXXXXX";
        assert_non_null(mkdtemp(dir));
        int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        assert_true(fd >= 0);
        struct cg_dirs d = { .mem_fd = fd, .pids_fd = fd, .v2 = false, .start_s = 42 };
        struct cg_sysinfo cg;
        /* nothing there: all unknown */
        cg_sysinfo_read(&d, &cg);
        assert_true(cg.mem_limit == UINT64_MAX);
        assert_false(cg.has_swap);
        assert_int_equal(cg.tasks, -1);
        assert_int_equal(cg.start_s, 42);
        /* v1 */
        put(dir, "memory.limit_in_bytes", "268435456\n");
        put(dir, "memory.usage_in_bytes", "1048576\n");
        put(dir, "memory.stat", "cache 4096\nshmem 1\nmapped_file 0\ntotal_cache 8192\ntotal_shmem 12288\n");
        put(dir, "memory.memsw.limit_in_bytes", "9223372036854771712\n");
        put(dir, "memory.memsw.usage_in_bytes", "2097152\n");
        put(dir, "pids.current", "3\n");
        cg_sysinfo_read(&d, &cg);
        assert_true(cg.mem_limit == 256 * MiB);
        assert_true(cg.mem_usage == MiB);
        assert_true(cg.shmem == 12288); /* total_shmem, not shmem */
        assert_true(cg.has_swap && cg.memsw_combined);
        assert_true(cg.swap_limit == UINT64_C(9223372036854771712));
        assert_true(cg.swap_usage == 2 * MiB);
        assert_int_equal(cg.tasks, 3);
        /* v2: "max", shmem, swap apart from memory */
        d.v2 = true;
        put(dir, "memory.max", "max\n");
        put(dir, "memory.current", "5\n");
        put(dir, "memory.stat", "anon 1\nfile 2\nshmem 77\n");
        put(dir, "memory.swap.max", "134217728\n");
        put(dir, "memory.swap.current", "0\n");
        cg_sysinfo_read(&d, &cg);
        assert_true(cg.mem_limit == UINT64_MAX);
        assert_true(cg.shmem == 77);
        assert_true(cg.has_swap && !cg.memsw_combined);
        assert_true(cg.swap_limit == 128 * MiB);
        /* garbage in a limit: unknown, not zero */
        put(dir, "memory.max", "lots\n");
        cg_sysinfo_read(&d, &cg);
        assert_true(cg.mem_limit == UINT64_MAX);
        close(fd);
        assert_int_equal(rm_rf(dir), 0);
}

/* The init's cgroups and start time from /proc: this test's own process stands in for it. */
static void test_open_own_cgroups(void **state)
{
        (void) state;
        struct cg_dirs d;
        cg_dirs_open(getpid(), &d);
        struct sysinfo host;
        assert_int_equal(sysinfo(&host), 0);
        assert_true(d.start_s >= 0 && d.start_s <= host.uptime);
        struct cg_sysinfo cg;
        cg_sysinfo_read(&d, &cg);
        if (d.mem_fd >= 0)
                assert_true(cg.mem_usage > 0);
        cg_dirs_close(&d);
        assert_int_equal(d.mem_fd, -1);
        /* a pid that does not exist: nothing found, nothing fails */
        cg_dirs_open(0x3ffffff, &d);
        assert_int_equal(d.mem_fd, -1);
        assert_int_equal(d.start_s, -1);
        cg_dirs_close(&d);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_limit_v1),
                cmocka_unit_test(test_v1_unlimited_is_host),
                cmocka_unit_test(test_limit_above_host_ram_is_host),
                cmocka_unit_test(test_usage_over_limit_and_mem_unit),
                cmocka_unit_test(test_memsw_v1),
                cmocka_unit_test(test_swap_v2),
                cmocka_unit_test(test_uptime_and_procs_edges),
                cmocka_unit_test(test_read_cgroup_files),
                cmocka_unit_test(test_open_own_cgroups),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
