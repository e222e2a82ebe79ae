/* Unit tests for registry auth challenges, X-Registry-Auth and manifest selection. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/registry/auth.h"
#include "daemon/registry/manifest.h"

#include <stdlib.h>
#include <string.h>

static void test_challenge(void **state)
{
        (void) state;
        struct auth_challenge c;
        assert_int_equal(
                auth_challenge_parse("Bearer realm=\"https://auth.docker.io/token\",service=\"registry.docker.io\","
                                     "scope=\"repository:library/busybox:pull\"",
                                     &c),
                0);
        assert_string_equal(c.scheme, "Bearer");
        assert_string_equal(c.realm, "https://auth.docker.io/token");
        assert_string_equal(c.service, "registry.docker.io");
        assert_string_equal(c.scope, "repository:library/busybox:pull");
        auth_challenge_done(&c);
        assert_int_equal(auth_challenge_parse("Basic realm=\"Registry Realm\"", &c), 0);
        assert_string_equal(c.scheme, "Basic");
        assert_string_equal(c.realm, "Registry Realm");
        auth_challenge_done(&c);
        /* quoted comma and escaped quote inside a value */
        assert_int_equal(
                auth_challenge_parse("Bearer realm=\"http://x/t\",scope=\"a,b \\\"c\\\"\",error=\"insufficient_scope\"",
                                     &c),
                0);
        assert_string_equal(c.scope, "a,b \"c\"");
        assert_string_equal(c.error, "insufficient_scope");
        auth_challenge_done(&c);
        assert_int_equal(auth_challenge_parse("Bearer service=\"x\"", &c), -EINVAL); /* no realm */
        assert_int_equal(auth_challenge_parse("Digest realm=\"x\"", &c), -EINVAL);
        assert_int_equal(auth_challenge_parse("", &c), -EINVAL);
}

static void test_registry_auth_header(void **state)
{
        (void) state;
        char *u, *p;
        /* {"username":"bob","password":"s3cret"} base64url */
        assert_int_equal(auth_decode_registry_header("eyJ1c2VybmFtZSI6ImJvYiIsInBhc3N3b3JkIjoiczNjcmV0In0=", &u, &p),
                         0);
        assert_string_equal(u, "bob");
        assert_string_equal(p, "s3cret");
        free(u);
        free(p);
        /* "{}" = e30= : anonymous */
        assert_int_equal(auth_decode_registry_header("e30=", &u, &p), 0);
        assert_null(u);
        /* {"auth":"Ym9iOnMzY3JldA=="} : user:password inside auth */
        assert_int_equal(auth_decode_registry_header("eyJhdXRoIjoiWW05aU9uTXpZM0psZEE9PSJ9", &u, &p), 0);
        assert_string_equal(u, "bob");
        assert_string_equal(p, "s3cret");
        free(u);
        free(p);
        assert_int_equal(auth_decode_registry_header("!!!notbase64", &u, &p), -EINVAL);
}

#define HEX_A "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define HEX_B "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"
#define HEX_C "cccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccccc"

static void test_manifest_select(void **state)
{
        (void) state;
        json_t *idx = json_loads("{\"mediaType\":\"" MT_OCI_INDEX "\",\"manifests\":["
                                 "{\"digest\":\"sha256:" HEX_A "\",\"mediaType\":\"" MT_OCI_MANIFEST
                                 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"arm64\",\"variant\":\"v8\"}},"
                                 "{\"digest\":\"sha256:" HEX_B "\",\"mediaType\":\"" MT_OCI_MANIFEST
                                 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                                 "{\"digest\":\"sha256:" HEX_C "\",\"mediaType\":\"" MT_OCI_MANIFEST
                                 "\",\"platform\":{\"os\":\"windows\",\"architecture\":\"amd64\"}}]}",
                                 0, NULL);
        assert_non_null(idx);
        assert_int_equal(manifest_kind_of(NULL, idx), MANIFEST_INDEX);
        const char *d, *mt;
        assert_int_equal(manifest_select(idx, NULL, &d, &mt, NULL), 0);
        assert_string_equal(d, "sha256:" HEX_B);
        assert_int_equal(manifest_select(idx, "linux/arm64/v8", &d, &mt, NULL), 0);
        assert_string_equal(d, "sha256:" HEX_A);
        assert_int_equal(manifest_select(idx, "linux/arm64", &d, &mt, NULL), 0);
        assert_string_equal(d, "sha256:" HEX_A);
        struct pouch_err e = { 0 };
        assert_int_equal(manifest_select(idx, "linux/s390x", &d, &mt, &e), -ENOENT);
        assert_non_null(strstr(e.msg, "linux/s390x"));
        assert_int_equal(manifest_select(idx, "linux", &d, &mt, &e), -EINVAL);
        json_decref(idx);
}

/* A registry's index entry whose digest is not a sha256 digest ("latest", a path, another
 * algorithm) is never selected: it would be requested as a tag or path, unverified (found by
 * tests/fuzz/fuzz-registry). */
static void test_manifest_select_bad_digest(void **state)
{
        (void) state;
        json_t *idx = json_loads("{\"manifests\":["
                                 "{\"digest\":\"latest\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                                 "{\"digest\":\"../../x\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                                 "{\"digest\":\"sha512:" HEX_A
                                 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\"}},"
                                 "{\"digest\":\"sha256:" HEX_B
                                 "\",\"platform\":{\"os\":\"linux\",\"architecture\":\"amd64\","
                                 "\"variant\":\"v2\"}}]}",
                                 0, NULL);
        assert_non_null(idx);
        const char *d = NULL, *mt = NULL;
        assert_int_equal(manifest_select(idx, "linux/amd64", &d, &mt, NULL), 0);
        assert_string_equal(d, "sha256:" HEX_B);
        json_array_remove(json_object_get(idx, "manifests"), 3);
        struct pouch_err e = { 0 };
        assert_int_equal(manifest_select(idx, "linux/amd64", &d, &mt, &e), -ENOENT);
        json_decref(idx);
}

static void test_manifest_validate(void **state)
{
        (void) state;
        const char *good =
                "{\"schemaVersion\":2,\"mediaType\":\"" MT_DOCKER_MANIFEST "\","
                "\"config\":{\"digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"size\":10},"
                "\"layers\":[{\"mediaType\":\"application/vnd.docker.image.rootfs.diff.tar.gzip\","
                "\"digest\":\"sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\",\"size\":5}]}";
        json_t *m = json_loads(good, 0, NULL);
        assert_int_equal(manifest_kind_of(MT_DOCKER_MANIFEST, m), MANIFEST_IMAGE);
        assert_int_equal(manifest_validate(m, NULL), 0);
        json_object_set_new(json_array_get(json_object_get(m, "layers"), 0), "digest", json_string("sha256:xyz"));
        struct pouch_err e = { 0 };
        assert_int_equal(manifest_validate(m, &e), -EINVAL);
        assert_non_null(strstr(e.msg, "layer 0"));
        json_object_set_new(json_array_get(json_object_get(m, "layers"), 0), "digest",
                            json_string("sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
        json_object_set_new(json_array_get(json_object_get(m, "layers"), 0), "mediaType", json_string("text/plain"));
        assert_int_equal(manifest_validate(m, &e), -EINVAL);
        json_decref(m);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_challenge),         cmocka_unit_test(test_registry_auth_header),
                cmocka_unit_test(test_manifest_select),   cmocka_unit_test(test_manifest_select_bad_digest),
                cmocka_unit_test(test_manifest_validate),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
