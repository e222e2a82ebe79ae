/* /images: list, inspect, history, tag, remove, prune, through the real HTTP server of an
 * in-process daemon (images are imported directly into its store). */
#include "api-test-helpers.h"

static void test_list_empty(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/images/json", NULL, 200);
        assert_true(json_is_array(j));
        assert_int_equal(json_array_size(j), 0);
        json_decref(j);
}

static void test_list_inspect(void **state)
{
        struct api_inproc *h = *state;
        char id[80];
        assert_int_equal(api_inproc_add_image(h, "tiny:1.0", "/hello", id), 0);
        json_t *j = api_expect(h, "GET", "/images/json", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        json_t *img = json_array_get(j, 0);
        assert_string_equal(json_get_str(img, "Id", ""), id);
        assert_string_equal(json_string_value(json_array_get(json_object_get(img, "RepoTags"), 0)), "tiny:1.0");
        assert_true(json_is_integer(json_object_get(img, "Size")));
        assert_true(json_is_integer(json_object_get(img, "Created")));
        json_decref(j);

        j = api_expect(h, "GET", "/images/tiny:1.0/json", NULL, 200);
        assert_string_equal(json_get_str(j, "Id", ""), id);
        json_t *cfg = json_object_get(j, "Config");
        assert_string_equal(json_string_value(json_array_get(json_object_get(cfg, "Cmd"), 0)), "/hello");
        assert_string_equal(json_get_str(j, "Os", ""), "linux");
        assert_int_equal(json_array_size(json_object_get(json_object_get(j, "RootFS"), "Layers")), 1);
        json_decref(j);
        /* by ID and short ID */
        char path[256];
        snprintf(path, sizeof(path), "/images/%s/json", id);
        json_decref(api_expect(h, "GET", path, NULL, 200));
        snprintf(path, sizeof(path), "/images/%.12s/json", id + 7);
        json_decref(api_expect(h, "GET", path, NULL, 200));
        /* a repository with a slash ({*} in the route) */
        json_decref(api_expect(h, "POST", "/images/tiny:1.0/tag?repo=example.com/team/tiny&tag=2", NULL, 201));
        j = api_expect(h, "GET", "/images/example.com/team/tiny:2/json", NULL, 200);
        assert_string_equal(json_get_str(j, "Id", ""), id);
        json_decref(j);
        j = api_expect(h, "GET", "/images/tiny:1.0/history", NULL, 200);
        assert_true(json_is_array(j));
        assert_true(json_array_size(j) >= 1);
        json_decref(j);
}

static void test_missing(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "GET", "/images/nosuch/json", NULL, 404, "No such image");
        api_expect_error(h, "GET", "/images/nosuch:tag/history", NULL, 404, "No such image");
        api_expect_error(h, "DELETE", "/images/nosuch", NULL, 404, "No such image");
        api_expect_error(h, "POST", "/images/nosuch/tag?repo=x", NULL, 404, "No such image");
}

static void test_tag_remove(void **state)
{
        struct api_inproc *h = *state;
        char id[80];
        assert_int_equal(api_inproc_add_image(h, "tiny:latest", "/hello", id), 0);
        api_expect_error(h, "POST", "/images/tiny/tag", NULL, 400, "repository name is required");
        json_decref(api_expect(h, "POST", "/images/tiny/tag?repo=other", NULL, 201));
        json_t *j = api_expect(h, "GET", "/images/json", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "RepoTags")), 2);
        json_decref(j);
        /* removing one tag of two only untags */
        j = api_expect(h, "DELETE", "/images/other", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        assert_string_equal(json_get_str(json_array_get(j, 0), "Untagged", ""), "other:latest");
        json_decref(j);
        j = api_expect(h, "DELETE", "/images/tiny", NULL, 200);
        bool deleted = false;
        size_t i;
        json_t *v;
        json_array_foreach(j, i, v)
                deleted |= strcmp(json_get_str(v, "Deleted", ""), id) == 0;
        assert_true(deleted);
        json_decref(j);
        j = api_expect(h, "GET", "/images/json", NULL, 200);
        assert_int_equal(json_array_size(j), 0);
        json_decref(j);
}

static void test_prune(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "POST", "/images/prune", NULL, 200);
        assert_true(json_is_array(json_object_get(j, "ImagesDeleted")) ||
                    json_is_null(json_object_get(j, "ImagesDeleted")));
        assert_true(json_is_integer(json_object_get(j, "SpaceReclaimed")));
        json_decref(j);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_list_empty, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_list_inspect, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_missing, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_tag_remove, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_prune, api_setup, api_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
