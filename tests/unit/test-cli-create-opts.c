/* `pouch run/create` option parsing: -p/--publish specs, --cpus. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "cli/create-opts.h"
#include "lib/jsonutil.h"

#include <getopt.h>
#include <string.h>

static int parse_opt(const char *opt, const char *value, struct create_opts *o)
{
        char *argv[] = { "run", (char *) opt, (char *) value, "busybox", NULL };
        char *reset[] = { "reset", NULL };
        optind = 0; /* a full getopt reset between parses */
        opterr = 0;
        (void) getopt(1, reset, "");
        return create_opts_parse(4, argv, o);
}

static int parse(const char *publish, struct create_opts *o)
{
        return parse_opt("-p", publish, o);
}

static void test_publish(void **state)
{
        (void) state;
        struct create_opts o;
        assert_int_equal(parse("127.0.0.1:8080:80/udp", &o), 0);
        const json_t *b = json_get_path(o.body, "HostConfig.PortBindings");
        const json_t *binding = json_array_get(json_object_get(b, "80/udp"), 0);
        assert_string_equal(json_get_str(binding, "HostIp", NULL), "127.0.0.1");
        assert_string_equal(json_get_str(binding, "HostPort", NULL), "8080");
        assert_non_null(json_get_path(o.body, "ExposedPorts.80/udp"));
        json_decref(o.body);
}

/* Specs without a container port: "/tcp" and ":" left no part and the container port was read
 * from before the array (found by fuzzing; UBSan: index -1 out of bounds). */
static void test_publish_no_port(void **state)
{
        (void) state;
        static const char *const bad[] = { "/tcp", ":", "::/udp", "", "0", "8080:x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct create_opts o;
                if (parse(bad[i], &o) != -1)
                        fail_msg("accepted -p \"%s\"", bad[i]);
                json_decref(o.body);
        }
}

/* --cpus whose nanoseconds do not fit in int64, or NaN: the conversion was undefined (found by
 * fuzzing; UBSan: 1.88889e+31 is outside the range of long long). */
static void test_cpus_range(void **state)
{
        (void) state;
        static const char *const bad[] = { "1e22", "nan", "inf", "-1", "0", "", "2x" };
        for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
                struct create_opts o;
                if (parse_opt("--cpus", bad[i], &o) != -1)
                        fail_msg("accepted --cpus \"%s\"", bad[i]);
                json_decref(o.body);
        }
        struct create_opts o;
        assert_int_equal(parse_opt("--cpus", "1.5", &o), 0);
        assert_int_equal(json_integer_value(json_get_path(o.body, "HostConfig.NanoCpus")), 1500000000);
        json_decref(o.body);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_publish),
                cmocka_unit_test(test_publish_no_port),
                cmocka_unit_test(test_cpus_range),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
