/* Unit tests for the API server's capacity: fd limit raise, connection limit sizing, per-uid caps. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/http-limits.h"

#include <sys/resource.h>

static void test_connection_limit(void **state)
{
        (void) state;
        /* a quarter of the fds kept back, 4 fds a connection, split between listeners */
        assert_int_equal(http_connection_limit(20000, 1), 3750);
        assert_int_equal(http_connection_limit(20000, 2), 1875);
        assert_int_equal(http_connection_limit(1024, 1), 192);
        /* bounds: never below 16, never above 8192 threads */
        assert_int_equal(http_connection_limit(16, 1), 16);
        assert_int_equal(http_connection_limit(1 << 20, 1), 8192);
        assert_int_equal(http_connection_limit(RLIM_INFINITY, 1), 8192);
        assert_int_equal(http_connection_limit(20000, 0), 3750);
}

static void test_peer_caps(void **state)
{
        (void) state;
        struct peer_caps *p = peer_caps_new(3);
        assert_non_null(p);
        for (int i = 0; i < 3; i++)
                assert_true(peer_caps_acquire(p, 1000));
        assert_false(peer_caps_acquire(p, 1000));
        assert_false(peer_caps_acquire(p, 1000));
        /* another uid has its own count */
        assert_true(peer_caps_acquire(p, 1001));
        /* root is never capped nor counted */
        for (int i = 0; i < 10; i++)
                assert_true(peer_caps_acquire(p, 0));
        peer_caps_release(p, 0);
        /* a closed connection makes room for one more */
        peer_caps_release(p, 1000);
        assert_true(peer_caps_acquire(p, 1000));
        assert_false(peer_caps_acquire(p, 1000));
        for (int i = 0; i < 3; i++)
                peer_caps_release(p, 1000);
        /* all closed: the uid starts afresh, and a stray release does not underflow */
        peer_caps_release(p, 1000);
        for (int i = 0; i < 3; i++)
                assert_true(peer_caps_acquire(p, 1000));
        assert_false(peer_caps_acquire(p, 1000));
        /* many uids at once */
        for (uid_t u = 2000; u < 2100; u++)
                assert_true(peer_caps_acquire(p, u));
        for (uid_t u = 2000; u < 2100; u++)
                peer_caps_release(p, u);
        peer_caps_free(p);
        peer_caps_free(NULL);

        /* cap 0: no cap */
        p = peer_caps_new(0);
        for (int i = 0; i < 100; i++)
                assert_true(peer_caps_acquire(p, 1000));
        peer_caps_free(p);
}

static void test_nofile_raise(void **state)
{
        (void) state;
        struct rlimit before, initial, after;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &before), 0);
        if (before.rlim_max != RLIM_INFINITY && before.rlim_max < 64)
                skip();
        struct rlimit lowered = { .rlim_cur = 32, .rlim_max = before.rlim_max };
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &lowered), 0);
        rlim_t now = nofile_raise(&initial);
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &after), 0);
        /* the limits we came with are reported, the hard one is untouched, the soft one is raised */
        assert_int_equal(initial.rlim_cur, 32);
        assert_int_equal(initial.rlim_max, before.rlim_max);
        assert_int_equal(after.rlim_max, before.rlim_max);
        assert_int_equal(after.rlim_cur, now);
        assert_true(now > 32);
        if (before.rlim_max != RLIM_INFINITY)
                assert_int_equal(now, before.rlim_max);
        /* a second call finds nothing to do */
        assert_int_equal(nofile_raise(&initial), now);
        assert_int_equal(initial.rlim_cur, now);
        assert_int_equal(setrlimit(RLIMIT_NOFILE, &before), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_connection_limit),
                cmocka_unit_test(test_peer_caps),
                cmocka_unit_test(test_nofile_raise),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
