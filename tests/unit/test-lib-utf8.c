/* Unit tests for lib/utf8: valid text passes unchanged, every kind of ill-formed sequence is
 * escaped as \xNN, and the result is always a string jansson accepts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/utf8.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

/* jansson's own check, the one json_string() and json_pack() apply */
static bool jansson_accepts(const char *s)
{
        json_t *j = json_string(s);
        bool ok = j != NULL;
        json_decref(j);
        return ok;
}

static void check_escape(const char *in, const char *want)
{
        _cleanup_free_ char *out = utf8_escape_invalid(in);
        assert_non_null(out);
        assert_string_equal(out, want);
        assert_true(utf8_is_valid(out));
        assert_true(jansson_accepts(out));
        /* the escaping itself is stable: valid text comes back as it was */
        _cleanup_free_ char *again = utf8_escape_invalid(out);
        assert_string_equal(again, out);
}

static void test_valid_unchanged(void **state)
{
        (void) state;
        const char *valid[] = {
                "",
                "plain ascii: layer entry a/b/c escapes the layer root",
                "caf\xc3\xa9",                      /* U+00E9, 2 bytes */
                "\xe2\x82\xac 5",                   /* U+20AC, 3 bytes */
                "\xf0\x9f\x90\xb3 whale",           /* U+1F433, 4 bytes */
                "\xc2\x80\xdf\xbf",                 /* U+0080, U+07FF: 2-byte bounds */
                "\xe0\xa0\x80\xef\xbf\xbf",         /* U+0800, U+FFFF: 3-byte bounds */
                "\xed\x9f\xbf\xee\x80\x80",         /* U+D7FF, U+E000: around the surrogates */
                "\xf0\x90\x80\x80\xf4\x8f\xbf\xbf", /* U+10000, U+10FFFF: 4-byte bounds */
                "back\\slash \\xff stays",
        };
        for (size_t i = 0; i < sizeof(valid) / sizeof(valid[0]); i++) {
                assert_true(utf8_is_valid(valid[i]));
                assert_true(jansson_accepts(valid[i]));
                check_escape(valid[i], valid[i]);
        }
}

static void test_invalid_escaped(void **state)
{
        (void) state;
        /* a lone byte that can never appear, the name from a hostile layer */
        check_escape("\xff/../../x", "\\xff/../../x");
        check_escape("\xfe\xff", "\\xfe\\xff");
        /* lone continuation bytes */
        check_escape("a\x80z", "a\\x80z");
        check_escape("\xbf\xbf", "\\xbf\\xbf");
        /* overlong forms: '/' as 2 bytes, NUL as 2 bytes, U+07FF as 3, U+FFFF as 4 */
        check_escape("\xc0\xaf", "\\xc0\\xaf");
        check_escape("\xc1\xbf", "\\xc1\\xbf");
        check_escape("\xc0\x80", "\\xc0\\x80");
        check_escape("\xe0\x9f\xbf", "\\xe0\\x9f\\xbf");
        check_escape("\xf0\x8f\xbf\xbf", "\\xf0\\x8f\\xbf\\xbf");
        /* UTF-16 surrogates encoded as UTF-8 (CESU-8) */
        check_escape("\xed\xa0\x80", "\\xed\\xa0\\x80");
        check_escape("\xed\xbf\xbf", "\\xed\\xbf\\xbf");
        /* past U+10FFFF, and the 5- and 6-byte forms of old */
        check_escape("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
        check_escape("\xf5\x80\x80\x80", "\\xf5\\x80\\x80\\x80");
        check_escape("\xf8\x88\x80\x80\x80", "\\xf8\\x88\\x80\\x80\\x80");
        /* truncated sequences, at the end and before ASCII */
        check_escape("ab\xc3", "ab\\xc3");
        check_escape("\xe2\x82", "\\xe2\\x82");
        check_escape("\xf0\x9f\x90", "\\xf0\\x9f\\x90");
        check_escape("\xe2\x82x", "\\xe2\\x82x");
        /* a valid character right after a broken one is kept */
        check_escape("\xe2\xc3\xa9", "\\xe2\xc3\xa9");
        check_escape("\xf0\x9f\xf0\x9f\x90\xb3", "\\xf0\\x9f\xf0\x9f\x90\xb3");
}

static void test_embedded_nul(void **state)
{
        (void) state;
        _cleanup_free_ char *out = utf8_escape_invalidn("a\0b\xff", 4);
        assert_non_null(out);
        assert_string_equal(out, "a\\x00b\\xff");
        assert_true(jansson_accepts(out));
}

static void test_every_byte_pair(void **state)
{
        (void) state;
        /* whatever two or three bytes come in, what goes out is accepted by jansson */
        char in[4] = { 0 };
        for (int a = 1; a < 256; a++)
                for (int b = 1; b < 256; b++) {
                        in[0] = (char) a;
                        in[1] = (char) b;
                        in[2] = (char) 0x80;
                        _cleanup_free_ char *out = utf8_escape_invalid(in);
                        assert_non_null(out);
                        assert_true(jansson_accepts(out));
                        /* and a sequence is never escaped when jansson would have taken it */
                        if (jansson_accepts(in))
                                assert_string_equal(out, in);
                }
}

static void test_json_string_utf8(void **state)
{
        (void) state;
        assert_null(json_string_utf8(NULL));
        json_t *j = json_string_utf8("refusing \xff/../../x");
        assert_non_null(j);
        assert_string_equal(json_string_value(j), "refusing \\xff/../../x");
        json_decref(j);
        j = json_string_utf8("caf\xc3\xa9");
        assert_string_equal(json_string_value(j), "caf\xc3\xa9");
        json_t *m = json_pack("{s:o}", "message", json_string_utf8("\xed\xa0\x80"));
        assert_non_null(m);
        char *s = json_dumps(m, JSON_COMPACT);
        assert_string_equal(s, "{\"message\":\"\\\\xed\\\\xa0\\\\x80\"}");
        free(s);
        json_decref(m);
        json_decref(j);
        assert_null(json_stringn_utf8(NULL, 0));
        j = json_stringn_utf8("ab\xff"
                              "cd",
                              3);
        assert_string_equal(json_string_value(j), "ab\\xff");
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_valid_unchanged),  cmocka_unit_test(test_invalid_escaped),
                cmocka_unit_test(test_embedded_nul),     cmocka_unit_test(test_every_byte_pair),
                cmocka_unit_test(test_json_string_utf8),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
