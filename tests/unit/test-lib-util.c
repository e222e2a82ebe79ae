/* Unit tests for lib/: sizes, timestamps, atomic files, string vectors, error mapping. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/err.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_parse_size(void **state)
{
        (void) state;
        int64_t v;
        assert_int_equal(parse_size("512", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(parse_size("32m", &v), 0);
        assert_int_equal(v, 32 * 1024 * 1024);
        assert_int_equal(parse_size("1.5k", &v), 0);
        assert_int_equal(v, 1536);
        assert_int_equal(parse_size("2GiB", &v), 0);
        assert_int_equal(v, 2LL << 30);
        assert_int_equal(parse_size("10x", &v), -EINVAL);
        assert_int_equal(parse_size("", &v), -EINVAL);
        assert_int_equal(parse_size("-1m", &v), -EINVAL);
}

static void test_timestamps(void **state)
{
        (void) state;
        struct timespec ts = { .tv_sec = 1795391422, .tv_nsec = 802493716 };
        char buf[64];
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "2026-11-22T23:50:22.802493716Z");
        struct timespec back;
        assert_int_equal(parse_timestamp(buf, &back), 0);
        assert_int_equal(back.tv_sec, ts.tv_sec);
        assert_int_equal(back.tv_nsec, ts.tv_nsec);
        assert_int_equal(parse_timestamp("1795391422.5", &back), 0);
        assert_int_equal(back.tv_sec, 1795391422);
        assert_int_equal(back.tv_nsec, 500000000);
        assert_int_equal(parse_timestamp("2026-11-22T23:50:22+01:00", &back), 0);
        assert_int_equal(back.tv_sec, 1795391422 - 3600);
        assert_int_equal(parse_timestamp("yesterday", &back), -EINVAL);
        assert_int_equal(parse_timestamp("2026-11-22T23:50:22-05:30", &back), 0);
        assert_int_equal(back.tv_sec, 1795391422 + 5 * 3600 + 30 * 60);
}

/* Found by fuzzing: unix seconds past year 9999 were kept, and formatting them read an
 * uninitialised buffer (gmtime_r failed, strftime wrote nothing). They are clamped to years
 * 1-9999 now (a client's "since=9223372036854775807" is the far future, not an error). */
static void test_timestamp_range(void **state)
{
        (void) state;
        struct timespec ts;
        char buf[64];
        assert_int_equal(parse_timestamp("1700000000100000000.5", &ts), 0);
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "9999-12-31T23:59:59.000000000Z");
        assert_int_equal(parse_timestamp("-1700000000100000000", &ts), 0);
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "0001-01-01T00:00:00.000000000Z");
        assert_int_equal(parse_timestamp("253402300800", &ts), 0);
        assert_int_equal(ts.tv_sec, 253402300799LL);
        assert_int_equal(parse_timestamp("253402300799", &ts), 0);
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "9999-12-31T23:59:59.000000000Z");
        assert_int_equal(parse_timestamp("0999-01-02T03:04:05Z", &ts), 0);
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "0999-01-02T03:04:05.000000000Z");
        ts = (struct timespec){ .tv_sec = 1700000000100000000LL, .tv_nsec = 5 };
        format_rfc3339nano(&ts, buf, sizeof(buf));
        assert_string_equal(buf, "0001-01-01T00:00:00.000000005Z");
}

/* Found by fuzzing (a log line dated 4052): timespec_to_ns overflowed int64 (UBSan) for any
 * time past 2262 that parse_timestamp accepts; it saturates now. */
static void test_timespec_to_ns(void **state)
{
        (void) state;
        struct timespec ts = { .tv_sec = 1795391422, .tv_nsec = 5 };
        assert_true(timespec_to_ns(&ts) == 1795391422000000005LL);
        assert_int_equal(parse_timestamp("4052-12-31T00:00:00Z", &ts), 0);
        assert_true(timespec_to_ns(&ts) == INT64_MAX);
        assert_int_equal(parse_timestamp("1000-01-01T00:00:00Z", &ts), 0);
        assert_true(timespec_to_ns(&ts) == INT64_MIN);
        ts = (struct timespec){ .tv_sec = 9223372036LL, .tv_nsec = 999999999 };
        assert_true(timespec_to_ns(&ts) == INT64_MAX);
}

/* A zone offset shorter than "+HH:MM" was accepted by reading past the end of the string (found
 * by fuzzing: "+02:0"). The zero bytes after each string make the old code accept it. */
static void test_parse_timestamp_short_offset(void **state)
{
        (void) state;
        static const char *const bad[] = { "2020-01-01T00:00:00+02:0",  "2020-01-01T00:00:00+2:30",
                                           "2020-01-01T00:00:00-1:5",   "2020-01-01T00:00:00+",
                                           "2020-01-01T00:00:00+-1:-5", "2020-01-01T00:00:00+24:00",
                                           "2020-01-01T00:00:00+02:60" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                char buf[64] = { 0 };
                snprintf(buf, sizeof(buf), "%s", bad[i]);
                struct timespec ts;
                if (parse_timestamp(buf, &ts) != -EINVAL)
                        fail_msg("accepted %s", bad[i]);
        }
}

static void test_atomic_write(void **state)
{
        (void) state;
        char dir[] = "/tmp/pouch-unit-XXXXXX";
        assert_non_null(mkdtemp(dir));
        _cleanup_free_ char *path = NULL;
        assert_true(asprintf(&path, "%s/a/b/state.json", dir) > 0);
        _cleanup_free_ char *parent = strndup(path, strrchr(path, '/') - path);
        assert_int_equal(mkdir_p(parent, 0700), 0);
        json_t *j = json_pack("{s:s,s:i}", "Id", "abc", "ExitCode", 3);
        assert_int_equal(json_write_file_atomic(path, j), 0);
        json_decref(j);
        json_t *back = NULL;
        assert_int_equal(json_read_file(path, &back, NULL, 0), 0);
        assert_string_equal(json_get_str(back, "Id", ""), "abc");
        assert_int_equal(json_get_int(back, "ExitCode", -1), 3);
        json_decref(back);
        struct stat st;
        assert_int_equal(stat(path, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        /* malformed JSON is reported, not crashed on */
        assert_int_equal(write_file_atomic(path, "{\"Id\":", 6, 0600), 0);
        char msg[128] = "";
        assert_int_equal(json_read_file(path, &back, msg, sizeof(msg)), -EINVAL);
        assert_non_null(strstr(msg, "state.json"));
        assert_int_equal(rm_rf(dir), 0);
        assert_int_equal(stat(dir, &st), -1);
}

static void test_strv_and_err(void **state)
{
        (void) state;
        _cleanup_strv_free_ char **v = strv_new();
        assert_int_equal(strv_push(&v, "a"), 0);
        assert_int_equal(strv_push(&v, "b"), 0);
        assert_int_equal(strv_length(v), 2);
        assert_true(strv_contains(v, "b"));
        assert_false(strv_contains(v, "c"));
        struct pouch_err e = { 0 };
        assert_int_equal(err_set(&e, ENOENT, "No such container: %s", "x"), -ENOENT);
        assert_int_equal(err_http_status(e.code), 404);
        assert_int_equal(err_wrap(&e, "start"), -ENOENT);
        assert_string_equal(e.msg, "start: No such container: x");
        assert_int_equal(err_http_status(-EEXIST), 409);
        assert_int_equal(err_http_status(-EINVAL), 400);
        assert_int_equal(err_http_status(-EIO), 500);
}

static void test_human(void **state)
{
        (void) state;
        char buf[64];
        format_human_duration(8, buf, sizeof(buf));
        assert_string_equal(buf, "8 seconds");
        format_human_duration(90, buf, sizeof(buf));
        assert_string_equal(buf, "About a minute");
        format_human_size(1234567, buf, sizeof(buf));
        assert_string_equal(buf, "1.235MB");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_parse_size),
                cmocka_unit_test(test_timestamps),
                cmocka_unit_test(test_parse_timestamp_short_offset),
                cmocka_unit_test(test_timestamp_range),
                cmocka_unit_test(test_timespec_to_ns),
                cmocka_unit_test(test_atomic_write),
                cmocka_unit_test(test_strv_and_err),
                cmocka_unit_test(test_human),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
