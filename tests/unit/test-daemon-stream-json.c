/* The JSON message streams (load, import, pull, push): whatever bytes a message carries, each
 * line is a JSON object in valid UTF-8, and an error is always written. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "daemon/api/stream-json.h"
#include "lib/utf8.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* what was written to the pipe, as a NUL-terminated string */
static char *drain(int p[2])
{
        close(p[1]);
        static char buf[8192];
        size_t n = 0;
        ssize_t k;
        while ((k = read(p[0], buf + n, sizeof(buf) - 1 - n)) > 0)
                n += (size_t) k;
        close(p[0]);
        buf[n] = '\0';
        return buf;
}

/* one line, a JSON object in valid UTF-8; returned parsed */
static json_t *one_line(const char *out)
{
        assert_true(utf8_is_valid(out));
        size_t n = strlen(out);
        assert_true(n > 1 && out[n - 1] == '\n');
        assert_null(memchr(out, '\n', n - 1));
        json_t *j = json_loadb(out, n - 1, 0, NULL);
        assert_true(json_is_object(j));
        return j;
}

static void test_error_with_bad_bytes(void **state)
{
        (void) state;
        int p[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(stream_json_error(p[1], "layer entry \xff/../../x escapes the layer root"), 0);
        json_t *j = one_line(drain(p));
        assert_string_equal(json_string_value(json_object_get(j, "error")),
                            "layer entry \\xff/../../x escapes the layer root");
        assert_string_equal(json_string_value(json_object_get(json_object_get(j, "errorDetail"), "message")),
                            "layer entry \\xff/../../x escapes the layer root");
        json_decref(j);

        /* an empty message is still an error */
        assert_int_equal(pipe(p), 0);
        assert_int_equal(stream_json_error(p[1], ""), 0);
        j = one_line(drain(p));
        assert_non_null(json_string_value(json_object_get(j, "error")));
        json_decref(j);
}

static void test_text(void **state)
{
        (void) state;
        int p[2];
        assert_int_equal(pipe(p), 0);
        assert_int_equal(stream_json_text(p[1], "stream", "Loaded image: caf\xc3\xa9\xed\xa0\x80:1\n"), 0);
        json_t *j = one_line(drain(p));
        assert_string_equal(json_string_value(json_object_get(j, "stream")),
                            "Loaded image: caf\xc3\xa9\\xed\\xa0\\x80:1\n");
        json_decref(j);
}

static void test_send(void **state)
{
        (void) state;
        int p[2];
        assert_int_equal(pipe(p), 0);
        /* a message that could not be built writes nothing, and does not crash */
        assert_int_equal(stream_json_send(p[1], NULL), -EINVAL);
        assert_int_equal(stream_json_send(p[1], json_pack("{s:s}", "status", "\xff")), -EINVAL);
        assert_int_equal(stream_json_send(p[1], json_pack("{s:s}", "status", "ok")), 0);
        json_t *j = one_line(drain(p));
        assert_string_equal(json_string_value(json_object_get(j, "status")), "ok");
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_error_with_bad_bytes),
                cmocka_unit_test(test_text),
                cmocka_unit_test(test_send),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
