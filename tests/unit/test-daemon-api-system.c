/* /_ping, /version, /info, /system/df, the router (unknown path, wrong method, API version) and
 * request bodies, through the real HTTP server of an in-process daemon. */
#include "api-test-helpers.h"

#include "daemon/http.h"

static void test_ping(void **state)
{
        struct api_inproc *h = *state;
        unsigned status = 0;
        char *raw = NULL;
        assert_int_equal(api_inproc_request(h, "GET", "/_ping", NULL, 0, &status, &raw), 0);
        assert_int_equal(status, 200);
        assert_string_equal(raw, "OK");
        free(raw);
        assert_int_equal(api_inproc_request(h, "HEAD", "/_ping", NULL, 0, &status, &raw), 0);
        assert_int_equal(status, 200);
        assert_string_equal(raw, "");
        free(raw);
        assert_int_equal(api_inproc_request(h, "GET", "/v1.41/_ping", NULL, 0, &status, &raw), 0);
        assert_int_equal(status, 200);
        free(raw);
}

static void test_version(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/v1.40/version", NULL, 200);
        assert_string_equal(json_get_str(j, "ApiVersion", ""), API_VERSION);
        assert_string_equal(json_get_str(j, "MinAPIVersion", ""), API_MIN_VERSION);
        assert_string_equal(json_get_str(j, "Version", ""), POUCH_VERSION);
        assert_string_equal(json_get_str(j, "Os", ""), "linux");
        assert_true(json_is_array(json_object_get(j, "Components")));
        json_decref(j);
}

static void test_info(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/info", NULL, 200);
        assert_int_equal(json_get_int(j, "Containers", -1), 0);
        assert_int_equal(json_get_int(j, "Images", -1), 0);
        assert_string_equal(json_get_str(j, "DockerRootDir", ""), api_inproc_home(h));
        assert_string_equal(json_get_str(j, "DefaultRuntime", ""), "runc");
        assert_string_equal(json_get_str(j, "QuotaBackend", ""), "none");
        assert_false(json_get_bool(j, "LxcfsEnabled", true));
        assert_true(json_is_object(json_object_get(j, "Runtimes")));
        json_decref(j);

        assert_int_equal(api_inproc_add_image(h, "tiny:1", "/hello", NULL), 0);
        j = api_expect(h, "GET", "/info", NULL, 200);
        assert_int_equal(json_get_int(j, "Images", -1), 1);
        json_decref(j);
}

static void test_system_df(void **state)
{
        struct api_inproc *h = *state;
        json_decref(api_expect(h, "POST", "/volumes/create", "{\"Name\":\"dfvol\"}", 201));
        json_t *j = api_expect(h, "GET", "/system/df", NULL, 200);
        assert_true(json_is_array(json_object_get(j, "Images")));
        assert_int_equal(json_array_size(json_object_get(j, "Containers")), 0);
        json_t *vols = json_object_get(j, "Volumes");
        assert_int_equal(json_array_size(vols), 1);
        json_t *v = json_array_get(vols, 0);
        assert_string_equal(json_get_str(v, "Name", ""), "dfvol");
        assert_int_equal(json_get_int(json_object_get(v, "UsageData"), "RefCount", -1), 0);
        json_decref(j);
}

static void test_router(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "GET", "/nope", NULL, 404, "page not found");
        api_expect_error(h, "GET", "/v1.41/containers/x/y/z", NULL, 404, "page not found");
        api_expect_error(h, "DELETE", "/_ping", NULL, 405, "not allowed");
        api_expect_error(h, "PUT", "/containers/create", NULL, 405, "method PUT not allowed for /containers/create");
        api_expect_error(h, "GET", "/v1.99/version", NULL, 400, "too new");
        api_expect_error(h, "GET", "/v9999999999999999999.1/version", NULL, 400, "too new");
        api_expect_error(h, "GET", "/v1.99999999999/version", NULL, 400, "too new");
        /* older than the MinAPIVersion /version announces */
        api_expect_error(h, "GET", "/v1.11/version", NULL, 400, "too old");
        api_expect_error(h, "GET", "/v1/containers/json", NULL, 400, "too old");
        json_decref(api_expect(h, "GET", "/v1.12/version", NULL, 200));
        /* the version prefix is stripped before routing */
        json_decref(api_expect(h, "GET", "/v1.12/containers/json", NULL, 200));
}

static void test_bodies(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "POST", "/volumes/create", "{", 400, "invalid JSON body");
        api_expect_error(h, "POST", "/volumes/create", "[1]", 400, "a JSON object was expected");
        api_expect_error(h, "POST", "/containers/create", NULL, 400, "request body is empty");
        /* one byte over the limit */
        size_t n = MAX_JSON_BODY + 1;
        char *big = malloc(n);
        assert_non_null(big);
        memset(big, ' ', n);
        big[0] = '{';
        big[n - 1] = '}';
        unsigned status = 0;
        char *raw = NULL;
        assert_int_equal(api_inproc_request(h, "POST", "/containers/create", big, n, &status, &raw), 0);
        assert_int_equal(status, 413);
        json_t *j = json_loads(raw, 0, NULL);
        assert_non_null(strstr(json_get_str(j, "message", ""), "too large"));
        json_decref(j);
        free(raw);
        /* exactly at the limit it is parsed */
        big[n - 2] = '}';
        assert_int_equal(api_inproc_request(h, "POST", "/containers/create", big, n - 1, &status, &raw), 0);
        free(big);
        assert_int_equal(status, 400);
        if (!strstr(raw, "Config.Image is required"))
                fprintf(stderr, "at the limit: %u %.200s\n", status, raw);
        assert_non_null(strstr(raw, "Config.Image is required"));
        free(raw);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_ping, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_version, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_info, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_system_df, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_router, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_bodies, api_setup, api_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
