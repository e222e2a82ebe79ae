/* Unit tests for pouch-shim: json-file records, line splitting, rotation, stream framing,
 * exit records. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "runtime-wrap/shim/io-loop.h"
#include "runtime-wrap/shim/log-writer.h"
#include "runtime-wrap/shim/runtime-run.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"

#include <ctype.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define TS "2026-11-22T23:50:49.802493716Z"

static char *record(const char *data, size_t len)
{
        size_t need = log_record_size("stdout", data, len, TS);
        char *buf = malloc(need + 1);
        assert_non_null(buf);
        size_t n = log_format_record(buf, "stdout", data, len, TS);
        assert_int_equal(n, need);
        buf[n] = '\0';
        return buf;
}

/* Parse one record and return its "log" value (copied). Fails the test if it is not JSON. */
static char *record_log(const char *line, size_t *ret_len)
{
        json_error_t e;
        json_t *j = json_loads(line, 0, &e);
        if (!j)
                fail_msg("not valid JSON (%s): %s", e.text, line);
        const char *log = json_string_value(json_object_get(j, "log"));
        assert_non_null(log);
        size_t n = json_string_length(json_object_get(j, "log"));
        char *copy = malloc(n + 1);
        memcpy(copy, log, n + 1);
        if (ret_len)
                *ret_len = n;
        json_decref(j);
        return copy;
}

static void test_simple_record(void **state)
{
        (void) state;
        _cleanup_free_ char *r = record("hi\n", 3);
        assert_string_equal(r, "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"" TS "\"}\n");
}

static void test_escaping(void **state)
{
        (void) state;
        const char in[] = "say \"x\"\\ \t\r\x01\x1f\x7f end\n";
        _cleanup_free_ char *r = record(in, sizeof(in) - 1);
        assert_non_null(strstr(r, "say \\\"x\\\"\\\\ \\t\\r\\u0001\\u001f\\u007f end\\n"));
        assert_int_equal(strchr(r, '\n') - r, (long) strlen(r) - 1); /* one line */
        size_t n;
        _cleanup_free_ char *log = record_log(r, &n);
        assert_int_equal(n, sizeof(in) - 1);
        assert_memory_equal(log, in, n);
}

static void test_invalid_utf8(void **state)
{
        (void) state;
        /* stray byte, truncated sequence, overlong '/', a surrogate, then valid é and € */
        const char in[] = "a\xff"
                          "b\xc3"
                          "c\xc0\xaf"
                          "d\xed\xa0\x80"
                          "\xc3\xa9\xe2\x82\xac";
        _cleanup_free_ char *r = record(in, sizeof(in) - 1);
        _cleanup_free_ char *log = record_log(r, NULL);
        assert_string_equal(log, "a\xef\xbf\xbd"
                                 "b\xef\xbf\xbd"
                                 "c\xef\xbf\xbd\xef\xbf\xbd"
                                 "d\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"
                                 "\xc3\xa9\xe2\x82\xac");
        /* a NUL byte is escaped, not a terminator */
        _cleanup_free_ char *r2 = record("x\0y", 3);
        assert_non_null(strstr(r2, "x\\u0000y"));
}

struct tmp {
        char dir[64];
        char path[128];
};

static int setup(void **state)
{
        struct tmp *t = calloc(1, sizeof(*t));
        strcpy(t->dir, "/tmp/pouch-shim-unit-XXXXXX");
        if (!mkdtemp(t->dir))
                return -1;
        snprintf(t->path, sizeof(t->path), "%s/c-json.log", t->dir);
        *state = t;
        return 0;
}

static int teardown(void **state)
{
        struct tmp *t = *state;
        rm_rf(t->dir);
        free(t);
        return 0;
}

/* Lines of a file, each checked to be a record with a well-formed timestamp. */
static int read_records(const char *path, char ***ret_logs, size_t *ret_n)
{
        _cleanup_free_ char *text = NULL;
        int r = read_file(path, 1 << 24, &text, NULL);
        if (r < 0)
                return r;
        char **logs = NULL;
        size_t n = 0;
        char *save = NULL;
        for (char *ln = strtok_r(text, "\n", &save); ln; ln = strtok_r(NULL, "\n", &save)) {
                json_t *j = json_loads(ln, 0, NULL);
                assert_non_null(j);
                const char *ts = json_string_value(json_object_get(j, "time"));
                assert_non_null(ts);
                assert_int_equal(strlen(ts), 30);
                for (int i = 0; i < 30; i++) {
                        char c = ts[i];
                        const char *shape = "dddd-dd-ddTdd:dd:dd.dddddddddZ";
                        if (shape[i] == 'd')
                                assert_true(isdigit((unsigned char) c));
                        else
                                assert_int_equal(c, shape[i]);
                }
                logs = realloc(logs, (n + 1) * sizeof(char *));
                logs[n++] = strdup(json_string_value(json_object_get(j, "log")));
                json_decref(j);
        }
        *ret_logs = logs;
        *ret_n = n;
        return 0;
}

static void free_logs(char **logs, size_t n)
{
        for (size_t i = 0; i < n; i++)
                free(logs[i]);
        free(logs);
}

static void test_lines_and_splitting(void **state)
{
        struct tmp *t = *state;
        struct log_writer w;
        assert_int_equal(log_writer_open(&w, t->path, 0, 1), 0);
        assert_int_equal(log_writer_write(&w, "stdout", "one\ntwo\nthr", 11), 0);
        char *big = malloc(40000);
        memset(big, 'x', 40000);
        big[39999] = '\n';
        assert_int_equal(log_writer_write(&w, "stderr", big, 40000), 0);
        /* a 2-byte character straddling the 16 KiB cut moves whole into the next record */
        memset(big, 'a', LOG_CHUNK - 1);
        memcpy(big + LOG_CHUNK - 1, "\xc3\xa9\n", 3);
        assert_int_equal(log_writer_write(&w, "stdout", big, LOG_CHUNK + 2), 0);
        log_writer_close(&w);

        char **logs;
        size_t n;
        assert_int_equal(read_records(t->path, &logs, &n), 0);
        assert_int_equal(n, 8);
        assert_string_equal(logs[0], "one\n");
        assert_string_equal(logs[1], "two\n");
        assert_string_equal(logs[2], "thr");
        assert_int_equal(strlen(logs[3]), LOG_CHUNK);
        assert_int_equal(strlen(logs[4]), LOG_CHUNK);
        assert_int_equal(strlen(logs[5]), 40000 - 2 * LOG_CHUNK);
        assert_int_equal(logs[5][40000 - 2 * LOG_CHUNK - 1], '\n');
        assert_int_equal(strlen(logs[6]), LOG_CHUNK - 1);
        assert_string_equal(logs[7], "\xc3\xa9\n");
        free_logs(logs, n);
        free(big);
}

static int64_t file_size(const char *path)
{
        struct stat st;
        return stat(path, &st) == 0 ? st.st_size : -1;
}

static void test_rotate_truncate(void **state)
{
        struct tmp *t = *state;
        struct log_writer w;
        assert_int_equal(log_writer_open(&w, t->path, 300, 1), 0);
        char line[32];
        for (int i = 0; i < 20; i++) {
                int len = snprintf(line, sizeof(line), "line %02d\n", i);
                assert_int_equal(log_writer_write(&w, "stdout", line, (size_t) len), 0);
                assert_true(file_size(t->path) <= 300);
        }
        log_writer_close(&w);
        char other[160];
        snprintf(other, sizeof(other), "%s.1", t->path);
        assert_int_equal(access(other, F_OK), -1);
        char **logs;
        size_t n;
        assert_int_equal(read_records(t->path, &logs, &n), 0);
        assert_true(n >= 1 && n <= 3);
        assert_string_equal(logs[n - 1], "line 19\n");
        free_logs(logs, n);
}

static void test_rotate_files(void **state)
{
        struct tmp *t = *state;
        struct log_writer w;
        /* each record is ~80 bytes: 2 fit in 200 */
        assert_int_equal(log_writer_open(&w, t->path, 200, 3), 0);
        char line[32];
        for (int i = 0; i < 10; i++) {
                int len = snprintf(line, sizeof(line), "line %02d\n", i);
                assert_int_equal(log_writer_write(&w, "stdout", line, (size_t) len), 0);
        }
        log_writer_close(&w);
        char p1[160], p2[160], p3[160];
        snprintf(p1, sizeof(p1), "%s.1", t->path);
        snprintf(p2, sizeof(p2), "%s.2", t->path);
        snprintf(p3, sizeof(p3), "%s.3", t->path);
        assert_int_equal(access(p3, F_OK), -1);
        const char *files[] = { p2, p1, t->path };
        int expect = 4; /* 10 lines, 2 per file, 3 files: lines 04..09 survive */
        for (int f = 0; f < 3; f++) {
                assert_true(file_size(files[f]) <= 200);
                char **logs;
                size_t n;
                assert_int_equal(read_records(files[f], &logs, &n), 0);
                assert_int_equal(n, 2);
                for (size_t i = 0; i < n; i++) {
                        snprintf(line, sizeof(line), "line %02d\n", expect++);
                        assert_string_equal(logs[i], line);
                }
                free_logs(logs, n);
        }
        /* reopening appends and keeps counting the existing size */
        assert_int_equal(log_writer_open(&w, t->path, 200, 3), 0);
        assert_int_equal(w.size, file_size(t->path));
        log_writer_close(&w);
}

static void test_frame_header(void **state)
{
        (void) state;
        unsigned char h[8];
        frame_header(h, 1, 0x01020304);
        assert_memory_equal(h, ((unsigned char[]){ 1, 0, 0, 0, 1, 2, 3, 4 }), 8);
        frame_header(h, 2, 5);
        assert_memory_equal(h, ((unsigned char[]){ 2, 0, 0, 0, 0, 0, 0, 5 }), 8);
        frame_header(h, 1, 70000);
        assert_memory_equal(h, ((unsigned char[]){ 1, 0, 0, 0, 0, 1, 0x11, 0x70 }), 8);
}

static void test_exit_record(void **state)
{
        (void) state;
        struct timespec ts = { .tv_sec = 1795391449, .tv_nsec = 802493716 };
        char buf[160];
        /* raw wait statuses: killed by SIGKILL; exited with 3 */
        assert_true(exit_status_format(9, &ts, false, buf, sizeof(buf)) > 0);
        assert_string_equal(buf, "{\"ExitCode\":137,\"FinishedAt\":\"" TS "\",\"Signal\":9,\"OOMKilled\":false}\n");
        assert_true(exit_status_format(3 << 8, &ts, true, buf, sizeof(buf)) > 0);
        assert_string_equal(buf, "{\"ExitCode\":3,\"FinishedAt\":\"" TS "\",\"Signal\":0,\"OOMKilled\":true}\n");
        assert_int_equal(exit_code_of(15), 143);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_simple_record),
                cmocka_unit_test(test_escaping),
                cmocka_unit_test(test_invalid_utf8),
                cmocka_unit_test_setup_teardown(test_lines_and_splitting, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotate_truncate, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rotate_files, setup, teardown),
                cmocka_unit_test(test_frame_header),
                cmocka_unit_test(test_exit_record),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
