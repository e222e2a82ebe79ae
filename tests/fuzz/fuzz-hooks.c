/* oci-hooks(5) documents (hooks/ocihooks.c, hooks/hooksdir.c): input is a hook JSON document, a
 * NUL, then a runtime spec (a fixed one when it does not parse). A parsed hook has an absolute
 * path; injecting it adds one record per stage it names when it matches, none otherwise. */
#include "tests/fuzz/fuzz-common.h"

#include "hooks/ocihooks.h"
#include "lib/jsonutil.h"

static const char fallback[] = "{\"process\":{\"args\":[\"/bin/sh\",\"-c\",\"true\"]},"
                               "\"annotations\":{\"io.pouch.x\":\"1\",\"a\":\"b\"},\"hooks\":{}}";

/* Hook files are the administrator's (like the hook programs they run): patterns on which glibc's
 * regcomp itself needs gigabytes ("a+++++..." or nested {n,m}) are not this parser's concern. */
static bool pathological(const char *s)
{
        for (const char *p = s; p && *p; p++)
                if ((*p == '{' && p[1] >= '0' && p[1] <= '9') || (strchr("*+?", *p) && p[1] && strchr("*+?", p[1])))
                        return true;
        return false;
}

static bool pathological_regexes(const json_t *doc)
{
        const json_t *when = json_object_get(doc, "when");
        size_t i;
        json_t *v;
        const char *k;
        json_array_foreach(json_object_get(when, "commands"), i, v)
                if (pathological(json_string_value(v)))
                        return true;
        json_object_foreach((json_t *) json_object_get(when, "annotations"), k, v)
                if (pathological(k) || pathological(json_string_value(v)))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 4096)
                return 0; /* regular expressions: keep single runs short */
        char *hook_text, *spec_text;
        fuzz_split2(data, size, &hook_text, &spec_text);
        json_t *doc = json_loads(hook_text, JSON_DECODE_ANY, NULL);
        if (pathological_regexes(doc)) {
                json_decref(doc);
                free(hook_text);
                return 0;
        }
        json_t *spec = json_loads(spec_text, 0, NULL);
        if (!spec)
                spec = json_loads(fallback, 0, NULL);
        FUZZ_CHECK(spec);
        struct oci_hook *h = NULL;
        struct pouch_err err = { 0 };
        if (doc && oci_hook_parse(doc, "fuzz.json", &h, &err) == 0) {
                const json_t *cmd = oci_hook_command(h);
                FUZZ_CHECK(json_get_str(cmd, "path", "")[0] == '/');
                FUZZ_STREQ(oci_hook_source(h), "fuzz.json");
                int stages = 0;
                for (int st = 0; st < OCI_HOOK_N_STAGES; st++)
                        stages += oci_hook_has_stage(h, st);
                for (int binds = 0; binds < 2; binds++) {
                        bool match = oci_hook_match(h, spec, binds);
                        struct oci_hook_set set = { .hooks = &h, .n = 1 };
                        json_t *copy = json_deep_copy(spec), *applied = NULL;
                        FUZZ_CHECK(copy && oci_hooks_inject(&set, copy, binds, &applied) == 0);
                        FUZZ_CHECK(json_array_size(applied) == (size_t) (match ? stages : 0));
                        json_decref(applied);
                        json_decref(copy);
                }
                oci_hook_free(h);
        } else if (doc) {
                FUZZ_CHECK(err.code < 0 && err.msg[0]);
        }
        int n = oci_hooks_default_timeout(spec, 7);
        FUZZ_CHECK(n >= 0 && oci_hooks_default_timeout(spec, 7) == 0);
        json_decref(doc);
        json_decref(spec);
        free(hook_text);
        return 0;
}
