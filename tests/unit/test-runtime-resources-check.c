/* Unit tests for spec_resources_validate: the kernel's bounds of cgroup settings are a client's 400. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime-wrap/spec.h"

#include <jansson.h>
#include <string.h>

static int check(const char *hc_json, struct pouch_err *err)
{
        json_t *hc = json_loads(hc_json, 0, NULL);
        assert_non_null(hc);
        err_clear(err);
        int r = spec_resources_validate(hc, err);
        json_decref(hc);
        return r;
}

static void test_accepts(void **state)
{
        (void) state;
        static const char *const good[] = {
                "{}",
                "{\"CpuShares\":0,\"Memory\":0,\"BlkioWeight\":0,\"PidsLimit\":0}",
                "{\"CpuShares\":2}",
                "{\"CpuShares\":262144}",
                "{\"CpuPeriod\":1000,\"CpuQuota\":1000}",
                "{\"CpuPeriod\":1000000,\"CpuQuota\":-1}",
                "{\"CpusetCpus\":\"0\",\"CpusetMems\":\"0\"}",
                "{\"CpusetCpus\":\"0-0,0\"}",
                "{\"Memory\":67108864,\"MemorySwap\":-1,\"MemoryReservation\":1}",
                "{\"PidsLimit\":-1}",
                "{\"PidsLimit\":4194304}",
                "{\"BlkioWeight\":10}",
                "{\"BlkioWeight\":1000}",
        };
        struct pouch_err err;
        for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
                if (check(good[i], &err) != 0)
                        fail_msg("%s was refused: %s", good[i], err.msg);
}

static void test_refuses(void **state)
{
        (void) state;
        static const char *const bad[] = {
                "{\"CpuShares\":1}",         "{\"CpuShares\":262145}",
                "{\"CpuShares\":-2}",        "{\"CpuPeriod\":999}",
                "{\"CpuPeriod\":1000001}",   "{\"CpuQuota\":999}",
                "{\"CpuQuota\":-2}",         "{\"CpusetCpus\":\"garbage\"}",
                "{\"CpusetCpus\":\"0-\"}",   "{\"CpusetCpus\":\"1-0\"}",
                "{\"CpusetCpus\":\"0,,1\"}", "{\"CpusetCpus\":\"0,\"}",
                "{\"CpusetCpus\":\" 0\"}",   "{\"CpusetCpus\":\"-1\"}",
                "{\"CpusetCpus\":\"8192\"}", "{\"CpusetCpus\":\"99999999999999999999\"}",
                "{\"CpusetCpus\":\"8000\"}", "{\"CpusetMems\":\"x\"}",
                "{\"Memory\":-1}",           "{\"MemoryReservation\":-1}",
                "{\"MemorySwap\":-2}",       "{\"PidsLimit\":-2}",
                "{\"PidsLimit\":4194305}",   "{\"BlkioWeight\":9}",
                "{\"BlkioWeight\":1001}",    "{\"BlkioWeight\":-1}",
        };
        struct pouch_err err;
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int r = check(bad[i], &err);
                if (r != -EINVAL || err.code != -EINVAL || !err.msg[0])
                        fail_msg("%s: r=%d msg=%s", bad[i], r, err.msg);
        }
        assert_int_equal(check("{\"CpuShares\":1}", &err), -EINVAL);
        assert_non_null(strstr(err.msg, "262144"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_accepts),
                cmocka_unit_test(test_refuses),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
