/* The CLI's reading of pull/push/load/import streams: an error in any of docker's shapes, or a
 * line that is not a JSON object, fails the command; progress alone does not. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"

#include <stdio.h>
#include <string.h>

/* feed the stream in pieces of n bytes, as curl may hand it over; did it fail? */
static bool failed_after(const char *stream, size_t n)
{
        struct progress *p = progress_new(false);
        assert_non_null(p);
        size_t len = strlen(stream);
        for (size_t off = 0; off < len; off += n)
                assert_int_equal(progress_feed(p, stream + off, len - off < n ? len - off : n), 0);
        bool failed = progress_failed(p);
        progress_free(p);
        return failed;
}

static void check(const char *stream, bool want_failed)
{
        static const size_t pieces[] = { 1, 3, 7, 4096 };
        for (size_t i = 0; i < sizeof(pieces) / sizeof(pieces[0]); i++)
                assert_int_equal(failed_after(stream, pieces[i]), want_failed);
}

static void test_success(void **state)
{
        (void) state;
        check("{\"status\":\"Pulling from test/bb\",\"id\":\"1\"}\n"
              "{\"status\":\"Downloading\",\"progressDetail\":{\"current\":1,\"total\":2},\"id\":\"abc\"}\n"
              "\n"
              "{\"stream\":\"Loaded image: bb:1\\n\"}\n"
              "{\"status\":\"Status: Downloaded newer image for test/bb:1\"}\n",
              false);
}

static void test_errors(void **state)
{
        (void) state;
        /* docker's shape, with the bad bytes the daemon escaped */
        check("{\"status\":\"Extracting\",\"id\":\"abc\"}\n"
              "{\"errorDetail\":{\"message\":\"layer entry \\\\xff/../../x escapes the layer root\"},"
              "\"error\":\"layer entry \\\\xff/../../x escapes the layer root\"}\n",
              true);
        check("{\"error\":\"only the short form\"}\n", true);
        check("{\"errorDetail\":{\"message\":\"only the detail\"}}\n", true);
        /* what a daemon that does not escape would send: not JSON, so not a success either */
        check("{\"status\":\"Extracting\"}\n{\"error\":\"layer entry \xff escapes\"}\n", true);
        check("garbage\n", true);
        check("[1,2]\n", true);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_success),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
