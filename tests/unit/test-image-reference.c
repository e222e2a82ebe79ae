/* Unit tests for daemon/image/reference.c: parsing, normalisation, familiar forms, rejects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/image/reference.h"
#include "lib/cleanup.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#define H64 "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
#define D64 "sha256:" H64

struct good {
        const char *in, *full, *familiar, *domain, *path, *tag, *repo_familiar;
};

static const struct good goods[] = {
        { "busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox", "latest",
          "busybox" },
        { "busybox:1.36", "docker.io/library/busybox:1.36", "busybox:1.36", "docker.io", "library/busybox", "1.36",
          "busybox" },
        { "library/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox",
          "latest", "busybox" },
        { "docker.io/busybox", "docker.io/library/busybox:latest", "busybox:latest", "docker.io", "library/busybox",
          "latest", "busybox" },
        { "index.docker.io/library/busybox:x", "docker.io/library/busybox:x", "busybox:x", "docker.io",
          "library/busybox", "x", "busybox" },
        { "user/app:v1", "docker.io/user/app:v1", "user/app:v1", "docker.io", "user/app", "v1", "user/app" },
        { "docker.io/library/a/b", "docker.io/library/a/b:latest", "library/a/b:latest", "docker.io", "library/a/b",
          "latest", "library/a/b" },
        { "localhost/app", "localhost/app:latest", "localhost/app:latest", "localhost", "app", "latest",
          "localhost/app" },
        { "localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000/app:1", "localhost:5000", "app", "1",
          "localhost:5000/app" },
        { "127.0.0.1:5000/x/y:2", "127.0.0.1:5000/x/y:2", "127.0.0.1:5000/x/y:2", "127.0.0.1:5000", "x/y", "2",
          "127.0.0.1:5000/x/y" },
        { "quay.io/coreos/etcd", "quay.io/coreos/etcd:latest", "quay.io/coreos/etcd:latest", "quay.io", "coreos/etcd",
          "latest", "quay.io/coreos/etcd" },
        { "Registry.Example/a", "Registry.Example/a:latest", "Registry.Example/a:latest", "Registry.Example", "a",
          "latest", "Registry.Example/a" },
        { "a-b__c/d_e.f--g:T_a.g-1", "docker.io/a-b__c/d_e.f--g:T_a.g-1", "a-b__c/d_e.f--g:T_a.g-1", "docker.io",
          "a-b__c/d_e.f--g", "T_a.g-1", "a-b__c/d_e.f--g" },
        { "[::1]:5000/app", "[::1]:5000/app:latest", "[::1]:5000/app:latest", "[::1]:5000", "app", "latest",
          "[::1]:5000/app" },
        /* a docker.io path whose first component reads as a registry keeps docker.io in its familiar
         * form: "foo.bar/app" or "localhost/app" would name another registry (found by fuzzing) */
        { "docker.io/foo.bar/app", "docker.io/foo.bar/app:latest", "docker.io/foo.bar/app:latest", "docker.io",
          "foo.bar/app", "latest", "docker.io/foo.bar/app" },
        { "docker.io/localhost/app:1", "docker.io/localhost/app:1", "docker.io/localhost/app:1", "docker.io",
          "localhost/app", "1", "docker.io/localhost/app" },
        { "docker.io/library/x.y", "docker.io/library/x.y:latest", "x.y:latest", "docker.io", "library/x.y", "latest",
          "x.y" },
        /* the familiar repository of library/<64 hex> is not a bare image ID (found by fuzzing) */
        { "library/" H64, "docker.io/library/" H64 ":latest", "library/" H64 ":latest", "docker.io", "library/" H64,
          "latest", "library/" H64 },
};

static void test_good(void **state)
{
        (void) state;
        for (size_t i = 0; i < ARRAY_SIZE(goods); i++) {
                const struct good *g = &goods[i];
                struct image_ref r;
                int ret = reference_parse(g->in, &r);
                if (ret != 0)
                        fail_msg("parse %s: %d", g->in, ret);
                _cleanup_free_ char *full = reference_full(&r), *fam = reference_familiar(&r),
                                    *repo = reference_repo(&r, true);
                assert_string_equal(full, g->full);
                assert_string_equal(fam, g->familiar);
                assert_string_equal(r.domain, g->domain);
                assert_string_equal(r.path, g->path);
                assert_string_equal(r.tag, g->tag);
                assert_null(r.digest);
                assert_string_equal(repo, g->repo_familiar);
                reference_done(&r);
        }
}

static void test_digest(void **state)
{
        (void) state;
        struct image_ref r;
        assert_int_equal(reference_parse("busybox@" D64, &r), 0);
        assert_null(r.tag);
        assert_string_equal(r.digest, D64);
        _cleanup_free_ char *full = reference_full(&r), *fam = reference_familiar(&r);
        assert_string_equal(full, "docker.io/library/busybox@" D64);
        assert_string_equal(fam, "busybox@" D64);
        reference_done(&r);
        assert_int_equal(reference_parse("localhost:5000/a:v2@" D64, &r), 0);
        assert_string_equal(r.tag, "v2");
        assert_string_equal(r.digest, D64);
        _cleanup_free_ char *full2 = reference_full(&r);
        assert_string_equal(full2, "localhost:5000/a:v2@" D64);
        reference_done(&r);
}

static void test_bad(void **state)
{
        (void) state;
        const char *bad[] = {
                "",
                "Busybox",
                "busybox:",
                "busybox:-x",
                "busybox:a/b",
                ":latest",
                "/busybox",
                "busybox/",
                "a//b",
                "a..b",
                "a--",
                "_a",
                "a___b",
                "busybox@sha256:abc",
                "busybox@md5:0123456789abcdef0123456789abcdef",
                "busybox@" D64 "x",
                "localhost:port/app",
                "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                "a:b:c",
                "a_b.c/x",
                "a b",
                "busybox:"
                "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
                "aaaaaaaaaaaaaaaaaaaaaa",
        };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                struct image_ref r = { 0 };
                int ret = reference_parse(bad[i], &r);
                if (ret != -EINVAL)
                        fail_msg("'%s' should be invalid, got %d (%s/%s)", bad[i], ret, r.domain, r.path);
        }
}

/* The 255-character limit is on the normalised name: a 238-character "name" is
 * "docker.io/library/name" (256), which was accepted and then could not be parsed back from its
 * own full form (found by fuzzing). */
static void test_name_length(void **state)
{
        (void) state;
        char name[300];
        for (size_t n = 236; n <= 240; n++) {
                memset(name, 'a', n);
                name[n] = '\0';
                struct image_ref r = { 0 };
                int ret = reference_parse(name, &r);
                assert_int_equal(ret, n <= 237 ? 0 : -EINVAL);
                if (ret == 0) {
                        _cleanup_free_ char *full = reference_full(&r);
                        struct image_ref again = { 0 };
                        assert_int_equal(reference_parse(full, &again), 0);
                        reference_done(&again);
                }
                reference_done(&r);
        }
        /* a registry name counts too */
        memset(name, 'b', 250);
        memcpy(name, "reg.example:5000/", 17);
        name[250] = '\0';
        struct image_ref r = { 0 };
        assert_int_equal(reference_parse(name, &r), 0);
        reference_done(&r);
        memset(name + 250, 'b', 6);
        name[256] = '\0';
        assert_int_equal(reference_parse(name, &r), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_good),
                cmocka_unit_test(test_digest),
                cmocka_unit_test(test_bad),
                cmocka_unit_test(test_name_length),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
