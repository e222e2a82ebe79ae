/* Unit tests for --initscript's value (pouch-init/initscript-argv.c): a path as before, or a
 * command line split like ExecStart=. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/initscript-argv.h"
#include "pouch-init/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char root[] = "/tmp/pouch-init-iargv-XXXXXX";

static void put(const char *path, mode_t mode)
{
        char full[512];
        snprintf(full, sizeof(full), "%s%s", root, path);
        assert_int_equal(write_file_atomic(full, "echo\n", 5, mode), 0);
}

static int setup(void **state)
{
        (void) state;
        char dir[512];
        if (!mkdtemp(root))
                return -1;
        snprintf(dir, sizeof(dir), "%s/etc", root);
        return mkdir(dir, 0755);
}

static int teardown(void **state)
{
        (void) state;
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

/* The argv for value, joined with '|'; "ERR:message" on -EINVAL. */
static char *argv_of(const char *value)
{
        struct strv v = { 0 };
        const char *err = NULL;
        int r = initscript_argv(root, value, &v, &err);
        char *out = NULL;
        if (r == -EINVAL) {
                assert_non_null(err);
                assert_true(asprintf(&out, "ERR:%s", err) > 0);
                strv_free(&v);
                return out;
        }
        assert_int_equal(r, 0);
        size_t len = 1;
        for (size_t i = 0; i < v.n; i++)
                len += strlen(v.v[i]) + 1;
        out = calloc(1, len);
        assert_non_null(out);
        for (size_t i = 0; i < v.n; i++) {
                if (i)
                        strcat(out, "|");
                strcat(out, v.v[i]);
        }
        strv_free(&v);
        return out;
}

#define assert_argv(value, want)                 \
        do {                                     \
                char *got_ = argv_of(value);     \
                assert_string_equal(got_, want); \
                free(got_);                      \
        } while (0)

static void test_paths(void **state)
{
        (void) state;
        put("/etc/run.sh", 0755);
        put("/etc/plain.sh", 0644);
        put("/etc/my init.sh", 0644);
        /* an existing file is a path, as before */
        assert_argv("/etc/run.sh", "/etc/run.sh");
        assert_argv("/etc/plain.sh", "/bin/sh|/etc/plain.sh");
        /* even with a blank in its name */
        assert_argv("/etc/my init.sh", "/bin/sh|/etc/my init.sh");
}

static void test_command_lines(void **state)
{
        (void) state;
        assert_argv("/etc/init.d/myapp start", "/etc/init.d/myapp|start");
        assert_argv("/bin/sh -c \"echo hi > /tmp/x\"", "/bin/sh|-c|echo hi > /tmp/x");
        assert_argv("/bin/sh -c 'a \"b\"' x\\ y", "/bin/sh|-c|a \"b\"|x y");
        /* a missing path is a one-word command line (exec reports it) */
        assert_argv("/etc/missing.sh", "/etc/missing.sh");
        /* a script without the execute bit runs with /bin/sh, as a plain path does */
        assert_argv("/etc/plain.sh start now", "/bin/sh|/etc/plain.sh|start|now");
        assert_argv("/etc/run.sh start", "/etc/run.sh|start");
        assert_argv("\"/etc/my init.sh\" go", "/bin/sh|/etc/my init.sh|go");
        /* a bare name is searched on PATH at exec */
        assert_argv("setup --fast", "setup|--fast");
}

static void test_errors(void **state)
{
        (void) state;
        char *got = argv_of("/bin/sh -c 'unterminated");
        assert_true(strncmp(got, "ERR:", 4) == 0);
        free(got);
        got = argv_of("   ");
        assert_string_equal(got, "ERR:empty command line");
        free(got);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_paths),
                cmocka_unit_test(test_command_lines),
                cmocka_unit_test(test_errors),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
