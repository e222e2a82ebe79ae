/* Unit tests for lib/err: the one place an error code becomes an HTTP status. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/err.h"

static void test_client_errors(void **state)
{
        (void) state;
        static const struct {
                int code, status;
        } cases[] = {
                { -EINVAL, 400 },   { -E2BIG, 400 },  { -ENAMETOOLONG, 400 }, { -ENOTDIR, 400 },  { -ENOENT, 404 },
                { -ESRCH, 404 },    { -EEXIST, 409 }, { -EBUSY, 409 },        { -EALREADY, 409 }, { -ENOTTY, 409 },
                { -EMSGSIZE, 413 }, { ENOTTY, 409 }, /* a positive errno is classified the same */
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
                if (err_http_status(cases[i].code) != cases[i].status)
                        fail_msg("errno %d: %d, wanted %d", cases[i].code, err_http_status(cases[i].code),
                                 cases[i].status);
}

static void test_server_errors(void **state)
{
        (void) state;
        assert_int_equal(err_http_status(-ENOTSUP), 501);
        assert_int_equal(err_http_status(-EIO), 500);
        assert_int_equal(err_http_status(-ENOMEM), 500);
        assert_int_equal(err_http_status(0), 500);
}

static void test_set_keeps_code(void **state)
{
        (void) state;
        struct pouch_err e = { 0 };
        assert_int_equal(err_set(&e, -ENOTTY, "container %s has no tty", "c1"), -ENOTTY);
        assert_int_equal(err_http_status(e.code), 409);
        assert_string_equal(e.msg, "container c1 has no tty");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_client_errors),
                cmocka_unit_test(test_server_errors),
                cmocka_unit_test(test_set_keeps_code),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
