/* Unit tests for pouch-init's command-line splitting (systemd's rules). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/cmdline-split.h"

#include <errno.h>
#include <string.h>

/* Split s and compare with the expected words (NULL-terminated). */
static void check(const char *s, const char *const *expected)
{
        _cleanup_strv_ struct strv w = { 0 };
        const char *err = NULL;
        int r = cmdline_split(s, &w, &err);
        if (r < 0)
                fail_msg("'%s': %s", s, err);
        size_t n = 0;
        while (expected[n])
                n++;
        if (w.n != n)
                fail_msg("'%s': %zu words, expected %zu", s, w.n, n);
        for (size_t i = 0; i < n; i++)
                assert_string_equal(w.v[i], expected[i]);
}

static void check_error(const char *s, const char *expected)
{
        _cleanup_strv_ struct strv w = { 0 };
        const char *err = NULL;
        assert_int_equal(cmdline_split(s, &w, &err), -EINVAL);
        assert_string_equal(err, expected);
}

static void test_words(void **state)
{
        (void) state;
        check("", (const char *[]){ NULL });
        check("   \t ", (const char *[]){ NULL });
        check("/bin/echo", (const char *[]){ "/bin/echo", NULL });
        check("  a   b\tc \n d  ", (const char *[]){ "a", "b", "c", "d", NULL });
}

static void test_quotes(void **state)
{
        (void) state;
        check("sh -c \"echo hello world\"", (const char *[]){ "sh", "-c", "echo hello world", NULL });
        check("sh -c 'echo \"in\" single'", (const char *[]){ "sh", "-c", "echo \"in\" single", NULL });
        check("\"it's\" 'say \"hi\"'", (const char *[]){ "it's", "say \"hi\"", NULL });
        check("a\"b c\"d", (const char *[]){ "ab cd", NULL });
        check("'' \"\" x", (const char *[]){ "", "", "x", NULL });
        check("--opt='a b'", (const char *[]){ "--opt=a b", NULL });
}

static void test_escapes(void **state)
{
        (void) state;
        check("a\\ b", (const char *[]){ "a b", NULL });
        check("\\\"x\\\" \\'y\\'", (const char *[]){ "\"x\"", "'y'", NULL });
        check("back\\\\slash", (const char *[]){ "back\\slash", NULL });
        check("\"tab\\there\" nl\\n", (const char *[]){ "tab\there", "nl\n", NULL });
        check("\\x41\\x62 \\101\\142", (const char *[]){ "Ab", "Ab", NULL });
        check("\"q\\\"in\\\"q\"", (const char *[]){ "q\"in\"q", NULL });
        check("x\\sy", (const char *[]){ "x y", NULL });
        check("$HOME ${X}", (const char *[]){ "$HOME", "${X}", NULL }); /* no expansion */
}

static void test_errors(void **state)
{
        (void) state;
        check_error("echo \"open", "unterminated quote");
        check_error("echo 'open", "unterminated quote");
        check_error("echo trailing\\", "trailing backslash");
        check_error("echo \\q", "unknown escape sequence");
        check_error("echo \\xZZ", "invalid \\x escape");
        check_error("echo \\x00", "invalid \\x escape");
        check_error("echo \\18", "invalid octal escape (\\NNN needs three digits)");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_words),
                cmocka_unit_test(test_quotes),
                cmocka_unit_test(test_escapes),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
