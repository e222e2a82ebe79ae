/* --disk-quota rules (quota/rules.c), one rule per input line: the parsed rules, rendered back as
 * PATH[&PATH]=<bytes>b specs, parse to the same rules; lookups give a rule of the set. */
#include "tests/fuzz/fuzz-common.h"

#include "quota/quota.h"

#include <jansson.h>

static char **split_lines(char *s, size_t *ret_n)
{
        size_t n = 0, cap = 8;
        char **v = calloc(cap + 1, sizeof(char *));
        for (char *save = NULL, *l = strtok_r(s, "\n", &save); v && l; l = strtok_r(NULL, "\n", &save)) {
                if (n == cap) {
                        cap *= 2;
                        v = realloc(v, (cap + 1) * sizeof(char *));
                        if (!v)
                                break;
                }
                v[n++] = l;
                v[n] = NULL;
        }
        if (!v)
                abort();
        *ret_n = n;
        return v;
}

static char *render_rule(const json_t *rule)
{
        char *out = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&out, &len);
        FUZZ_CHECK(f);
        size_t i;
        json_t *p;
        json_array_foreach(json_object_get(rule, "paths"), i, p)
                fprintf(f, "%s%s", i ? "&" : "", json_string_value(p));
        fprintf(f, "=%lldb", (long long) json_integer_value(json_object_get(rule, "size")));
        fclose(f);
        return out;
}

static void check_lookup(const json_t *rules, const char *path)
{
        int idx = -2;
        int64_t size = quota_rules_size_for(rules, path, &idx);
        size_t n = json_array_size(json_object_get(rules, "rules"));
        FUZZ_CHECK(idx >= -1 && (idx < 0 || (size_t) idx < n));
        FUZZ_CHECK(idx < 0 ? size == 0 : size > 0);
        (void) quota_rules_is_shared(rules, idx);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        if (size > 2048)
                return 0; /* regular expressions: keep single runs short */
        char *s = fuzz_str(data, size);
        size_t n;
        char **specs = split_lines(s, &n);
        json_t *rules = NULL;
        struct pouch_err err = { 0 };
        if (quota_rules_parse(specs, &rules, &err) == 0) {
                json_t *arr = json_object_get(rules, "rules");
                size_t m = json_array_size(arr);
                char **again = calloc(m + 1, sizeof(char *));
                FUZZ_CHECK(again);
                for (size_t i = 0; i < m; i++) {
                        const json_t *rule = json_array_get(arr, i);
                        FUZZ_CHECK(json_array_size(json_object_get(rule, "paths")) > 0);
                        FUZZ_CHECK(json_integer_value(json_object_get(rule, "size")) > 0);
                        again[i] = render_rule(rule);
                }
                json_t *rules2 = NULL;
                if (quota_rules_parse(again, &rules2, &err) != 0) {
                        fprintf(stderr, "re-parse failed: %s\n", err.msg);
                        abort();
                }
                FUZZ_CHECK(json_equal(rules, rules2));
                check_lookup(rules, "/");
                check_lookup(rules, "/data");
                for (size_t i = 0; i < n; i++)
                        check_lookup(rules, specs[i]);
                for (size_t i = 0; i < m; i++)
                        free(again[i]);
                free(again);
                json_decref(rules2);
                json_decref(rules);
        } else {
                FUZZ_CHECK(err.code < 0 && err.msg[0]);
        }
        int64_t v;
        if (n > 0 && quota_size_parse(specs[0], &v) == 0)
                FUZZ_CHECK(v > 0);
        free(specs);
        free(s);
        return 0;
}
