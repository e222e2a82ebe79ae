/* /containers: create, inspect, list, rename, remove and exec create of containers that never
 * start, through the real HTTP server of an in-process daemon. */
#include "api-test-helpers.h"

static int setup_with_image(void **state)
{
        if (api_setup(state) < 0)
                return -1;
        return api_inproc_add_image(*state, "tiny:latest", "/hello", NULL) < 0 ? -1 : 0;
}

/* Create and return the new ID (caller frees). */
static char *create(struct api_inproc *h, const char *name)
{
        char path[512];
        snprintf(path, sizeof(path), "/v1.41/containers/create%s%s", name ? "?name=" : "", name ? name : "");
        json_t *j = api_expect(h, "POST", path, "{\"Image\":\"tiny\",\"Labels\":{\"k\":\"v\"}}", 201);
        const char *id = json_get_str(j, "Id", "");
        assert_int_equal(strlen(id), 64);
        assert_true(json_is_array(json_object_get(j, "Warnings")));
        char *ret = strdup(id);
        json_decref(j);
        return ret;
}

static void test_create_inspect(void **state)
{
        struct api_inproc *h = *state;
        char *id = create(h, "web");
        char path[256];
        snprintf(path, sizeof(path), "/containers/%s/json", id);
        json_t *j = api_expect(h, "GET", path, NULL, 200);
        assert_string_equal(json_get_str(j, "Id", ""), id);
        assert_string_equal(json_get_str(j, "Name", ""), "/web");
        assert_string_equal(json_get_str(json_object_get(j, "State"), "Status", ""), "created");
        assert_false(json_get_bool(json_object_get(j, "State"), "Running", true));
        assert_string_equal(json_get_str(j, "Path", ""), "/hello");
        json_t *cfg = json_object_get(j, "Config");
        assert_string_equal(json_get_str(cfg, "Image", ""), "tiny");
        assert_string_equal(json_get_str(json_object_get(cfg, "Labels"), "k", ""), "v");
        assert_true(json_is_object(json_object_get(j, "HostConfig")));
        assert_true(json_is_array(json_object_get(j, "Mounts")));
        assert_int_equal(strncmp(json_get_str(j, "Image", ""), "sha256:", 7), 0);
        json_decref(j);
        /* by name and by unique ID prefix */
        json_decref(api_expect(h, "GET", "/containers/web/json", NULL, 200));
        snprintf(path, sizeof(path), "/containers/%.12s/json", id);
        json_decref(api_expect(h, "GET", path, NULL, 200));
        free(id);
}

static void test_create_errors(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "POST", "/containers/create", "{\"Image\":", 400, "invalid JSON body");
        api_expect_error(h, "POST", "/containers/create", "\"tiny\"", 400, "invalid JSON body");
        api_expect_error(h, "POST", "/containers/create", "[\"tiny\"]", 400, "a JSON object was expected");
        api_expect_error(h, "POST", "/containers/create", "{}", 400, "Config.Image is required");
        api_expect_error(h, "POST", "/containers/create", "{\"Image\":\"nosuch:1\"}", 404, "No such image");
        api_expect_error(h, "POST", "/containers/create?name=a%2Fb", "{\"Image\":\"tiny\"}", 400,
                         "Invalid container name");
        api_expect_error(h, "POST", "/containers/create?name=-x", "{\"Image\":\"tiny\"}", 400,
                         "Invalid container name");
        free(create(h, "dup"));
        api_expect_error(h, "POST", "/containers/create?name=dup", "{\"Image\":\"tiny\"}", 409, "already in use");
        api_expect_error(h, "POST", "/containers/create?name=%2Fdup", "{\"Image\":\"tiny\"}", 409, "already in use");
        /* nothing was left behind by the failures */
        json_t *j = api_expect(h, "GET", "/containers/json?all=1", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        json_decref(j);
}

static void test_inspect_missing(void **state)
{
        struct api_inproc *h = *state;
        api_expect_error(h, "GET", "/containers/nosuch/json", NULL, 404, "No such container");
        api_expect_error(h, "DELETE", "/containers/nosuch", NULL, 404, "No such container");
        api_expect_error(h, "POST", "/containers/nosuch/rename?name=x", NULL, 404, "No such container");
}

static void test_list(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/containers/json", NULL, 200);
        assert_true(json_is_array(j));
        assert_int_equal(json_array_size(j), 0);
        json_decref(j);
        char *a = create(h, "one");
        char *b = create(h, "two");
        /* created containers are not running: only listed with all */
        j = api_expect(h, "GET", "/containers/json", NULL, 200);
        assert_int_equal(json_array_size(j), 0);
        json_decref(j);
        j = api_expect(h, "GET", "/containers/json?all=true", NULL, 200);
        assert_int_equal(json_array_size(j), 2);
        json_t *first = json_array_get(j, 0);
        assert_string_equal(json_get_str(first, "Id", ""), b); /* newest first */
        assert_string_equal(json_string_value(json_array_get(json_object_get(first, "Names"), 0)), "/two");
        assert_string_equal(json_get_str(first, "State", ""), "created");
        assert_string_equal(json_get_str(first, "Image", ""), "tiny");
        json_decref(j);
        j = api_expect(h, "GET", "/containers/json?all=1&limit=1", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        json_decref(j);
        j = api_expect(h, "GET", "/containers/json?all=1&filters=%7B%22name%22%3A%7B%22one%22%3Atrue%7D%7D", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        assert_string_equal(json_get_str(json_array_get(j, 0), "Id", ""), a);
        json_decref(j);
        j = api_expect(h, "GET", "/containers/json?filters=%7B%22status%22%3A%5B%22created%22%5D%7D", NULL, 200);
        assert_int_equal(json_array_size(j), 2);
        json_decref(j);
        api_expect_error(h, "GET", "/containers/json?filters=notjson", NULL, 400, "invalid filters");
        free(a);
        free(b);
}

static void test_rename(void **state)
{
        struct api_inproc *h = *state;
        char *id = create(h, "old");
        free(create(h, "taken"));
        api_expect(h, "POST", "/containers/old/rename?name=new", NULL, 204);
        json_t *j = api_expect(h, "GET", "/containers/new/json", NULL, 200);
        assert_string_equal(json_get_str(j, "Id", ""), id);
        assert_string_equal(json_get_str(j, "Name", ""), "/new");
        json_decref(j);
        api_expect_error(h, "GET", "/containers/old/json", NULL, 404, "No such container");
        api_expect_error(h, "POST", "/containers/new/rename?name=taken", NULL, 409, "already in use");
        api_expect_error(h, "POST", "/containers/new/rename", NULL, 400, "may be empty");
        api_expect_error(h, "POST", "/containers/new/rename?name=new", NULL, 400, "same name");
        free(id);
}

/* rename checks the new name like create does */
static void test_rename_invalid(void **state)
{
        struct api_inproc *h = *state;
        char *id = create(h, "keep");
        api_expect_error(h, "POST", "/containers/keep/rename?name=a%2Fb", NULL, 400, "Invalid container name");
        api_expect_error(h, "POST", "/containers/keep/rename?name=..", NULL, 400, "Invalid container name");
        api_expect_error(h, "POST", "/containers/keep/rename?name=%C3%A9t%C3%A9", NULL, 400, "Invalid container name");
        json_t *j = api_expect(h, "GET", "/containers/keep/json", NULL, 200);
        assert_string_equal(json_get_str(j, "Name", ""), "/keep");
        json_decref(j);
        free(id);
}

/* a long name is kept whole: the duplicate check compares it with the stored names */
static void test_long_name(void **state)
{
        struct api_inproc *h = *state;
        char name[201], path[300], want[202];
        memset(name, 'n', sizeof(name) - 1);
        name[sizeof(name) - 1] = '\0';
        free(create(h, name));
        snprintf(path, sizeof(path), "/containers/create?name=%s", name);
        api_expect_error(h, "POST", path, "{\"Image\":\"tiny\"}", 409, "already in use");
        snprintf(path, sizeof(path), "/containers/%s/json", name);
        json_t *j = api_expect(h, "GET", path, NULL, 200);
        snprintf(want, sizeof(want), "/%s", name);
        assert_string_equal(json_get_str(j, "Name", ""), want);
        json_decref(j);
        free(create(h, "short"));
        snprintf(path, sizeof(path), "/containers/short/rename?name=%s", name);
        api_expect_error(h, "POST", path, NULL, 409, "already in use");
        name[150] = 'x';
        snprintf(path, sizeof(path), "/containers/short/rename?name=%s", name);
        json_decref(api_expect(h, "POST", path, NULL, 204));
        snprintf(path, sizeof(path), "/containers/%s/json", name);
        json_decref(api_expect(h, "GET", path, NULL, 200));
}

static void test_remove(void **state)
{
        struct api_inproc *h = *state;
        char *id = create(h, "gone");
        char dir[512];
        snprintf(dir, sizeof(dir), "%s/containers/%s", api_inproc_home(h), id);
        assert_int_equal(access(dir, F_OK), 0);
        json_decref(api_expect(h, "DELETE", "/containers/gone", NULL, 204));
        assert_int_not_equal(access(dir, F_OK), 0);
        api_expect_error(h, "GET", "/containers/gone/json", NULL, 404, "No such container");
        /* the name is free again */
        free(create(h, "gone"));
        free(id);
}

static void test_image_in_use(void **state)
{
        struct api_inproc *h = *state;
        free(create(h, "user"));
        api_expect_error(h, "DELETE", "/images/tiny", NULL, 409, "conflict");
        json_decref(api_expect(h, "DELETE", "/containers/user", NULL, 204));
        json_t *j = api_expect(h, "DELETE", "/images/tiny", NULL, 200);
        assert_true(json_is_array(j));
        json_decref(j);
}

static void test_exec_create(void **state)
{
        struct api_inproc *h = *state;
        free(create(h, "idle"));
        api_expect_error(h, "POST", "/containers/nosuch/exec", "{\"Cmd\":[\"true\"]}", 404, "No such container");
        api_expect_error(h, "POST", "/containers/idle/exec", "{\"Cmd\":[\"true\"]}", 409, "is not running");
        api_expect_error(h, "POST", "/containers/idle/exec", "{", 400, "invalid JSON body");
        api_expect_error(h, "GET", "/exec/nosuch/json", NULL, 404, "No such exec instance");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_create_inspect, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_create_errors, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_inspect_missing, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_list, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_rename, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_rename_invalid, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_long_name, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_remove, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_image_in_use, setup_with_image, api_teardown),
                cmocka_unit_test_setup_teardown(test_exec_create, setup_with_image, api_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
