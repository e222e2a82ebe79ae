/* Unit tests for time conversions fed by clients: timespec_to_ns saturation, since/until
 * arguments (timestamps, RFC 3339, Go durations). Run under UBSan by `make check-asan`. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/timearg.h"
#include "lib/util.h"

#include <errno.h>
#include <stdint.h>

#define NOW 1795391422000000000LL /* 2026-11-22T23:50:22Z */

static void test_timespec_to_ns_saturates(void **state)
{
        (void) state;
        struct timespec ts = { .tv_sec = 1795391422, .tv_nsec = 5 };
        assert_int_equal(timespec_to_ns(&ts), 1795391422000000005LL);
        ts = (struct timespec){ .tv_sec = INT64_MAX, .tv_nsec = 0 };
        assert_true(timespec_to_ns(&ts) == INT64_MAX);
        ts = (struct timespec){ .tv_sec = 9223372036, .tv_nsec = 999999999 };
        assert_true(timespec_to_ns(&ts) == INT64_MAX);
        ts = (struct timespec){ .tv_sec = 9223372036, .tv_nsec = 854775807 };
        assert_true(timespec_to_ns(&ts) == INT64_MAX);
        ts = (struct timespec){ .tv_sec = INT64_MIN, .tv_nsec = 0 };
        assert_true(timespec_to_ns(&ts) == INT64_MIN);
        ts = (struct timespec){ .tv_sec = -9223372037, .tv_nsec = 0 };
        assert_true(timespec_to_ns(&ts) == INT64_MIN);
}

static void test_time_arg_absolute(void **state)
{
        (void) state;
        int64_t v = 0;
        assert_int_equal(parse_time_arg("1795391422.5", NOW, &v), 0);
        assert_int_equal(v, 1795391422500000000LL);
        assert_int_equal(parse_time_arg("0", NOW, &v), 0);
        assert_int_equal(v, 0);
        assert_int_equal(parse_time_arg("2026-11-22T23:50:22.25Z", NOW, &v), 0);
        assert_int_equal(v, 1795391422250000000LL);
        assert_int_equal(parse_time_arg("2026-11-22T23:50:22-01:30", NOW, &v), 0);
        assert_int_equal(v, NOW + 5400 * 1000000000LL);
        /* the logs/events overflow: saturated, not wrapped */
        assert_int_equal(parse_time_arg("9223372036854775807", NOW, &v), 0);
        assert_true(v == INT64_MAX);
        assert_int_equal(parse_time_arg("-9223372036854775808.999", NOW, &v), 0);
        assert_true(v == INT64_MIN);
        assert_int_equal(parse_time_arg("9223372036.854775808", NOW, &v), 0);
        assert_true(v == INT64_MAX);
}

static void test_time_arg_duration(void **state)
{
        (void) state;
        int64_t v = 0;
        assert_int_equal(parse_time_arg("10m", NOW, &v), 0);
        assert_int_equal(v, NOW - 600 * 1000000000LL);
        assert_int_equal(parse_time_arg("1h30m", NOW, &v), 0);
        assert_int_equal(v, NOW - 5400 * 1000000000LL);
        assert_int_equal(parse_time_arg("1.5s", NOW, &v), 0);
        assert_int_equal(v, NOW - 1500000000LL);
        assert_int_equal(parse_time_arg("-2h", NOW, &v), 0);
        assert_int_equal(v, NOW + 7200 * 1000000000LL);
        assert_int_equal(parse_time_arg("300ms", NOW, &v), 0);
        assert_int_equal(v, NOW - 300000000LL);
        assert_int_equal(parse_time_arg("7us", NOW, &v), 0);
        assert_int_equal(v, NOW - 7000);
        assert_int_equal(parse_time_arg("0s", NOW, &v), 0);
        assert_int_equal(v, NOW);
        /* past the end of int64 nanoseconds: saturated */
        assert_int_equal(parse_time_arg("-2562047h", NOW, &v), 0);
        assert_true(v == INT64_MAX);
        int64_t d;
        assert_int_equal(parse_go_duration(".5m", &d), 0);
        assert_int_equal(d, 30 * 1000000000LL);
        assert_int_equal(parse_go_duration("1.000000000000000000001h", &d), 0);
        assert_int_equal(d, 3600 * 1000000000LL);
}

static void test_time_arg_rejects(void **state)
{
        (void) state;
        static const char *const bad[] = {
                "",
                "x",
                "yesterday",
                "12abc",
                "m",
                "10mm",
                "1h-5m",
                "--1h",
                "+",
                "-",
                ".s",
                "1e3s",
                "2020-13-45T00:00:00Z",
                "2020-01-01T00:00:00+1:0",
                "2020-01-01T00:00:00+01",
                "2020-01-01T00:00:00Zjunk",
                "1.",
                "9223372036854775808h",
                "99999999999999999999s",
                "2562048h",
                " 1h",
                "1h ",
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                int64_t v = 42;
                int r = parse_time_arg(bad[i], NOW, &v);
                if (r != -EINVAL || v != 42)
                        fail_msg("\"%s\" was accepted (r=%d v=%lld)", bad[i], r, (long long) v);
        }
        int64_t v = 42;
        assert_int_equal(parse_time_arg(NULL, NOW, &v), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_timespec_to_ns_saturates),
                cmocka_unit_test(test_time_arg_absolute),
                cmocka_unit_test(test_time_arg_duration),
                cmocka_unit_test(test_time_arg_rejects),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
