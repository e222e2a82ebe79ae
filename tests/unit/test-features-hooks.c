/* oci-hooks(5) documents: validation, when-matching, directory overrides, injection order. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "hooks/ocihooks.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
        char dir[64];
        char a[128], b[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/pouch-hooks-test.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->a, sizeof(f->a), "%s/a", f->dir);
        snprintf(f->b, sizeof(f->b), "%s/b", f->dir);
        assert_int_equal(mkdir_p(f->a, 0755), 0);
        assert_int_equal(mkdir_p(f->b, 0755), 0);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        rm_rf(f->dir);
        free(f);
        return 0;
}

static json_t *parse(const char *text)
{
        json_error_t e;
        json_t *j = json_loads(text, 0, &e);
        if (!j)
                fail_msg("bad test JSON: %s: %s", e.text, text);
        return j;
}

static int try_parse(const char *text, struct oci_hook **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *doc = parse(text);
        return oci_hook_parse(doc, "test.json", ret, err);
}

static json_t *spec_with(const char *arg0, const char *annotations)
{
        json_t *spec = parse("{\"process\":{\"args\":[]},\"hooks\":{}}");
        json_array_append_new(json_object_get(json_object_get(spec, "process"), "args"), json_string(arg0));
        json_object_set_new(spec, "annotations", parse(annotations));
        return spec;
}

static void test_validation(void **state)
{
        (void) state;
        struct oci_hook *h = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\",\"timeout\":3},"
                                   "\"when\":{\"always\":true},\"stages\":[\"prestart\",\"poststop\"]}",
                                   &h, &err),
                         0);
        assert_true(oci_hook_has_stage(h, oci_hook_stage_index("prestart")));
        assert_true(oci_hook_has_stage(h, oci_hook_stage_index("poststop")));
        assert_false(oci_hook_has_stage(h, oci_hook_stage_index("poststart")));
        assert_int_equal(json_get_int(oci_hook_command(h), "timeout", 0), 3);
        oci_hook_free(h);

        struct {
                const char *doc, *msg;
        } bad[] = {
                { "{\"version\":\"2.0.0\",\"hook\":{\"path\":\"/bin/sh\"},\"when\":{\"always\":true},\"stages\":[\"prestart\"]}",
                  "unsupported hook version" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"sh\"},\"when\":{\"always\":true},\"stages\":[\"prestart\"]}",
                  "absolute" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/nonexistent/hook\"},\"when\":{\"always\":true},"
                  "\"stages\":[\"prestart\"]}",
                  "/nonexistent/hook" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},\"when\":{},\"stages\":[\"prestart\"]}",
                  "when must set" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},\"when\":{\"always\":true},\"stages\":[\"prestrat\"]}",
                  "unknown stage 'prestrat'" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},\"when\":{\"always\":true},\"stages\":[]}",
                  "stages" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},\"when\":{\"commands\":[\"(\"]},"
                  "\"stages\":[\"prestart\"]}",
                  "invalid command regular expression" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\",\"timeout\":0},\"when\":{\"always\":true},"
                  "\"stages\":[\"prestart\"]}",
                  "timeout" },
                { "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\",\"args\":[1]},\"when\":{\"always\":true},"
                  "\"stages\":[\"prestart\"]}",
                  "hook.args" },
        };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                h = NULL;
                err_clear(&err);
                assert_true(try_parse(bad[i].doc, &h, &err) < 0);
                assert_null(h);
                if (!strstr(err.msg, bad[i].msg))
                        fail_msg("case %zu: '%s' lacks '%s'", i, err.msg, bad[i].msg);
        }
}

static void test_matching(void **state)
{
        (void) state;
        struct oci_hook *ann = NULL, *cmd = NULL, *both = NULL, *never = NULL, *binds = NULL;
        struct pouch_err err = { 0 };
        assert_int_equal(try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},"
                                   "\"when\":{\"annotations\":{\"^com\\\\.example\\\\.trace$\":\"^(yes|on)$\"}},"
                                   "\"stages\":[\"prestart\"]}",
                                   &ann, &err),
                         0);
        assert_int_equal(
                try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},"
                          "\"when\":{\"commands\":[\"^/usr/bin/nginx$\",\"sleep$\"]},\"stages\":[\"prestart\"]}",
                          &cmd, &err),
                0);
        assert_int_equal(try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},"
                                   "\"when\":{\"always\":true,\"commands\":[\"sleep\"]},\"stages\":[\"prestart\"]}",
                                   &both, &err),
                         0);
        assert_int_equal(try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},"
                                   "\"when\":{\"always\":false,\"commands\":[\".*\"]},\"stages\":[\"prestart\"]}",
                                   &never, &err),
                         0);
        assert_int_equal(try_parse("{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\"},"
                                   "\"when\":{\"hasBindMounts\":true},\"stages\":[\"prestart\"]}",
                                   &binds, &err),
                         0);
        _cleanup_json_ json_t *traced = spec_with("/bin/sleep", "{\"com.example.trace\":\"yes\"}");
        _cleanup_json_ json_t *other = spec_with("/usr/bin/nginx", "{\"com.example.trace\":\"no\",\"x\":\"yes\"}");
        _cleanup_json_ json_t *plain = spec_with("true", "{}");

        assert_true(oci_hook_match(ann, traced, false));
        assert_false(oci_hook_match(ann, other, false)); /* key matches, value does not */
        assert_false(oci_hook_match(ann, plain, false));
        assert_true(oci_hook_match(cmd, traced, false)); /* unanchored start: "/bin/sleep" ends in sleep */
        assert_true(oci_hook_match(cmd, other, false));
        assert_false(oci_hook_match(cmd, plain, false));
        assert_true(oci_hook_match(both, traced, false));
        assert_false(oci_hook_match(both, other, false)); /* every condition set must hold */
        assert_false(oci_hook_match(never, traced, false));
        assert_true(oci_hook_match(binds, plain, true));
        assert_false(oci_hook_match(binds, plain, false));
        oci_hook_free(ann);
        oci_hook_free(cmd);
        oci_hook_free(both);
        oci_hook_free(never);
        oci_hook_free(binds);
}

static void write_hook(const char *dir, const char *name, const char *args0, const char *stage, const char *when)
{
        char path[256], text[1024];
        snprintf(path, sizeof(path), "%s/%s", dir, name);
        int n = snprintf(text, sizeof(text),
                         "{\"version\":\"1.0.0\",\"hook\":{\"path\":\"/bin/sh\",\"args\":[\"%s\"]},\"when\":%s,"
                         "\"stages\":[\"%s\"]}",
                         args0, when, stage);
        assert_int_equal(write_file_atomic(path, text, (size_t) n, 0644), 0);
}

static void test_dirs_and_inject(void **state)
{
        struct fixture *f = *state;
        write_hook(f->a, "20-second.json", "a-second", "prestart", "{\"always\":true}");
        write_hook(f->a, "10-first.json", "a-first", "prestart", "{\"always\":true}");
        write_hook(f->a, "30-replaced.json", "a-replaced", "poststop", "{\"always\":true}");
        write_hook(f->b, "30-replaced.json", "b-replacement", "poststop", "{\"always\":true}");
        write_hook(f->b, "15-nomatch.json", "b-nomatch", "prestart", "{\"commands\":[\"^nginx$\"]}");
        char bad[256];
        snprintf(bad, sizeof(bad), "%s/05-broken.json", f->b);
        assert_int_equal(write_file_atomic(bad, "{nope", 5, 0644), 0);
        snprintf(bad, sizeof(bad), "%s/README", f->b);
        assert_int_equal(write_file_atomic(bad, "not a hook", 10, 0644), 0);

        char missing[160];
        snprintf(missing, sizeof(missing), "%s/missing", f->dir);
        char *dirs[] = { f->a, f->b, missing, NULL };
        struct oci_hook_set set = { 0 };
        _cleanup_strv_free_ char **warnings = NULL;
        assert_int_equal(oci_hooks_load(dirs, &set, &warnings), 0);
        assert_int_equal(set.n, 4); /* 10, 15, 20, 30 (b's); the broken one skipped */
        assert_int_equal(strv_length(warnings), 1);
        assert_non_null(strstr(warnings[0], "05-broken.json"));

        _cleanup_json_ json_t *spec = spec_with("sleep", "{}");
        /* a hook the spec already had stays first */
        json_object_set_new(json_object_get(spec, "hooks"), "prestart", parse("[{\"path\":\"/already\"}]"));
        _cleanup_json_ json_t *applied = NULL;
        assert_int_equal(oci_hooks_inject(&set, spec, false, &applied), 0);
        json_t *pre = json_get_path(spec, "hooks.prestart");
        assert_int_equal(json_array_size(pre), 3);
        assert_string_equal(json_get_str(json_array_get(pre, 0), "path", ""), "/already");
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(pre, 1), "args"), 0)),
                            "a-first");
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(pre, 2), "args"), 0)),
                            "a-second");
        json_t *post = json_get_path(spec, "hooks.poststop");
        assert_int_equal(json_array_size(post), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(post, 0), "args"), 0)),
                            "b-replacement");
        assert_int_equal(json_array_size(applied), 3);
        assert_string_equal(json_get_str(json_array_get(applied, 2), "Stage", ""), "poststop");
        assert_non_null(strstr(json_get_str(json_array_get(applied, 2), "Source", ""), "/b/30-replaced.json"));
        oci_hook_set_done(&set);
}

static void test_default_timeout(void **state)
{
        (void) state;
        _cleanup_json_ json_t *spec =
                json_loads("{\"hooks\": {"
                           "\"prestart\": [{\"path\": \"/a\"}, {\"path\": \"/b\", \"timeout\": 5}],"
                           "\"poststop\": [{\"path\": \"/c\"}]}}",
                           0, NULL);
        assert_non_null(spec);
        /* 0 leaves every hook unbounded */
        assert_int_equal(oci_hooks_default_timeout(spec, 0), 0);
        json_t *pre = json_object_get(json_object_get(spec, "hooks"), "prestart");
        assert_null(json_object_get(json_array_get(pre, 0), "timeout"));
        /* a hook's own timeout wins; the others get the default */
        assert_int_equal(oci_hooks_default_timeout(spec, 60), 2);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pre, 0), "timeout")), 60);
        assert_int_equal(json_integer_value(json_object_get(json_array_get(pre, 1), "timeout")), 5);
        json_t *post = json_object_get(json_object_get(spec, "hooks"), "poststop");
        assert_int_equal(json_integer_value(json_object_get(json_array_get(post, 0), "timeout")), 60);
        /* idempotent; a spec without hooks is fine */
        assert_int_equal(oci_hooks_default_timeout(spec, 60), 0);
        _cleanup_json_ json_t *empty = json_object();
        assert_int_equal(oci_hooks_default_timeout(empty, 60), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_validation),
                cmocka_unit_test(test_matching),
                cmocka_unit_test_setup_teardown(test_dirs_and_inject, setup, teardown),
                cmocka_unit_test(test_default_timeout),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
