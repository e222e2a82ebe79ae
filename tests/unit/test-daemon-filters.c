/* Unit tests for daemon/filters: the API's "filters" parameter in both JSON forms, key checks, matching. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "daemon/events.h"
#include "daemon/filters.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <errno.h>
#include <string.h>

static const char *const keys[] = { "label", "label!", "name", "dangling", "until", NULL };

static struct filters *parse_ok(const char *text)
{
        struct filters *f = NULL;
        struct pouch_err err = { 0 };
        int r = filters_parse(text, keys, &f, &err);
        if (r < 0)
                fail_msg("parse %s: %d %s", text, r, err.msg);
        assert_non_null(f);
        return f;
}

/* Parsing fails with -EINVAL and a message containing want. */
static void parse_bad(const char *text, const char *const *allowed, const char *want)
{
        struct filters *f = NULL;
        struct pouch_err err = { 0 };
        int r = filters_parse(text, allowed, &f, &err);
        if (r != -EINVAL)
                fail_msg("parse %s: %d, wanted -EINVAL", text, r);
        assert_null(f);
        if (!strstr(err.msg, want))
                fail_msg("parse %s: message '%s' lacks '%s'", text, err.msg, want);
}

static size_t count(const struct filters *f, const char *key)
{
        return strv_length(filters_values(f, key));
}

static void test_map_form(void **state)
{
        (void) state;
        _cleanup_filters_ struct filters *f = parse_ok(
                "{\"label\":{\"app=web\":true,\"tier\":true},\"name\":{\"x\":true}}");
        assert_false(filters_empty(f));
        assert_true(filters_has(f, "label"));
        assert_true(filters_has(f, "name"));
        assert_false(filters_has(f, "dangling"));
        assert_int_equal(count(f, "label"), 2);
        assert_string_equal(filters_values(f, "label")[0], "app=web");
        assert_string_equal(filters_values(f, "label")[1], "tier");
        assert_string_equal(filters_values(f, "name")[0], "x");
        assert_null(filters_values(f, "dangling"));
        assert_string_equal(filters_keys(f)[0], "label");
        assert_string_equal(filters_keys(f)[1], "name");
        assert_null(filters_keys(f)[2]);
        /* dockerd does not look at the booleans: false names a value too */
        _cleanup_filters_ struct filters *g = parse_ok("{\"label\":{\"a\":false}}");
        assert_int_equal(count(g, "label"), 1);
}

static void test_list_form(void **state)
{
        (void) state;
        _cleanup_filters_ struct filters *f = parse_ok(
                "{\"label\":[\"app=web\",\"tier\",\"app=web\"],\"name\":[\"x\"]}");
        assert_int_equal(count(f, "label"), 2); /* duplicates dropped */
        assert_string_equal(filters_values(f, "label")[0], "app=web");
        assert_string_equal(filters_values(f, "label")[1], "tier");
        assert_string_equal(filters_values(f, "name")[0], "x");
        /* each key in either form */
        _cleanup_filters_ struct filters *g = parse_ok("{\"label\":[\"a\"],\"name\":{\"b\":true}}");
        assert_string_equal(filters_values(g, "label")[0], "a");
        assert_string_equal(filters_values(g, "name")[0], "b");
}

static void test_empty(void **state)
{
        (void) state;
        const char *empties[] = { NULL, "", "{}", "null" };
        for (size_t i = 0; i < ARRAY_SIZE(empties); i++) {
                _cleanup_filters_ struct filters *f = parse_ok(empties[i]);
                assert_true(filters_empty(f));
                assert_false(filters_has(f, "label"));
                assert_null(filters_keys(f)[0]);
                assert_true(filters_match_label(f, NULL));
                assert_true(filters_match_exact(f, "name", "anything"));
        }
        assert_true(filters_empty(NULL));
        /* a key with no values is present but constrains nothing */
        _cleanup_filters_ struct filters *f = parse_ok("{\"label\":[],\"name\":{}}");
        assert_true(filters_has(f, "label"));
        assert_int_equal(count(f, "label"), 0);
        assert_true(filters_match_exact(f, "name", "x"));
        assert_true(filters_match_label(f, NULL));
}

static void test_invalid(void **state)
{
        (void) state;
        parse_bad("{\"label\":", keys, "invalid filters");
        parse_bad("not json", keys, "invalid filters");
        parse_bad("[\"label\"]", keys, "JSON object");
        parse_bad("\"label=a\"", keys, "JSON object");
        parse_bad("{\"label\":[1]}", keys, "'label'");
        parse_bad("{\"label\":[\"a\",null]}", keys, "'label'");
        parse_bad("{\"label\":[[\"a\"]]}", keys, "'label'");
        parse_bad("{\"label\":{\"a\":\"yes\"}}", keys, "'label'");
        parse_bad("{\"label\":{\"a\":1}}", keys, "'label'");
        parse_bad("{\"label\":\"a\"}", keys, "'label'");
        parse_bad("{\"label\":7}", keys, "'label'");
}

static void test_unknown_keys(void **state)
{
        (void) state;
        parse_bad("{\"foo\":[\"x\"]}", keys, "invalid filter 'foo'");
        parse_bad("{\"label\":[\"a\"],\"foo\":{\"x\":true}}", keys, "invalid filter 'foo'");
        parse_bad("{\"Label\":[\"a\"]}", keys, "invalid filter 'Label'"); /* keys are case-sensitive */
        /* no list: any key */
        struct filters *f = NULL;
        assert_int_equal(filters_parse("{\"foo\":[\"x\"]}", NULL, &f, NULL), 0);
        assert_true(filters_has(f, "foo"));
        filters_free(f);
        /* from a parsed value */
        _cleanup_json_ json_t *j = json_loads("{\"name\":[\"x\"]}", 0, NULL);
        assert_int_equal(filters_from_json(j, keys, &f, NULL), 0);
        assert_string_equal(filters_values(f, "name")[0], "x");
        filters_free(f);
        static const char *const only_label[] = { "label", NULL };
        assert_int_equal(filters_from_json(j, only_label, &f, NULL), -EINVAL);
}

static void test_labels(void **state)
{
        (void) state;
        _cleanup_json_ json_t *web = json_loads("{\"app\":\"web\",\"tier\":\"front\",\"eq\":\"a=b\",\"empty\":\"\"}", 0,
                                                NULL);
        _cleanup_json_ json_t *db = json_loads("{\"app\":\"db\"}", 0, NULL);
        assert_true(filters_label_matches("app", web));
        assert_true(filters_label_matches("app=web", web));
        assert_false(filters_label_matches("app=we", web));
        assert_false(filters_label_matches("app=webs", web));
        assert_false(filters_label_matches("nope", web));
        assert_true(filters_label_matches("eq=a=b", web));
        assert_true(filters_label_matches("empty=", web));
        assert_true(filters_label_matches("empty", web));
        assert_false(filters_label_matches("app", NULL));

        struct {
                const char *filters;
                bool web, db, none;
        } cases[] = {
                { "{\"label\":[\"app=web\"]}", true, false, false },
                { "{\"label\":{\"app=web\":true}}", true, false, false },
                { "{\"label\":[\"app\"]}", true, true, false },
                { "{\"label\":[\"app=web\",\"tier=front\"]}", true, false, false }, /* all must match */
                { "{\"label\":[\"app=db\",\"tier=front\"]}", false, false, false },
                { "{\"label!\":[\"app=web\"]}", false, true, true },
                { "{\"label!\":[\"tier\",\"app=db\"]}", true, true, true }, /* excluded only when all match */
                { "{\"label\":[\"app\"],\"label!\":[\"tier\"]}", false, true, false },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_filters_ struct filters *f = parse_ok(cases[i].filters);
                if (filters_match_label(f, web) != cases[i].web || filters_match_label(f, db) != cases[i].db ||
                    filters_match_label(f, NULL) != cases[i].none)
                        fail_msg("%s: web %d db %d none %d", cases[i].filters, filters_match_label(f, web),
                                 filters_match_label(f, db), filters_match_label(f, NULL));
        }
}

static bool starts(const char *value, void *ud)
{
        return strncmp(ud, value, strlen(value)) == 0;
}

static void test_each_value(void **state)
{
        (void) state;
        _cleanup_filters_ struct filters *f = parse_ok("{\"name\":[\"web\",\"db\"]}");
        assert_true(filters_each_value(f, "name", starts, "web-1")); /* values are ORed */
        assert_true(filters_each_value(f, "name", starts, "db-1"));
        assert_false(filters_each_value(f, "name", starts, "cache"));
        assert_true(filters_each_value(f, "label", starts, "cache")); /* absent key */
        assert_true(filters_match_exact(f, "name", "db"));
        assert_false(filters_match_exact(f, "name", "db-1"));
}

static void test_bool(void **state)
{
        (void) state;
        struct {
                const char *filters;
                int r;
                bool value;
        } cases[] = {
                { "{\"dangling\":[\"true\"]}", 1, true },   { "{\"dangling\":{\"1\":true}}", 1, true },
                { "{\"dangling\":[\"TRUE\"]}", 1, true },   { "{\"dangling\":[\"false\"]}", 1, false },
                { "{\"dangling\":[\"0\"]}", 1, false },     { "{\"name\":[\"x\"]}", 0, false },
                { "{\"dangling\":[\"yes\"]}", -EINVAL, 0 }, { "{\"dangling\":[\"true\",\"false\"]}", -EINVAL, 0 },
                { "{\"dangling\":[]}", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                _cleanup_filters_ struct filters *f = parse_ok(cases[i].filters);
                bool v = false;
                struct pouch_err err = { 0 };
                int r = filters_get_bool(f, "dangling", &v, &err);
                if (r != cases[i].r || (r > 0 && v != cases[i].value))
                        fail_msg("%s: r %d v %d", cases[i].filters, r, v);
                if (r < 0 && !strstr(err.msg, "invalid filter 'dangling"))
                        fail_msg("%s: message %s", cases[i].filters, err.msg);
        }
}

static void test_time(void **state)
{
        (void) state;
        const int64_t now = 1700000000LL * 1000000000LL, s = 1000000000LL;
        struct {
                const char *until;
                int r;
                int64_t want;
        } cases[] = {
                { "24h", 1, now - 24 * 3600 * s },
                { "1h30m", 1, now - 5400 * s },
                { "90s", 1, now - 90 * s },
                { "1.5h", 1, now - 5400 * s },
                { "500ms", 1, now - s / 2 },
                { "0", 1, now },
                { "1600000000", 1, 1600000000LL * s },
                { "1600000000.5", 1, 1600000000LL * s + s / 2 },
                { "2020-09-13T12:26:40Z", 1, 1600000000LL * s },
                { "abc", -EINVAL, 0 },
                { "1e3h", -EINVAL, 0 },
                { "10", 1, 10 * s }, /* a bare number is unix seconds, as in dockerd */
                { "5d", -EINVAL, 0 },
                { "h", -EINVAL, 0 },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char text[128];
                snprintf(text, sizeof(text), "{\"until\":[\"%s\"]}", cases[i].until);
                _cleanup_filters_ struct filters *f = parse_ok(text);
                int64_t got = -1;
                int r = filters_get_time(f, "until", now, &got, NULL);
                if (r != cases[i].r || (r > 0 && got != cases[i].want))
                        fail_msg("until=%s: r %d got %lld want %lld", cases[i].until, r, (long long) got,
                                 (long long) cases[i].want);
        }
        _cleanup_filters_ struct filters *two = parse_ok("{\"until\":[\"1h\",\"2h\"]}");
        int64_t got = 0;
        assert_int_equal(filters_get_time(two, "until", now, &got, NULL), -EINVAL);
        _cleanup_filters_ struct filters *none = parse_ok("{}");
        assert_int_equal(filters_get_time(none, "until", now, &got, NULL), 0);
}

static void test_events(void **state)
{
        (void) state;
        _cleanup_json_ json_t *ev = json_loads("{\"Type\":\"container\",\"Action\":\"start\",\"scope\":\"local\","
                                               "\"Actor\":{\"ID\":\"abcdef0123\",\"Attributes\":{\"name\":\"web1\","
                                               "\"image\":\"busybox\",\"app\":\"web\"}}}",
                                               0, NULL);
        assert_non_null(ev);
        struct {
                const char *filters;
                bool match;
        } cases[] = {
                { "{}", true },
                { "{\"type\":[\"container\"]}", true },
                { "{\"type\":[\"image\"]}", false },
                { "{\"event\":[\"start\",\"die\"]}", true },
                { "{\"event\":[\"die\"]}", false },
                { "{\"container\":[\"web1\"]}", true },
                { "{\"container\":[\"abcd\"]}", true },
                { "{\"container\":[\"other\"]}", false },
                { "{\"image\":[\"busybox\"]}", true },
                { "{\"label\":[\"app=web\"]}", true },
                { "{\"label\":[\"app=db\"]}", false },
                { "{\"label\":{\"app=db\":true}}", false },
                { "{\"volume\":[\"v\"]}", false },
                { "{\"unknown-key\":[\"x\"]}", true }, /* dockerd takes any key for events */
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                struct filters *f = NULL;
                assert_int_equal(filters_parse(cases[i].filters, NULL, &f, NULL), 0);
                if (event_matches(ev, f) != cases[i].match)
                        fail_msg("%s: wanted %d", cases[i].filters, cases[i].match);
                filters_free(f);
        }
        assert_true(event_matches(ev, NULL));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_map_form),   cmocka_unit_test(test_list_form),    cmocka_unit_test(test_empty),
                cmocka_unit_test(test_invalid),    cmocka_unit_test(test_unknown_keys), cmocka_unit_test(test_labels),
                cmocka_unit_test(test_each_value), cmocka_unit_test(test_bool),         cmocka_unit_test(test_time),
                cmocka_unit_test(test_events),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
