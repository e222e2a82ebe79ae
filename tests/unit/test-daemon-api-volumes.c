/* /volumes: create, inspect, list, remove, prune, through the real HTTP server of an in-process
 * daemon. */
#include "api-test-helpers.h"

static void test_create_inspect(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "POST", "/volumes/create", "{\"Name\":\"data\",\"Labels\":{\"a\":\"b\"}}", 201);
        assert_string_equal(json_get_str(j, "Name", ""), "data");
        assert_string_equal(json_get_str(j, "Driver", ""), "local");
        assert_string_equal(json_get_str(json_object_get(j, "Labels"), "a", ""), "b");
        const char *mp = json_get_str(j, "Mountpoint", "");
        assert_int_equal(strncmp(mp, api_inproc_home(h), strlen(api_inproc_home(h))), 0);
        assert_int_equal(access(mp, F_OK), 0);
        json_decref(j);
        j = api_expect(h, "GET", "/volumes/data", NULL, 200);
        assert_string_equal(json_get_str(j, "Name", ""), "data");
        assert_string_equal(json_get_str(j, "Scope", ""), "local");
        json_decref(j);
        /* creating it again returns the existing one */
        j = api_expect(h, "POST", "/volumes/create", "{\"Name\":\"data\"}", 201);
        assert_string_equal(json_get_str(json_object_get(j, "Labels"), "a", ""), "b");
        json_decref(j);
        /* an anonymous volume gets a generated name */
        j = api_expect(h, "POST", "/volumes/create", NULL, 201);
        assert_int_equal(strlen(json_get_str(j, "Name", "")), 64);
        json_decref(j);
}

static void test_create_errors(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "POST", "/volumes/create", "{\"Name\":\"../x\"}", 400, "invalid characters");
        api_expect_error(h, "POST", "/volumes/create", "{\"Name\":\"xx\",\"Driver\":\"nfs\"}", 400, "not supported");
        api_expect_error(h, "POST", "/volumes/create", "{\"Name\":\"xx\",\"Labels\":[]}", 400, "must be objects");
        api_expect_error(h, "POST", "/volumes/create", "{\"Name\":\"xx\",\"DriverOpts\":{\"o\":1}}", 400,
                         "must be a string");
        api_expect_error(h, "POST", "/volumes/create", "{\"Name\":", 400, "invalid JSON body");
        api_expect_error(h, "GET", "/volumes/nosuch", NULL, 404, "no such volume");
        api_expect_error(h, "DELETE", "/volumes/nosuch", NULL, 404, "no such volume");
        json_decref(api_expect(h, "DELETE", "/volumes/nosuch?force=1", NULL, 204));
}

static void test_list_remove_prune(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/volumes", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "Volumes")), 0);
        assert_true(json_is_array(json_object_get(j, "Warnings")));
        json_decref(j);
        json_decref(api_expect(h, "POST", "/volumes/create", "{\"Name\":\"v1\",\"Labels\":{\"keep\":\"1\"}}", 201));
        json_decref(api_expect(h, "POST", "/volumes/create", "{\"Name\":\"v2\"}", 201));
        json_decref(api_expect(h, "POST", "/volumes/create", "{\"Name\":\"v3\"}", 201));
        j = api_expect(h, "GET", "/volumes", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "Volumes")), 3);
        json_decref(j);
        j = api_expect(h, "GET", "/volumes?filters=%7B%22name%22%3A%7B%22v1%22%3Atrue%7D%7D", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "Volumes")), 1);
        json_decref(j);
        api_expect_error(h, "GET", "/volumes?filters=%7B%22bogus%22%3A%7B%22v1%22%3Atrue%7D%7D", NULL, 400, "bogus");
        json_decref(api_expect(h, "DELETE", "/volumes/v3", NULL, 204));
        api_expect_error(h, "GET", "/volumes/v3", NULL, 404, "no such volume");
        /* prune removes unused anonymous volumes; with all=true the named ones too */
        j = api_expect(h, "POST", "/volumes/create", NULL, 201);
        char *anon = strdup(json_get_str(j, "Name", ""));
        json_decref(j);
        j = api_expect(h, "POST", "/volumes/prune", NULL, 200);
        json_t *del = json_object_get(j, "VolumesDeleted");
        assert_int_equal(json_array_size(del), 1);
        assert_string_equal(json_string_value(json_array_get(del, 0)), anon);
        free(anon);
        json_decref(j);
        j = api_expect(h, "POST", "/volumes/prune?filters=%7B%22all%22%3A%7B%22true%22%3Atrue%7D%7D", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "VolumesDeleted")), 2);
        json_decref(j);
        j = api_expect(h, "GET", "/volumes", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "Volumes")), 0);
        json_decref(j);
}

static void test_in_use(void **state)
{
        struct api_inproc *h = *state;
        assert_int_equal(api_inproc_add_image(h, "tiny", "/hello", NULL), 0);
        json_decref(api_expect(h, "POST", "/containers/create?name=cc",
                               "{\"Image\":\"tiny\",\"HostConfig\":{\"Binds\":[\"used:/data\"]}}", 201));
        json_t *j = api_expect(h, "GET", "/volumes/used", NULL, 200);
        assert_string_equal(json_get_str(j, "Name", ""), "used");
        json_decref(j);
        api_expect_error(h, "DELETE", "/volumes/used", NULL, 409, "in use");
        j = api_expect(h, "POST", "/volumes/prune?filters=%7B%22all%22%3A%5B%221%22%5D%7D", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "VolumesDeleted")), 0);
        json_decref(j);
        json_decref(api_expect(h, "DELETE", "/containers/cc", NULL, 204));
        json_decref(api_expect(h, "DELETE", "/volumes/used", NULL, 204));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_inspect, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_create_errors, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_list_remove_prune, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_in_use, api_setup, api_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
