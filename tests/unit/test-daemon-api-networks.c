/* /networks: list, inspect, create, remove, prune (store only: no container joins, so no bridge
 * or firewall is touched), through the real HTTP server of an in-process daemon. */
#include "api-test-helpers.h"

static bool has_name(json_t *list, const char *name)
{
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
                if (strcmp(json_get_str(v, "Name", ""), name) == 0)
                        return true;
        return false;
}

static void test_list_predefined(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/networks", NULL, 200);
        assert_true(json_is_array(j));
        assert_true(has_name(j, "bridge"));
        assert_true(has_name(j, "host"));
        assert_true(has_name(j, "none"));
        json_decref(j);
        j = api_expect(h, "GET", "/networks?filters=%7B%22name%22%3A%7B%22host%22%3Atrue%7D%7D", NULL, 200);
        assert_int_equal(json_array_size(j), 1);
        json_decref(j);
}

static void test_inspect(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "GET", "/networks/bridge", NULL, 200);
        assert_string_equal(json_get_str(j, "Name", ""), "bridge");
        assert_string_equal(json_get_str(j, "Driver", ""), "bridge");
        assert_string_equal(json_get_str(j, "Scope", ""), "local");
        assert_int_equal(strlen(json_get_str(j, "Id", "")), 64);
        assert_true(json_is_object(json_object_get(j, "Containers")));
        assert_true(json_is_object(json_object_get(j, "IPAM")));
        char path[128];
        snprintf(path, sizeof(path), "/networks/%.12s", json_get_str(j, "Id", ""));
        json_decref(j);
        j = api_expect(h, "GET", path, NULL, 200);
        assert_string_equal(json_get_str(j, "Name", ""), "bridge");
        json_decref(j);
        api_expect_error(h, "GET", "/networks/nosuch", NULL, 404, "nosuch");
        api_expect_error(h, "DELETE", "/networks/nosuch", NULL, 404, "nosuch");
}

static void test_create_remove(void **state)
{
        struct api_inproc *h = *state;
        json_t *j = api_expect(h, "POST", "/networks/create",
                               "{\"Name\":\"appnet\",\"IPAM\":{\"Config\":[{\"Subnet\":\"10.213.7.0/24\"}]}}", 201);
        const char *id = json_get_str(j, "Id", "");
        assert_int_equal(strlen(id), 64);
        json_decref(j);
        j = api_expect(h, "GET", "/networks/appnet", NULL, 200);
        json_t *cfg = json_array_get(json_object_get(json_object_get(j, "IPAM"), "Config"), 0);
        assert_string_equal(json_get_str(cfg, "Subnet", ""), "10.213.7.0/24");
        json_decref(j);
        api_expect_error(h, "POST", "/networks/create", "{\"Name\":\"appnet\"}", 409, "appnet");
        api_expect_error(h, "POST", "/networks/create", "{}", 400, "network name is required");
        api_expect_error(h, "POST", "/networks/create", "{\"Name\":\"x\",\"Driver\":\"overlay\"}", 400, "overlay");
        api_expect_error(h, "POST", "/networks/create", "{\"Name\":\"host\"}", 403, "host");
        api_expect_error(h, "DELETE", "/networks/bridge", NULL, 403, "pre-defined");
        json_decref(api_expect(h, "DELETE", "/networks/appnet", NULL, 204));
        api_expect_error(h, "GET", "/networks/appnet", NULL, 404, "appnet");
        /* prune removes networks no container uses, never the predefined ones */
        json_decref(api_expect(h, "POST", "/networks/create", "{\"Name\":\"tmpnet\"}", 201));
        j = api_expect(h, "POST", "/networks/prune", NULL, 200);
        assert_int_equal(json_array_size(json_object_get(j, "NetworksDeleted")), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(j, "NetworksDeleted"), 0)), "tmpnet");
        json_decref(j);
        json_decref(api_expect(h, "GET", "/networks/bridge", NULL, 200));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_list_predefined, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_inspect, api_setup, api_teardown),
                cmocka_unit_test_setup_teardown(test_create_remove, api_setup, api_teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
