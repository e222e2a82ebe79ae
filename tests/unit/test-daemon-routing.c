/* Unit tests for pouchd's API routing, version prefixes and event filters. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/api/api.h"
#include "daemon/events.h"
#include "daemon/filters.h"
#include "daemon/http.h"

#include <stdlib.h>
#include <string.h>

static const struct route *find(const char *method, const char *path, char *params[2], bool *known)
{
        params[0] = params[1] = NULL;
        return http_route_find(method, path, params, known);
}

static void test_routes(void **state)
{
        (void) state;
        char *p[2];
        bool known;
        const struct route *rt = find("GET", "/containers/json", p, &known);
        assert_non_null(rt);
        assert_ptr_equal(rt->fn, api_container_list);
        assert_null(p[0]);

        rt = find("POST", "/containers/abc123/start", p, &known);
        assert_non_null(rt);
        assert_ptr_equal(rt->fn, api_container_start);
        assert_string_equal(p[0], "abc123");
        free(p[0]);

        /* image names carry slashes, colons and digests */
        rt = find("GET", "/images/127.0.0.1:5000/team/app:1.0/json", p, &known);
        assert_non_null(rt);
        assert_ptr_equal(rt->fn, api_image_inspect);
        assert_string_equal(p[0], "127.0.0.1:5000/team/app:1.0");
        free(p[0]);

        rt = find("DELETE", "/images/busybox:trace", p, &known);
        assert_non_null(rt);
        assert_string_equal(p[0], "busybox:trace");
        free(p[0]);

        rt = find("DELETE", "/containers/x1", p, &known);
        assert_non_null(rt);
        assert_ptr_equal(rt->fn, api_container_delete);
        free(p[0]);

        /* HEAD /_ping is served by the GET handler */
        rt = find("HEAD", "/_ping", p, &known);
        assert_non_null(rt);
        assert_ptr_equal(rt->fn, api_ping);

        /* known path, wrong method vs unknown path */
        rt = find("PATCH", "/containers/x/start", p, &known);
        assert_null(rt);
        assert_true(known);
        rt = find("GET", "/nosuch/thing", p, &known);
        assert_null(rt);
        assert_false(known);
        rt = find("POST", "/containers//start", p, &known);
        assert_null(rt);
}

static void test_versions(void **state)
{
        (void) state;
        char *path;
        char v[16];
        assert_int_equal(http_strip_version("/v1.41/containers/json", &path, v, sizeof(v)), 0);
        assert_string_equal(path, "/containers/json");
        assert_string_equal(v, "1.41");
        free(path);
        assert_int_equal(http_strip_version("/_ping", &path, v, sizeof(v)), 0);
        assert_string_equal(path, "/_ping");
        assert_string_equal(v, "");
        free(path);
        assert_int_equal(http_strip_version("/v1.24/version", &path, v, sizeof(v)), 0);
        assert_string_equal(v, "1.24");
        free(path);
        /* "/volumes" starts with v but is not a version */
        assert_int_equal(http_strip_version("/volumes", &path, v, sizeof(v)), 0);
        assert_string_equal(path, "/volumes");
        free(path);
        assert_true(http_version_cmp("1.50", "1.41") > 0);
        assert_true(http_version_cmp("1.41", "1.41") == 0);
        assert_true(http_version_cmp("1.9", "1.41") < 0);
        assert_true(http_version_cmp("2.0", "1.41") > 0);
        /* numbers past INT_MAX are newer, not wrapped around (sscanf's %d made them older) */
        assert_true(http_version_cmp("99999999999999", "1.41") > 0);
        assert_true(http_version_cmp("1.99999999999", "1.41") > 0);
        assert_true(http_version_cmp("1.4294967337", "1.41") > 0);
        assert_true(http_version_cmp("1", "1.12") < 0);
}

/* event_matches with filters given as the query's JSON text (map or list form) */
static bool event_matches_text(const json_t *ev, const char *text)
{
        struct pouch_err err = { 0 };
        struct filters *f = NULL;
        assert_int_equal(filters_parse(text, NULL, &f, &err), 0);
        bool r = event_matches(ev, f);
        filters_free(f);
        return r;
}

static void test_event_filters(void **state)
{
        (void) state;
        struct event_bus *b = event_bus_new();
        event_publish(b, "container", "start", "abcdef0123", json_pack("{s:s,s:s}", "name", "web", "image", "busybox"));
        event_publish(b, "image", "tag", "sha256:1", NULL);
        uint64_t cursor = 0;
        json_t *e1 = event_next(b, &cursor, 1);
        json_t *e2 = event_next(b, &cursor, 1);
        assert_non_null(e1);
        assert_non_null(e2);
        assert_null(event_next(b, &cursor, 1)); /* deadline already passed */
        assert_true(event_matches_text(e1, "{\"type\":{\"container\":true}}"));
        assert_false(event_matches_text(e2, "{\"type\":[\"container\"]}"));
        assert_true(event_matches_text(e1, "{\"container\":{\"web\":true}}"));
        assert_true(event_matches_text(e1, "{\"container\":[\"abcd\"]}"));
        assert_false(event_matches_text(e1, "{\"container\":{\"other\":true}}"));
        assert_false(event_matches_text(e1, "{\"event\":[\"stop\"]}"));
        assert_string_equal(json_string_value(json_object_get(e1, "status")), "start");
        json_decref(e1);
        json_decref(e2);
        event_bus_free(b);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_routes),
                cmocka_unit_test(test_versions),
                cmocka_unit_test(test_event_filters),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
