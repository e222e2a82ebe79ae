/* The CLI's Go-template subset: fields, json, index (map key and list element), len, upper. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/cli.h"

#include <stdlib.h>
#include <string.h>

static void check(const char *tmpl, const char *doc, const char *want)
{
        json_t *v = json_loads(doc, 0, NULL);
        assert_non_null(v);
        char *out = template_render(tmpl, v);
        assert_non_null(out);
        assert_string_equal(out, want);
        free(out);
        json_decref(v);
}

static void test_fields(void **state)
{
        (void) state;
        check("{{.Name}}", "{\"Name\":\"x\"}", "x");
        check("{{.State.Status}} {{.State.ExitCode}}", "{\"State\":{\"Status\":\"exited\",\"ExitCode\":3}}",
              "exited 3");
        check("{{.Missing}}", "{}", "<no value>");
        check("{{.B}}", "{\"B\":true}", "true");
        check("{{.L}}", "{\"L\":[\"a\",\"b\"]}", "[a b]");
}

static void test_functions(void **state)
{
        (void) state;
        check("{{json .L}}", "{\"L\":[1,2]}", "[1,2]");
        check("{{index .Labels \"k\"}}", "{\"Labels\":{\"k\":\"v\"}}", "v");
        check("{{index .RepoDigests 1}}", "{\"RepoDigests\":[\"a\",\"b\"]}", "b");
        check("{{index .RepoDigests 5}}", "{\"RepoDigests\":[\"a\"]}", "<no value>");
        check("{{len .L}}", "{\"L\":[1,2,3]}", "3");
        check("{{len .M}}", "{\"M\":{\"a\":1}}", "1");
        check("{{upper .S}}", "{\"S\":\"ab\"}", "AB");
        check("{{.A}}\\t{{.B}}", "{\"A\":1,\"B\":2}", "1\t2");
        /* escapes in a rendered value are the value's, not the format's */
        check("{{json .S}}\\n", "{\"S\":\"a\\nb\\tc\"}", "\"a\\nb\\tc\"\n");
        check("{{.S}}", "{\"S\":\"x\\\\ny\"}", "x\\ny");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_fields),
                cmocka_unit_test(test_functions),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
