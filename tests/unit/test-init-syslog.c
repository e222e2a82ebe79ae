/* Unit tests for pouch-init's /dev/log messages: parsing what syslog() and logger send, and the
 * line written to the container's log. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/syslog-parse.h"
#include "pouch-init/syslog-sink.h"

#include <stdlib.h>
#include <string.h>

static char *line_of(const char *msg, size_t len)
{
        struct syslog_msg m;
        syslog_parse(msg, len, &m);
        struct buf b = { 0 };
        assert_int_equal(syslog_format_line(&b, &m), 0);
        return buf_steal(&b);
}

#define LINE_IS(msg, expected)                              \
        do {                                                \
                char *l_ = line_of((msg), sizeof(msg) - 1); \
                assert_string_equal(l_, (expected));        \
                free(l_);                                   \
        } while (0)

static void test_rfc3164(void **state)
{
        (void) state;
        struct syslog_msg m;
        const char msg[] = "<13>Dec  6 04:10:00 root[123]: hello world";
        syslog_parse(msg, sizeof(msg) - 1, &m);
        assert_int_equal(m.pri, 13);
        assert_string_equal(m.tag, "root");
        assert_int_equal(m.pid, 123);
        assert_int_equal(m.text_len, strlen("hello world"));
        assert_memory_equal(m.text, "hello world", m.text_len);
        LINE_IS("<13>Dec  6 04:10:00 root[123]: hello world", "[syslog] root: hello world\n");
        LINE_IS("<30>Jan 16 23:59:59 cron[42]: (root) CMD (true)\n", "[syslog] cron: (root) CMD (true)\n");
        /* no pid */
        LINE_IS("<13>Dec 06 04:10:00 myapp: started", "[syslog] myapp: started\n");
}

static void test_short_forms(void **state)
{
        (void) state;
        LINE_IS("<13>myapp: started", "[syslog] myapp: started\n");
        LINE_IS("<13>myapp[7]: started", "[syslog] myapp: started\n");
        /* no tag: the whole text */
        LINE_IS("<13>just words here", "[syslog] just words here\n");
        LINE_IS("no priority at all", "[syslog] no priority at all\n");
        /* a priority out of range is text */
        LINE_IS("<999>x: y", "[syslog] <999>x: y\n");
        LINE_IS("<13>", "[syslog] \n");
        LINE_IS("", "[syslog] \n");
}

static void test_bytes(void **state)
{
        (void) state;
        /* newlines inside and control characters escaped; a trailing newline and NUL dropped */
        LINE_IS("<13>t: a\nb\x01\tc\n\0", "[syslog] t: a#012b#001\tc\n");
        /* bytes that are not UTF-8 stay as they are */
        LINE_IS("<13>t: caf\xe9 \xff", "[syslog] t: caf\xe9 \xff\n");
        /* an overlong tag is not a tag */
        char msg[200];
        memset(msg, 'x', sizeof(msg));
        memcpy(msg + 150, ": y", 3);
        struct syslog_msg m;
        syslog_parse(msg, 153, &m);
        assert_string_equal(m.tag, "");
        assert_int_equal(m.text_len, 153);
}

static void test_bounded(void **state)
{
        (void) state;
        static char big[SYSLOG_MSG_MAX * 2];
        memset(big, 'a', sizeof(big));
        struct syslog_msg m;
        syslog_parse(big, sizeof(big), &m);
        assert_true(m.text_len <= SYSLOG_MSG_MAX);
}

static void test_daemon_names(void **state)
{
        (void) state;
        assert_true(syslog_daemon_name("rsyslog"));
        assert_true(syslog_daemon_name("syslog-ng"));
        assert_true(syslog_daemon_name("busybox-syslogd"));
        assert_false(syslog_daemon_name("ssh"));
        assert_false(syslog_daemon_name("rsyslogx"));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_rfc3164), cmocka_unit_test(test_short_forms),  cmocka_unit_test(test_bytes),
                cmocka_unit_test(test_bounded), cmocka_unit_test(test_daemon_names),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
