/* Disk quotas: the --disk-quota rule parser, rule lookup, backend names, the project-id table
 * and the parts of the manager that need no root (backend choice, argument checks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "quota/idtable.h"
#include "quota/loopdev.h"
#include "quota/mountinfo.h"
#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define G (1024LL * 1024 * 1024)
#define M (1024LL * 1024)

/* --- helpers ------------------------------------------------------------------------------- */

static json_t *parse_ok(char *const *specs)
{
        json_t *rules = NULL;
        struct pouch_err err = { 0 };
        int r = quota_rules_parse(specs, &rules, &err);
        if (r < 0)
                fprintf(stderr, "unexpected error: %s\n", err.msg);
        assert_int_equal(r, 0);
        assert_non_null(rules);
        return rules;
}

static json_t *rule_at(const json_t *rules, size_t i)
{
        return json_array_get(json_object_get(rules, "rules"), i);
}

static size_t rule_count(const json_t *rules)
{
        return json_array_size(json_object_get(rules, "rules"));
}

/* Assert rule i is {"paths": paths (comma-separated), "size": size, "regex": regex}. */
static void assert_rule(const json_t *rules, size_t i, const char *paths, int64_t size, bool regex)
{
        json_t *rule = rule_at(rules, i);
        assert_non_null(rule);
        char buf[256] = "";
        size_t j;
        json_t *v;
        json_array_foreach(json_object_get(rule, "paths"), j, v) {
                if (j)
                        strcat(buf, ",");
                strcat(buf, json_string_value(v));
        }
        assert_string_equal(buf, paths);
        assert_int_equal(json_integer_value(json_object_get(rule, "size")), size);
        assert_int_equal(json_is_true(json_object_get(rule, "regex")), regex);
}

struct tmpdir {
        char path[64];
};

static int setup_tmp(void **state)
{
        struct tmpdir *t = calloc(1, sizeof(*t));
        strcpy(t->path, "/tmp/pouch-quota-test.XXXXXX");
        assert_non_null(mkdtemp(t->path));
        *state = t;
        return 0;
}

static int teardown_tmp(void **state)
{
        struct tmpdir *t = *state;
        rm_rf(t->path);
        free(t);
        return 0;
}

/* --- sizes --------------------------------------------------------------------------------- */

static void test_size_parse(void **state)
{
        (void) state;
        int64_t v;
        assert_int_equal(quota_size_parse("10g", &v), 0);
        assert_int_equal(v, 10 * G);
        assert_int_equal(quota_size_parse("10G", &v), 0);
        assert_int_equal(v, 10 * G);
        assert_int_equal(quota_size_parse("512", &v), 0);
        assert_int_equal(v, 512);
        assert_int_equal(quota_size_parse("7b", &v), 0);
        assert_int_equal(v, 7);
        assert_int_equal(quota_size_parse("2K", &v), 0);
        assert_int_equal(v, 2048);
        assert_int_equal(quota_size_parse("3m", &v), 0);
        assert_int_equal(v, 3 * M);
        assert_int_equal(quota_size_parse("1t", &v), 0);
        assert_int_equal(v, 1024 * G);
        assert_int_equal(quota_size_parse("8388607t", &v), 0); /* 2^63 - 2^40 */
        v = 42;
        const char *bad[] = { "", "0", "0g", "-5g", "+5g", "1.5g", "10gb", "10x", "g", " 1g", "1g " };
        for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
                assert_int_equal(quota_size_parse(bad[i], &v), -EINVAL);
                assert_int_equal(v, 42);
        }
        assert_int_equal(quota_size_parse("8388608t", &v), -ERANGE);
        assert_int_equal(quota_size_parse("99999999999999999999", &v), -ERANGE);
}

/* --- every rule form ----------------------------------------------------------------------- */

static void test_parse_bare_size(void **state)
{
        (void) state;
        char *specs[] = { "10g", NULL };
        _cleanup_json_ json_t *rules = parse_ok(specs);
        assert_int_equal(rule_count(rules), 1);
        assert_rule(rules, 0, ".*", 10 * G, true);
        int idx = 7;
        assert_int_equal(quota_rules_size_for(rules, "/", &idx), 10 * G);
        assert_int_equal(idx, 0);
        assert_int_equal(quota_rules_size_for(rules, "/data", &idx), 10 * G);
        assert_int_equal(quota_rules_size_for(rules, "/var/lib/mysql", NULL), 10 * G);
        assert_false(quota_rules_is_shared(rules, 0));
}

static void test_parse_rootfs(void **state)
{
        (void) state;
        char *specs[] = { "/=10g", NULL };
        _cleanup_json_ json_t *rules = parse_ok(specs);
        assert_int_equal(rule_count(rules), 1);
        assert_rule(rules, 0, "/", 10 * G, false);
        int idx;
        assert_int_equal(quota_rules_size_for(rules, "/", &idx), 10 * G);
        assert_int_equal(idx, 0);
        assert_int_equal(quota_rules_size_for(rules, "/data", &idx), 0);
        assert_int_equal(idx, -1);
}

static void test_parse_volume(void **state)
{
        (void) state;
        char *specs[] = { "/data=5g", "//srv//www/=1m", NULL };
        _cleanup_json_ json_t *rules = parse_ok(specs);
        assert_int_equal(rule_count(rules), 2);
        assert_rule(rules, 0, "/data", 5 * G, false);
        assert_rule(rules, 1, "/srv/www", M, false);
        int idx;
        assert_int_equal(quota_rules_size_for(rules, "/data", &idx), 5 * G);
        assert_int_equal(idx, 0);
        assert_int_equal(quota_rules_size_for(rules, "/data/", &idx), 5 * G); /* normalised too */
        assert_int_equal(quota_rules_size_for(rules, "/srv/www", &idx), M);
        assert_int_equal(idx, 1);
        assert_int_equal(quota_rules_size_for(rules, "/", &idx), 0);
        assert_int_equal(idx, -1);
        assert_int_equal(quota_rules_size_for(rules, "/data2", NULL), 0);
        assert_int_equal(quota_rules_size_for(rules, "/srv", NULL), 0);
}

static void test_parse_shared(void **state)
{
        (void) state;
        char *specs[] = { "/&/data=10g", "/a&/b&/a=1g", NULL };
        _cleanup_json_ json_t *rules = parse_ok(specs);
        assert_int_equal(rule_count(rules), 2);
        assert_rule(rules, 0, "/,/data", 10 * G, false);
        assert_rule(rules, 1, "/a,/b", G, false); /* duplicates collapse */
        int i1, i2;
        assert_int_equal(quota_rules_size_for(rules, "/", &i1), 10 * G);
        assert_int_equal(quota_rules_size_for(rules, "/data", &i2), 10 * G);
        assert_int_equal(i1, 0);
        assert_int_equal(i2, 0);
        assert_true(quota_rules_is_shared(rules, 0));
        assert_true(quota_rules_is_shared(rules, 1));
        assert_false(quota_rules_is_shared(rules, 2));
        assert_false(quota_rules_is_shared(rules, -1));
}

static void test_parse_regex(void **state)
{
        (void) state;
        char *specs[] = { ".*=10g", "/data.*=1g", NULL };
        _cleanup_json_ json_t *rules = parse_ok(specs);
        assert_int_equal(rule_count(rules), 2);
        assert_rule(rules, 0, ".*", 10 * G, true);
        assert_rule(rules, 1, "/data.*", G, true);
        int idx;
        assert_int_equal(quota_rules_size_for(rules, "/data2", &idx), G);
        assert_int_equal(idx, 1);
        assert_int_equal(quota_rules_size_for(rules, "/data", &idx), G);
        /* anchored: "/x/data" does not match "/data.*", so ".*" applies */
        assert_int_equal(quota_rules_size_for(rules, "/x/data", &idx), 10 * G);
        assert_int_equal(idx, 0);
        assert_int_equal(quota_rules_size_for(rules, "/", &idx), 10 * G);
        /* a regex rule is never a shared quota, even when it matches several mount points */
        assert_false(quota_rules_is_shared(rules, 0));
}

static void test_later_rule_wins(void **state)
{
        (void) state;
        char *same[] = { "/=10g", "/=20g", NULL };
        _cleanup_json_ json_t *r1 = parse_ok(same);
        assert_int_equal(rule_count(r1), 1);
        assert_rule(r1, 0, "/", 20 * G, false);
        assert_int_equal(quota_rules_size_for(r1, "/", NULL), 20 * G);

        char *split[] = { "/&/data=10g", "/data=5g", NULL };
        _cleanup_json_ json_t *r2 = parse_ok(split);
        assert_int_equal(rule_count(r2), 2);
        assert_rule(r2, 0, "/", 10 * G, false);
        assert_rule(r2, 1, "/data", 5 * G, false);
        assert_false(quota_rules_is_shared(r2, 0));

        char *bare[] = { "10g", "5g", NULL };
        _cleanup_json_ json_t *r3 = parse_ok(bare);
        assert_int_equal(rule_count(r3), 1);
        assert_rule(r3, 0, ".*", 5 * G, true);

        char *order[] = { "/a=1g", "/b=2g", "/a=3g", NULL };
        _cleanup_json_ json_t *r4 = parse_ok(order);
        assert_int_equal(rule_count(r4), 2);
        assert_rule(r4, 0, "/b", 2 * G, false);
        assert_rule(r4, 1, "/a", 3 * G, false);
}

static void test_exact_path_beats_regex(void **state)
{
        (void) state;
        char *before[] = { ".*=1g", "/data=5g", NULL };
        char *after[] = { "/data=5g", "10g", NULL };
        _cleanup_json_ json_t *r1 = parse_ok(before);
        _cleanup_json_ json_t *r2 = parse_ok(after);
        assert_int_equal(quota_rules_size_for(r1, "/data", NULL), 5 * G);
        assert_int_equal(quota_rules_size_for(r1, "/", NULL), G);
        assert_int_equal(quota_rules_size_for(r2, "/data", NULL), 5 * G);
        assert_int_equal(quota_rules_size_for(r2, "/logs", NULL), 10 * G);
}

static void test_no_rules(void **state)
{
        (void) state;
        _cleanup_json_ json_t *rules = parse_ok(NULL);
        assert_int_equal(rule_count(rules), 0);
        int idx = 3;
        assert_int_equal(quota_rules_size_for(rules, "/", &idx), 0);
        assert_int_equal(idx, -1);
        assert_int_equal(quota_rules_size_for(NULL, "/", &idx), 0);
        assert_int_equal(idx, -1);
}

static void test_bad_rules(void **state)
{
        (void) state;
        static const struct {
                const char *spec, *why;
        } cases[] = {
                { "", "empty rule" },
                { "abc", "not a size" },
                { "/=0", "greater than 0" },
                { "0", "greater than 0" },
                { "/=-1g", "greater than 0" },
                { "=10g", "missing path" },
                { "/data=", "missing size" },
                { "/=1.5g", "not a size" },
                { "/=10q", "not a size" },
                { "/=99999999t", "too large" },
                { "/&=1g", "empty path" },
                { "&/a=1g", "empty path" },
                { "/a&&/b=1g", "empty path" },
                { "/&.*=1g", "absolute paths only" },
                { "/&data=1g", "absolute paths only" },
                { "/a/../b=1g", "'.' and '..'" },
                { "/a/./b=1g", "'.' and '..'" },
                { "[=1g", "regular expression" },
                { "data(=1g", "regular expression" },
                /* found by fuzzing: such a rule was kept without its path, and a lookup then
                 * compiled a NULL regular expression */
                { "6d\xa7\x8b"
                  "a=5g",
                  "not valid UTF-8" },
                { "/d\xff=1g", "not valid UTF-8" },
                { "/&/d\xff=1g", "not valid UTF-8" },
                /* found by fuzzing: glibc's regcomp needs seconds to minutes for these */
                { "s**********/=1g", "nested repetition" },
                { "/d+*=1g", "nested repetition" },
                { "((a{1,100}){1,100}){1,100}=1g", "{m,n} is at most 32" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
                char *specs[] = { "/=1g", (char *) cases[i].spec, NULL };
                json_t *rules = NULL;
                struct pouch_err err = { 0 };
                int r = quota_rules_parse(specs, &rules, &err);
                if (r != -EINVAL || !strstr(err.msg, cases[i].why) || !strstr(err.msg, cases[i].spec))
                        fprintf(stderr, "spec \"%s\": r=%d msg=%s\n", cases[i].spec, r, err.msg);
                assert_int_equal(r, -EINVAL);
                assert_int_equal(err.code, -EINVAL);
                assert_null(rules);
                assert_non_null(strstr(err.msg, cases[i].why));
                /* every message lists the accepted forms */
                assert_non_null(strstr(err.msg, "accepted forms: SIZE"));
                assert_non_null(strstr(err.msg, "/&/PATH=SIZE"));
                assert_non_null(strstr(err.msg, "REGEX=SIZE"));
                assert_non_null(strstr(err.msg, "b, k, m, g or t"));
        }
}

/* Long patterns are refused before regcomp; ordinary ones, brackets and escapes still work. */
static void test_regex_limits(void **state)
{
        (void) state;
        char spec[400];
        memset(spec, 'a', 300);
        strcpy(spec + 300, ".*=1g");
        char *specs[] = { spec, NULL };
        json_t *rules = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_rules_parse(specs, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "at most 256 bytes long"));
        char *fine[] = { "/data[*+]*=1g", "/a\\**=2g", "/(x|y)?z*=3g", "[]*]+=4g", NULL };
        rules = parse_ok(fine);
        assert_int_equal(json_array_size(json_object_get(rules, "rules")), 4);
        assert_int_equal(quota_rules_size_for(rules, "/data*+", NULL), 1 * G);
        assert_int_equal(quota_rules_size_for(rules, "/a***", NULL), 2 * G);
        assert_int_equal(quota_rules_size_for(rules, "/yz", NULL), 3 * G);
        json_decref(rules);
}

static void test_rules_from_map(void **state)
{
        (void) state;
        _cleanup_json_ json_t *map = json_pack("{s:s,s:s,s:s}", "", "1g", "/data", "2g", "/&/logs", "3g");
        json_t *rules = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_rules_from_map(map, &rules, &err), 0);
        assert_int_equal(rule_count(rules), 3);
        assert_rule(rules, 0, ".*", G, true);
        assert_rule(rules, 1, "/data", 2 * G, false);
        assert_rule(rules, 2, "/,/logs", 3 * G, false);
        json_decref(rules);
        rules = NULL;

        assert_int_equal(quota_rules_from_map(NULL, &rules, &err), 0);
        assert_int_equal(rule_count(rules), 0);
        json_decref(rules);
        rules = NULL;

        _cleanup_json_ json_t *bad = json_pack("{s:i}", "/", 10);
        assert_int_equal(quota_rules_from_map(bad, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "must be a string"));
        _cleanup_json_ json_t *bad2 = json_pack("{s:s}", "/", "ten");
        assert_int_equal(quota_rules_from_map(bad2, &rules, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "\"/=ten\""));
        assert_null(rules);
}

/* --- backend names -------------------------------------------------------------------------- */

static void test_backend_names(void **state)
{
        (void) state;
        for (int b = 0; b < _QUOTA_BACKEND_MAX; b++)
                assert_int_equal(quota_backend_from_string(quota_backend_to_string(b)), b);
        assert_string_equal(quota_backend_to_string(QUOTA_BACKEND_NONE), "none");
        assert_string_equal(quota_backend_to_string(QUOTA_BACKEND_PRJQUOTA), "prjquota");
        assert_string_equal(quota_backend_to_string(QUOTA_BACKEND_LOOP), "loop");
        assert_null(quota_backend_to_string(_QUOTA_BACKEND_MAX));
        assert_null(quota_backend_to_string(_QUOTA_BACKEND_INVALID));
        assert_int_equal(quota_backend_from_string("xfs"), _QUOTA_BACKEND_INVALID);
        assert_int_equal(quota_backend_from_string(""), _QUOTA_BACKEND_INVALID);
        assert_int_equal(quota_backend_from_string(NULL), _QUOTA_BACKEND_INVALID);
        assert_int_equal(quota_backend_from_string("Loop"), _QUOTA_BACKEND_INVALID);
}

/* --- the project-id table ------------------------------------------------------------------ */

static bool in_use_odd_offsets(uint32_t id, void *userdata)
{
        (*(int *) userdata)++;
        /* pretend the filesystem still accounts for AUTO_MIN+2 */
        return id == QUOTA_PROJECT_ID_AUTO_MIN + 2;
}

static void pick_put(struct idtable *t, const char *key, int64_t want, uint32_t expect, bool expect_auto)
{
        uint32_t id;
        bool is_auto;
        int calls = 0;
        assert_int_equal(idtable_pick(t, key, want, in_use_odd_offsets, &calls, &id, &is_auto), 0);
        assert_int_equal(id, expect);
        assert_int_equal(is_auto, expect_auto);
        assert_int_equal(idtable_put(t, key, id, is_auto, "/d"), 0);
}

static void test_idtable_allocation(void **state)
{
        struct tmpdir *tmp = *state;
        char path[128];
        snprintf(path, sizeof(path), "%s/project-ids.json", tmp->path);
        struct idtable *t = NULL;
        assert_int_equal(idtable_load(path, &t), 0); /* missing file: empty table */
        const uint32_t base = QUOTA_PROJECT_ID_AUTO_MIN;
        pick_put(t, "a", 0, base, true);
        pick_put(t, "b", -1, base + 1, true);
        pick_put(t, "c", 0, base + 3, true); /* base+2 is in use on the filesystem */
        pick_put(t, "fixed", 42, 42, false);
        pick_put(t, "a", 0, base, true); /* the same key keeps its id */
        pick_put(t, "fixed", 0, 42, false);
        /* a shared quota: the second key is given the first one's id */
        pick_put(t, "a-data", base, base, false);
        assert_int_equal(idtable_users(t, base), 2);
        assert_int_equal(idtable_users(t, 42), 1);
        assert_int_equal(idtable_users(t, 7), 0);

        uint32_t id;
        bool is_auto, still;
        assert_int_equal(idtable_pick(t, "x", QUOTA_PROJECT_ID_MAX + 1, NULL, NULL, &id, &is_auto), -EINVAL);
        assert_int_equal(idtable_pick(t, "x", QUOTA_PROJECT_ID_MAX, NULL, NULL, &id, &is_auto), 0);
        assert_int_equal(id, (uint32_t) QUOTA_PROJECT_ID_MAX);

        assert_int_equal(idtable_remove(t, "a", &id, &still), 0);
        assert_int_equal(id, base);
        assert_true(still); /* a-data still uses it */
        assert_int_equal(idtable_remove(t, "a", &id, &still), -ENOENT);
        assert_int_equal(idtable_remove(t, "a-data", &id, &still), 0);
        assert_false(still);
        assert_int_equal(idtable_lookup(t, "a", &id, NULL), -ENOENT);

        /* allocation moves on: a freed id is not handed out again at once */
        pick_put(t, "d", 0, base + 4, true);
        assert_int_equal(idtable_save(t), 0);
        idtable_free(t);

        /* persistence */
        t = NULL;
        assert_int_equal(idtable_load(path, &t), 0);
        assert_int_equal(idtable_lookup(t, "b", &id, &is_auto), 0);
        assert_int_equal(id, base + 1);
        assert_true(is_auto);
        assert_int_equal(idtable_lookup(t, "fixed", &id, &is_auto), 0);
        assert_int_equal(id, 42);
        assert_false(is_auto);
        assert_int_equal(idtable_lookup(t, "c", &id, NULL), 0);
        assert_int_equal(id, base + 3);
        pick_put(t, "e", 0, base + 5, true);
        idtable_free(t);
}

static void test_idtable_corrupt(void **state)
{
        struct tmpdir *tmp = *state;
        char path[128];
        snprintf(path, sizeof(path), "%s/project-ids.json", tmp->path);
        struct idtable *t = NULL;
        assert_int_equal(write_file_atomic(path, "{not json", 9, 0600), 0);
        assert_int_equal(idtable_load(path, &t), -EINVAL);
        const char *bad_id = "{\"version\":1,\"next\":5,\"projects\":{\"k\":{\"id\":0}}}";
        assert_int_equal(write_file_atomic(path, bad_id, strlen(bad_id), 0600), 0);
        assert_int_equal(idtable_load(path, &t), -EINVAL);
        assert_null(t);

        struct quota_manager *m = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_manager_open(tmp->path, "/", "none", &m, &err), -EINVAL);
        assert_null(m);
        assert_non_null(strstr(err.msg, "project-id table"));
}

static void test_manager_table_persists(void **state)
{
        struct tmpdir *tmp = *state;
        char sd[128], path[160];
        snprintf(sd, sizeof(sd), "%s/quota", tmp->path);
        snprintf(path, sizeof(path), "%s/project-ids.json", sd);
        assert_int_equal(mkdir_p(sd, 0700), 0);
        struct idtable *t = NULL;
        assert_int_equal(idtable_load(path, &t), 0);
        pick_put(t, "c1-rootfs", 0, QUOTA_PROJECT_ID_AUTO_MIN, true);
        pick_put(t, "vol1", 1000, 1000, false);
        assert_int_equal(idtable_save(t), 0);
        idtable_free(t);

        for (int round = 0; round < 2; round++) {
                struct quota_manager *m = NULL;
                struct pouch_err err = { 0 };
                assert_int_equal(quota_manager_open(sd, tmp->path, "none", &m, &err), 0);
                int64_t id = 0;
                assert_int_equal(quota_manager_project_id(m, "c1-rootfs", &id), 0);
                assert_int_equal(id, QUOTA_PROJECT_ID_AUTO_MIN);
                assert_int_equal(quota_manager_project_id(m, "vol1", &id), 0);
                assert_int_equal(id, 1000);
                assert_int_equal(quota_manager_project_id(m, "nope", &id), -ENOENT);
                /* the none backend releases nothing and keeps the table as it is */
                assert_int_equal(quota_dir_release(m, "c1-rootfs", "/nonexistent"), 0);
                quota_manager_free(m);
        }
}

/* --- the manager without root -------------------------------------------------------------- */

static void test_manager_none(void **state)
{
        struct tmpdir *tmp = *state;
        char sd[128], dir[160];
        snprintf(sd, sizeof(sd), "%s/state/quota", tmp->path);
        snprintf(dir, sizeof(dir), "%s/c1/rw", tmp->path);
        struct quota_manager *m = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_manager_open(sd, tmp->path, "none", &m, &err), 0);
        struct stat st;
        assert_int_equal(stat(sd, &st), 0); /* created */
        assert_int_equal(st.st_mode & 0777, 0700);
        assert_int_equal(quota_manager_backend(m), QUOTA_BACKEND_NONE);
        int64_t id = 0, used, limit;
        assert_int_equal(quota_dir_set(m, "c1-rw", dir, 10 * M, &id, &err), -ENOTSUP);
        assert_non_null(strstr(err.msg, "not available"));
        assert_int_equal(quota_dir_resize(m, "c1-rw", dir, 10 * M, &err), -ENOTSUP);
        assert_int_equal(quota_dir_attach(m, "c1-rw", dir, &err), 0);
        assert_int_equal(quota_dir_release(m, "c1-rw", dir), 0);
        assert_int_equal(quota_dir_usage(m, "c1-rw", dir, &used, &limit), -ENOTSUP);

        /* argument checks come before the backend */
        const char *bad_keys[] = { "", ".hidden", "a/b", "../x", "sp ace" };
        for (size_t i = 0; i < ARRAY_SIZE(bad_keys); i++) {
                err_clear(&err);
                assert_int_equal(quota_dir_set(m, bad_keys[i], dir, M, &id, &err), -EINVAL);
                assert_non_null(strstr(err.msg, "invalid quota key"));
        }
        assert_int_equal(quota_dir_set(m, "k", "relative/dir", M, &id, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "absolute path"));
        assert_int_equal(quota_dir_set(m, "k", dir, 0, &id, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "greater than 0"));
        assert_int_equal(quota_dir_resize(m, "k", dir, -1, &err), -EINVAL);
        assert_int_equal(quota_dir_release(m, "a/b", dir), -EINVAL);
        quota_manager_free(m);
        assert_null(quota_manager_free(NULL));
}

static void test_manager_force(void **state)
{
        struct tmpdir *tmp = *state;
        char sd[128];
        snprintf(sd, sizeof(sd), "%s/quota", tmp->path);
        struct quota_manager *m = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(quota_manager_open(sd, tmp->path, "zfs", &m, &err), -EINVAL);
        assert_null(m);
        assert_non_null(strstr(err.msg, "expected none, prjquota or loop"));
        assert_int_equal(quota_manager_open(NULL, tmp->path, NULL, &m, &err), -EINVAL);

        /* prjquota on a temp dir: works only where /tmp's filesystem has project quotas */
        err_clear(&err);
        int r = quota_manager_open(sd, tmp->path, "prjquota", &m, &err);
        if (r == 0) {
                assert_int_equal(quota_manager_backend(m), QUOTA_BACKEND_PRJQUOTA);
                m = quota_manager_free(m);
        } else {
                assert_int_equal(r, -ENOTSUP);
                assert_non_null(strstr(err.msg, "quota backend prjquota cannot work here: "));
                assert_true(strstr(err.msg, "prjquota") || strstr(err.msg, "ext4 or xfs") ||
                            strstr(err.msg, "quota support"));
        }

        /* detection always ends in a usable backend; the note says why others were skipped */
        assert_int_equal(quota_manager_open(sd, tmp->path, NULL, &m, &err), 0);
        enum quota_backend b = quota_manager_backend(m);
        assert_true(b >= 0 && b < _QUOTA_BACKEND_MAX);
        if (b != QUOTA_BACKEND_PRJQUOTA)
                assert_non_null(strstr(quota_manager_detect_note(m), "prjquota: "));
        if (b == QUOTA_BACKEND_NONE)
                assert_non_null(strstr(quota_manager_detect_note(m), "; loop: "));
        quota_manager_free(m);
        /* "" means detect, like NULL */
        assert_int_equal(quota_manager_open(sd, tmp->path, "", &m, &err), 0);
        assert_int_equal(quota_manager_backend(m), b);
        quota_manager_free(m);
}

/* --- mountinfo and loop helpers ------------------------------------------------------------- */

static void test_mountinfo(void **state)
{
        (void) state;
        assert_true(mountinfo_has_option("rw,relatime,prjquota", "prjquota"));
        assert_true(mountinfo_has_option("prjquota", "prjquota"));
        assert_true(mountinfo_has_option("rw,prjquota=1,x", "prjquota"));
        assert_false(mountinfo_has_option("rw,noprjquota", "prjquota"));
        assert_false(mountinfo_has_option("rw,usrquota", "quota"));
        assert_false(mountinfo_has_option("", "prjquota"));
        assert_false(mountinfo_has_option(NULL, "prjquota"));

        struct mountinfo_entry e = { 0 };
        assert_int_equal(mountinfo_find("/", &e), 0);
        assert_string_equal(e.mount_point, "/");
        mountinfo_entry_done(&e);
        assert_null(e.mount_point);
        assert_int_equal(mountinfo_find("/proc/self", &e), 0);
        assert_string_equal(e.mount_point, "/proc");
        assert_string_equal(e.fstype, "proc");
        mountinfo_entry_done(&e);
        assert_int_equal(mountinfo_find("/nonexistent/path", &e), -ENOENT);
}

static void test_loopdev_not_a_loop(void **state)
{
        (void) state;
        struct stat st;
        assert_int_equal(stat("/proc/self", &st), 0);
        char *p = NULL;
        assert_int_equal(loopdev_backing_file(st.st_dev, &p), -ENXIO);
        assert_null(p);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_size_parse),
                cmocka_unit_test(test_parse_bare_size),
                cmocka_unit_test(test_parse_rootfs),
                cmocka_unit_test(test_parse_volume),
                cmocka_unit_test(test_parse_shared),
                cmocka_unit_test(test_parse_regex),
                cmocka_unit_test(test_later_rule_wins),
                cmocka_unit_test(test_exact_path_beats_regex),
                cmocka_unit_test(test_no_rules),
                cmocka_unit_test(test_bad_rules),
                cmocka_unit_test(test_regex_limits),
                cmocka_unit_test(test_rules_from_map),
                cmocka_unit_test(test_backend_names),
                cmocka_unit_test_setup_teardown(test_idtable_allocation, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_idtable_corrupt, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_manager_table_persists, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_manager_none, setup_tmp, teardown_tmp),
                cmocka_unit_test_setup_teardown(test_manager_force, setup_tmp, teardown_tmp),
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test(test_loopdev_not_a_loop),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
