/* Unit tests for pouch-init's restart back-off arithmetic. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/backoff.h"

static void test_doubling_and_cap(void **state)
{
        (void) state;
        struct backoff b;
        backoff_init(&b, 100);
        const int64_t expected[] = { 100, 200, 400, 800, 1600, 3200, 6400, 12800, 25600, 30000, 30000, 30000 };
        for (size_t i = 0; i < sizeof(expected) / sizeof(expected[0]); i++)
                assert_int_equal(backoff_next(&b, 50), expected[i]);
        /* a run of 10 s resets it */
        assert_int_equal(backoff_next(&b, BACKOFF_QUICK_RUN_MS), 100);
        assert_int_equal(backoff_next(&b, 9999), 100);
        assert_int_equal(backoff_next(&b, 0), 200);
        assert_int_equal(backoff_next(&b, 60000), 100);
}

static void test_restart_sec(void **state)
{
        (void) state;
        struct backoff b;
        backoff_init(&b, 2000);
        assert_int_equal(backoff_next(&b, 0), 2000);
        assert_int_equal(backoff_next(&b, 0), 4000);
        assert_int_equal(backoff_next(&b, 0), 8000);
        assert_int_equal(backoff_next(&b, 0), 16000);
        assert_int_equal(backoff_next(&b, 0), 30000);
        /* a RestartSec above the cap is used as it is */
        backoff_init(&b, 60000);
        assert_int_equal(backoff_next(&b, 0), 60000);
        assert_int_equal(backoff_next(&b, 0), 60000);
        assert_int_equal(backoff_next(&b, 20000), 60000);
        /* RestartSec=0: at once the first time, then from 100 ms */
        backoff_init(&b, 0);
        assert_int_equal(backoff_next(&b, 0), 0);
        assert_int_equal(backoff_next(&b, 0), 100);
        assert_int_equal(backoff_next(&b, 0), 200);
        assert_int_equal(backoff_next(&b, 10000), 0);
}

static void test_many_failures_do_not_overflow(void **state)
{
        (void) state;
        struct backoff b;
        backoff_init(&b, 100);
        for (int i = 0; i < 1000; i++)
                assert_true(backoff_next(&b, 1) <= BACKOFF_MAX_MS);
        assert_int_equal(backoff_next(&b, 1), BACKOFF_MAX_MS);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_doubling_and_cap),
                cmocka_unit_test(test_restart_sec),
                cmocka_unit_test(test_many_failures_do_not_overflow),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
