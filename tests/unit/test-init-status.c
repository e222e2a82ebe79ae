/* Unit tests for pouch-init's status.json (escaping, UTF-8 repair, shape, atomic write), the
 * initscript output tail and the "[NAME] " line prefixer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "pouch-init/initscript.h"
#include "pouch-init/output.h"
#include "pouch-init/status.h"
#include "pouch-init/util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void expect_json(const char *s, size_t len, const char *expected)
{
        _cleanup_buf_ struct buf b = { 0 };
        assert_int_equal(json_append_string(&b, s, len), 0);
        if (strcmp(buf_str(&b), expected) != 0)
                fail_msg("escaped to %s, expected %s", buf_str(&b), expected);
}

static void test_escaping(void **state)
{
        (void) state;
        expect_json("plain", 5, "\"plain\"");
        expect_json("", 0, "\"\"");
        expect_json("q\"b\\s/", 6, "\"q\\\"b\\\\s/\"");
        expect_json("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
        expect_json("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\x7f\"");
        /* valid UTF-8 is kept as it is */
        expect_json("h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 12, "\"h\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80\"");
        /* NUL and invalid bytes become U+FFFD */
        expect_json("a\0b", 3, "\"a\\ufffdb\"");
        expect_json("\xff\xfe", 2, "\"\\ufffd\\ufffd\"");
        expect_json("\xc3", 1, "\"\\ufffd\"");                       /* truncated (a tail cut in the middle) */
        expect_json("\xc3(", 2, "\"\\ufffd(\"");                     /* bad continuation */
        expect_json("\xc0\xaf", 2, "\"\\ufffd\\ufffd\"");            /* overlong */
        expect_json("\xed\xa0\x80", 3, "\"\\ufffd\\ufffd\\ufffd\""); /* surrogate */
        expect_json("\xf4\x90\x80\x80", 4, "\"\\ufffd\\ufffd\\ufffd\\ufffd\""); /* above U+10FFFF */
        expect_json("\x80x", 2, "\"\\ufffdx\"");
}

static void test_render(void **state)
{
        (void) state;
        const struct status_service svcs[] = {
                { .name = "sshd", .state = "running", .pid = 17, .source = "builtin" },
                { .name = "we\"b",
                  .state = "failed",
                  .restarts = 3,
                  .has_last_exit = true,
                  .last_exit = 1,
                  .error = "web.service:2: bad\nthing",
                  .source = "services.d",
                  .warnings = (char *const[]){ "w1", "w\"2" },
                  .n_warnings = 2 },
                { .name = "getty@tty1", .state = "skipped", .source = "systemd", .reason = "no consoles" },
        };
        struct status_doc d = {
                .phase = "running",
                .pid = 1,
                .has_initscript = true,
                .initscript_path = "/x.sh",
                .initscript_done = true,
                .initscript_exit = 0,
                .initscript_output = "ok\n",
                .initscript_output_len = 3,
                .has_main = true,
                .main_pid = 42,
                .main_running = true,
                .services = svcs,
                .n_services = 3,
        };
        _cleanup_buf_ struct buf b = { 0 };
        assert_int_equal(status_render(&d, &b), 0);
        assert_string_equal(
                buf_str(&b),
                "{\"phase\":\"running\",\"pid\":1,"
                "\"initscript\":{\"path\":\"/x.sh\",\"exitCode\":0,\"output\":\"ok\\n\"},"
                "\"main\":{\"pid\":42,\"running\":true,\"exitCode\":null},"
                "\"services\":[{\"name\":\"sshd\",\"state\":\"running\",\"pid\":17,\"restarts\":0,"
                "\"lastExitCode\":null,\"error\":null,\"source\":\"builtin\",\"reason\":null,\"warnings\":[]},"
                "{\"name\":\"we\\\"b\",\"state\":\"failed\",\"pid\":null,\"restarts\":3,"
                "\"lastExitCode\":1,\"error\":\"web.service:2: bad\\nthing\",\"source\":\"services.d\","
                "\"reason\":null,\"warnings\":[\"w1\",\"w\\\"2\"]},"
                "{\"name\":\"getty@tty1\",\"state\":\"skipped\",\"pid\":null,\"restarts\":0,"
                "\"lastExitCode\":null,\"error\":null,\"source\":\"systemd\",\"reason\":\"no consoles\","
                "\"warnings\":[]}]}\n");

        /* no initscript: no key; no command: main is null; an initscript still running */
        struct status_doc e = { .phase = "starting", .pid = 7 };
        buf_free(&b);
        assert_int_equal(status_render(&e, &b), 0);
        assert_string_equal(buf_str(&b), "{\"phase\":\"starting\",\"pid\":7,\"main\":null,\"services\":[]}\n");
        struct status_doc f = { .phase = "initscript", .pid = 1, .has_initscript = true, .initscript_path = "/i" };
        buf_free(&b);
        assert_int_equal(status_render(&f, &b), 0);
        assert_string_equal(buf_str(&b), "{\"phase\":\"initscript\",\"pid\":1,\"initscript\":{\"path\":\"/i\","
                                         "\"exitCode\":null,\"output\":\"\"},\"main\":null,\"services\":[]}\n");
        struct status_doc g = { .phase = "exited", .pid = 1, .has_main = true, .main_done = true, .main_exit = 143 };
        buf_free(&b);
        assert_int_equal(status_render(&g, &b), 0);
        assert_string_equal(
                buf_str(&b),
                "{\"phase\":\"exited\",\"pid\":1,\"main\":{\"pid\":null,\"running\":false,\"exitCode\":143},"
                "\"services\":[]}\n");
}

static void test_write(void **state)
{
        (void) state;
        char dir[] = "/tmp/pouch-init-status-XXXXXX";
        assert_non_null(mkdtemp(dir));
        struct status_doc d = { .phase = "failed", .pid = 1 };
        assert_int_equal(status_write(dir, &d), 0);
        char path[256];
        snprintf(path, sizeof(path), "%s/status.json", dir);
        _cleanup_free_ char *text = NULL;
        assert_int_equal(read_file(path, 4096, &text, NULL), 0);
        assert_string_equal(text, "{\"phase\":\"failed\",\"pid\":1,\"main\":null,\"services\":[]}\n");
        snprintf(path, sizeof(path), "%s/status.json.tmp", dir);
        assert_int_equal(access(path, F_OK), -1);
        snprintf(path, sizeof(path), "%s/status.json", dir);
        unlink(path);
        rmdir(dir);
        assert_true(status_write(dir, &d) < 0);
}

static void test_tail(void **state)
{
        (void) state;
        struct tail_buf *t = calloc(1, sizeof(*t));
        tail_append(t, "abc", 3);
        assert_int_equal(t->len, 3);
        assert_memory_equal(t->data, "abc", 3);
        char big[INITSCRIPT_TAIL + 100];
        for (size_t i = 0; i < sizeof(big); i++)
                big[i] = (char) ('a' + i % 26);
        tail_append(t, big, 2000);
        tail_append(t, big + 2000, sizeof(big) - 2000);
        assert_int_equal(t->len, INITSCRIPT_TAIL);
        assert_memory_equal(t->data, big + 100, INITSCRIPT_TAIL);
        tail_append(t, "XY", 2);
        assert_int_equal(t->len, INITSCRIPT_TAIL);
        assert_memory_equal(t->data + INITSCRIPT_TAIL - 2, "XY", 2);
        assert_memory_equal(t->data, big + 102, INITSCRIPT_TAIL - 2);
        /* one chunk larger than the tail */
        tail_append(t, big, sizeof(big));
        assert_memory_equal(t->data, big + 100, INITSCRIPT_TAIL);
        free(t);
}

/* Everything written to a pipe by fn. */
static char *capture(void (*fn)(int fd))
{
        int p[2];
        assert_int_equal(pipe(p), 0);
        fcntl(p[0], F_SETPIPE_SZ, 1 << 20);
        fn(p[1]);
        close(p[1]);
        char *out = calloc(1, 1 << 20);
        size_t len = 0;
        ssize_t n;
        while ((n = read(p[0], out + len, (1 << 20) - 1 - len)) > 0)
                len += (size_t) n;
        close(p[0]);
        return out;
}

static void prefix_lines(int fd)
{
        struct line_prefixer lp;
        assert_int_equal(line_prefixer_init(&lp, "web"), 0);
        line_prefixer_feed(&lp, fd, "one\ntw", 6);
        line_prefixer_feed(&lp, fd, "o\n\nthr", 6);
        line_prefixer_feed(&lp, fd, "ee", 2);
        line_prefixer_flush(&lp, fd);
        line_prefixer_flush(&lp, fd);
        line_prefixer_free(&lp);
}

static void prefix_long(int fd)
{
        struct line_prefixer lp;
        assert_int_equal(line_prefixer_init(&lp, "x"), 0);
        char big[OUTPUT_LINE_MAX + 10];
        memset(big, 'a', sizeof(big));
        line_prefixer_feed(&lp, fd, big, OUTPUT_LINE_MAX); /* exactly full: flushed */
        line_prefixer_feed(&lp, fd, "tail\n", 5);
        memset(big, 'b', OUTPUT_LINE_MAX);
        big[OUTPUT_LINE_MAX] = '\n';
        line_prefixer_feed(&lp, fd, big, OUTPUT_LINE_MAX + 1); /* full and its newline: one line */
        line_prefixer_feed(&lp, fd, "end\n", 4);
        line_prefixer_free(&lp);
}

static void test_prefixer(void **state)
{
        (void) state;
        _cleanup_free_ char *out = capture(prefix_lines);
        assert_string_equal(out, "[web] one\n[web] two\n[web] \n[web] three\n");
        free(out);
        out = capture(prefix_long);
        size_t len = strlen(out);
        assert_int_equal(len, 4 + OUTPUT_LINE_MAX + 1 + 4 + 5 + 4 + OUTPUT_LINE_MAX + 1 + 4 + 4);
        assert_memory_equal(out, "[x] aaaa", 8);
        assert_memory_equal(out + 4 + OUTPUT_LINE_MAX, "\n[x] tail\n[x] bbbb", 18);
        assert_string_equal(out + len - 9, "\n[x] end\n");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_escaping), cmocka_unit_test(test_render),   cmocka_unit_test(test_write),
                cmocka_unit_test(test_tail),     cmocka_unit_test(test_prefixer),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
