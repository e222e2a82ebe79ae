/* Unit tests for pouch-init's services.d parser: keys, continuation, comments, quoting, errors
 * with line numbers, time spans, EnvironmentFile= contents, directory loading. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "pouch-init/unit-envfile.h"
#include "pouch-init/unit-parse.h"
#include "pouch-init/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void parse_ok(const char *file, const char *text, struct unit *u)
{
        assert_int_equal(unit_parse(file, text, u), 0);
        if (u->error)
                fail_msg("unexpected error: %s", u->error);
}

static void expect_error(const char *text, const char *expected)
{
        struct unit u;
        assert_int_equal(unit_parse("bad.service", text, &u), 0);
        assert_non_null(u.error);
        if (strcmp(u.error, expected) != 0)
                fail_msg("error '%s', expected '%s'", u.error, expected);
        unit_free(&u);
}

static void test_every_key(void **state)
{
        (void) state;
        struct unit u;
        parse_ok("/etc/pouch/services.d/web.service",
                 "[Unit]\n"
                 "Description=The web server\n"
                 "After=db.service cache\n"
                 "Requires=db\n"
                 "Wants=metrics.service\n"
                 "\n"
                 "[Service]\n"
                 "Type=simple\n"
                 "ExecStartPre=/bin/mkdir -p /run/web\n"
                 "ExecStartPre=-/bin/false\n"
                 "ExecStart=/usr/bin/web --port 80\n"
                 "Restart=on-failure\n"
                 "RestartSec=2s\n"
                 "User=www-data\n"
                 "Group=www\n"
                 "Environment=A=1 \"B=two words\"\n"
                 "Environment=C='single quoted'\n"
                 "EnvironmentFile=/etc/web.env\n"
                 "EnvironmentFile=-/etc/web.local\n"
                 "WorkingDirectory=/srv/web\n"
                 "\n"
                 "[Install]\n"
                 "WantedBy=multi-user.target\n",
                 &u);
        assert_string_equal(u.name, "web");
        assert_string_equal(u.description, "The web server");
        assert_int_equal(u.after.n, 2);
        assert_string_equal(u.after.v[0], "db");
        assert_string_equal(u.after.v[1], "cache");
        assert_int_equal(u.requires.n, 1);
        assert_string_equal(u.requires.v[0], "db");
        assert_int_equal(u.wants.n, 1);
        assert_string_equal(u.wants.v[0], "metrics");
        assert_int_equal(u.n_pre, 2);
        assert_string_equal(u.pre[0].path, "/bin/mkdir");
        assert_int_equal(u.pre[0].argv.n, 3);
        assert_false(u.pre[0].ignore_failure);
        assert_string_equal(u.pre[1].path, "/bin/false");
        assert_true(u.pre[1].ignore_failure);
        assert_string_equal(u.start.path, "/usr/bin/web");
        assert_int_equal(u.start.argv.n, 3);
        assert_string_equal(u.start.argv.v[0], "/usr/bin/web");
        assert_string_equal(u.start.argv.v[2], "80");
        assert_null(u.start.argv.v[3]);
        assert_int_equal(u.restart, RESTART_ON_FAILURE);
        assert_int_equal(u.restart_sec_ms, 2000);
        assert_string_equal(u.user, "www-data");
        assert_string_equal(u.group, "www");
        assert_int_equal(u.environment.n, 3);
        assert_string_equal(strv_env_get(&u.environment, "A"), "1");
        assert_string_equal(strv_env_get(&u.environment, "B"), "two words");
        assert_string_equal(strv_env_get(&u.environment, "C"), "single quoted");
        assert_int_equal(u.n_env_files, 2);
        assert_string_equal(u.env_files[0].path, "/etc/web.env");
        assert_false(u.env_files[0].optional);
        assert_string_equal(u.env_files[1].path, "/etc/web.local");
        assert_true(u.env_files[1].optional);
        assert_string_equal(u.working_dir, "/srv/web");
        assert_int_equal(u.warnings.n, 0);
        unit_free(&u);
}

static void test_defaults_and_prefixes(void **state)
{
        (void) state;
        struct unit u;
        parse_ok("x.service", "[Service]\nExecStart=-sleep 10\n", &u);
        assert_string_equal(u.name, "x");
        assert_int_equal(u.restart, RESTART_NO);
        assert_int_equal(u.restart_sec_ms, UNIT_DEFAULT_RESTART_SEC_MS);
        assert_string_equal(u.start.path, "sleep"); /* bare: searched on PATH at start */
        assert_null(u.working_dir);
        unit_free(&u);

        /* '@': the second word is argv[0]; '+' and '!' are accepted and ignored */
        parse_ok("y.service", "[Service]\nExecStart=@/bin/busybox sleep 5\nRestart=always\n", &u);
        assert_string_equal(u.start.path, "/bin/busybox");
        assert_int_equal(u.start.argv.n, 2);
        assert_string_equal(u.start.argv.v[0], "sleep");
        assert_string_equal(u.start.argv.v[1], "5");
        assert_int_equal(u.restart, RESTART_ALWAYS);
        unit_free(&u);

        parse_ok("z.service", "[Service]\nExecStart=+/bin/true\nWorkingDirectory=-~\n", &u);
        assert_string_equal(u.start.path, "/bin/true");
        assert_string_equal(u.working_dir, "~");
        assert_true(u.working_dir_optional);
        unit_free(&u);
}

static void test_comments_and_continuation(void **state)
{
        (void) state;
        struct unit u;
        parse_ok("c.service",
                 "# a comment\n"
                 "; another one\n"
                 "   # indented comment\n"
                 "[Service]\r\n"
                 "ExecStart=/bin/echo one \\\n"
                 "   two \\\n"
                 "# a comment inside the continuation is skipped\n"
                 "   three\n"
                 "Environment=X=a#b\n"
                 "  Restart = always  \n",
                 &u);
        assert_int_equal(u.start.argv.n, 4);
        assert_string_equal(u.start.argv.v[1], "one");
        assert_string_equal(u.start.argv.v[2], "two");
        assert_string_equal(u.start.argv.v[3], "three");
        /* '#' only starts a comment at the beginning of a line */
        assert_string_equal(strv_env_get(&u.environment, "X"), "a#b");
        assert_int_equal(u.restart, RESTART_ALWAYS);
        unit_free(&u);

        /* the line number of an error after a continuation counts every physical line */
        expect_error("[Service]\nExecStart=/bin/a \\\n b\nRestart sometimes\n",
                     "bad.service:4: missing '=' in 'Restart sometimes'");
}

static void test_quoting(void **state)
{
        (void) state;
        struct unit u;
        parse_ok("q.service",
                 "[Service]\n"
                 "ExecStart=/bin/sh -c \"echo 'it works' \\\"x\\\"\" 'a\\tb' x\"y z\"w \"\" \\x41\\101\n",
                 &u);
        assert_int_equal(u.start.argv.n, 7);
        assert_string_equal(u.start.argv.v[2], "echo 'it works' \"x\"");
        assert_string_equal(u.start.argv.v[3], "a\tb"); /* escapes in single quotes too, as systemd */
        assert_string_equal(u.start.argv.v[4], "xy zw");
        assert_string_equal(u.start.argv.v[5], "");
        assert_string_equal(u.start.argv.v[6], "AA");
        unit_free(&u);
}

static void test_resets_and_warnings(void **state)
{
        (void) state;
        struct unit u;
        parse_ok("r.service",
                 "[Unit]\n"
                 "After=a b\n"
                 "After=\n"
                 "After=c\n"
                 "Conflicts=foo\n"
                 "[Service]\n"
                 "ExecStartPre=/bin/a\n"
                 "ExecStartPre=\n"
                 "Environment=A=1\n"
                 "Environment=\n"
                 "Environment=B=2\n"
                 "ExecStart=/bin/x\n"
                 "ExecStart=\n"
                 "ExecStart=/bin/y\n"
                 "ProtectSystem=full\n"
                 "[X-Custom]\n"
                 "Foo=bar\n",
                 &u);
        assert_int_equal(u.after.n, 1);
        assert_string_equal(u.after.v[0], "c");
        assert_int_equal(u.n_pre, 0);
        assert_int_equal(u.environment.n, 1);
        assert_string_equal(u.environment.v[0], "B=2");
        assert_string_equal(u.start.path, "/bin/y");
        assert_int_equal(u.warnings.n, 3);
        assert_string_equal(u.warnings.v[0], "r.service:5: unsupported key Conflicts= in [Unit], ignored");
        assert_string_equal(u.warnings.v[1], "r.service:15: unsupported key ProtectSystem= in [Service], ignored");
        assert_string_equal(u.warnings.v[2], "r.service:16: unknown section [X-Custom], ignored");
        unit_free(&u);
}

static void test_errors(void **state)
{
        (void) state;
        expect_error("", "bad.service: ExecStart= is missing");
        expect_error("[Service]\nRestart=always\n", "bad.service: ExecStart= is missing");
        expect_error("ExecStart=/bin/true\n", "bad.service:1: assignment ExecStart= outside of a section");
        expect_error("[Service]\nExecStart /bin/true\n", "bad.service:2: missing '=' in 'ExecStart /bin/true'");
        expect_error("[Service\n", "bad.service:1: invalid section header '[Service'");
        expect_error("[Service]\n\n=x\n", "bad.service:3: missing key before '='");
        expect_error("[Service]\nExecStart=/bin/a\nExecStart=/bin/b\n",
                     "bad.service: ExecStart= given more than once (only Type=oneshot runs several commands)");
        expect_error("[Service]\nExecStart=/bin/echo \"unterminated\n",
                     "bad.service:2: ExecStart=: unterminated quote");
        expect_error("[Service]\nExecStart=/bin/echo \\q\n", "bad.service:2: ExecStart=: unknown escape sequence");
        expect_error("[Service]\nExecStart=-\n", "bad.service:2: ExecStart=: no command");
        expect_error("[Service]\nExecStart=@/bin/busybox\n", "bad.service:2: ExecStart=: no command");
        /* the first error wins */
        expect_error("[Service]\nExecStart /x\n[Bad\n", "bad.service:2: missing '=' in 'ExecStart /x'");
}

static void test_timespan(void **state)
{
        (void) state;
        int64_t ms;
        assert_int_equal(parse_timespan_ms("5", &ms), 0);
        assert_int_equal(ms, 5000);
        assert_int_equal(parse_timespan_ms("500ms", &ms), 0);
        assert_int_equal(ms, 500);
        assert_int_equal(parse_timespan_ms("2s", &ms), 0);
        assert_int_equal(ms, 2000);
        assert_int_equal(parse_timespan_ms("1min", &ms), 0);
        assert_int_equal(ms, 60000);
        assert_int_equal(parse_timespan_ms("1min 30s", &ms), 0);
        assert_int_equal(ms, 90000);
        assert_int_equal(parse_timespan_ms("1.5s", &ms), 0);
        assert_int_equal(ms, 1500);
        assert_int_equal(parse_timespan_ms("2 sec", &ms), 0);
        assert_int_equal(ms, 2000);
        assert_int_equal(parse_timespan_ms("1h", &ms), 0);
        assert_int_equal(ms, 3600000);
        assert_int_equal(parse_timespan_ms("200us", &ms), 0);
        assert_int_equal(ms, 1);
        assert_int_equal(parse_timespan_ms("0", &ms), 0);
        assert_int_equal(ms, 0);
        assert_int_equal(parse_timespan_ms("", &ms), -EINVAL);
        assert_int_equal(parse_timespan_ms("soon", &ms), -EINVAL);
        assert_int_equal(parse_timespan_ms("5 parsecs", &ms), -EINVAL);
        assert_int_equal(parse_timespan_ms("-1s", &ms), -EINVAL);
        assert_int_equal(parse_timespan_ms("1 2", &ms), -EINVAL);
}

static void test_envfile(void **state)
{
        (void) state;
        _cleanup_strv_ struct strv env = { 0 };
        unsigned line = 0;
        assert_int_equal(envfile_parse("# comment\n"
                                       "; comment\n"
                                       "\n"
                                       "A=1\n"
                                       "  B = spaced value  \n"
                                       "export C=exported\n"
                                       "D='single $quoted \\n'\n"
                                       "E=\"double \\\"q\\\" \\$HOME\"\n"
                                       "F=multi\\\n"
                                       "line\n"
                                       "G=\"two\n"
                                       "lines\"\n"
                                       "H=crlf\r\n"
                                       "A=override\n",
                                       &env, &line),
                         0);
        assert_string_equal(strv_env_get(&env, "A"), "override");
        assert_string_equal(strv_env_get(&env, "B"), "spaced value");
        assert_string_equal(strv_env_get(&env, "C"), "exported");
        assert_string_equal(strv_env_get(&env, "D"), "single $quoted \\n");
        assert_string_equal(strv_env_get(&env, "E"), "double \"q\" $HOME");
        assert_string_equal(strv_env_get(&env, "F"), "multiline");
        assert_string_equal(strv_env_get(&env, "G"), "two\nlines");
        assert_string_equal(strv_env_get(&env, "H"), "crlf");
        assert_int_equal(env.n, 8);

        assert_int_equal(envfile_parse("A=1\nB=2\nnot an assignment\n", &env, &line), -EINVAL);
        assert_int_equal(line, 3);
        assert_int_equal(envfile_parse("A=1\n\nB=\"open\n\n", &env, &line), -EINVAL);
        assert_int_equal(line, 3);
        assert_int_equal(envfile_parse("9X=1\n", &env, &line), -EINVAL);
        assert_int_equal(line, 1);
}

static void test_load_dir(void **state)
{
        (void) state;
        char dir[] = "/tmp/pouch-init-unit-XXXXXX";
        assert_non_null(mkdtemp(dir));
        char path[4200];
        const struct {
                const char *name;
                const char *text;
        } files[] = {
                { "b.service", "[Service]\nExecStart=/bin/b\n" },
                { "a.service", "[Service]\nExecStart=/bin/a\n" },
                { "c.service", "[Service]\nRestart=maybe\n" },
                { "notes.txt", "not a unit" },
                { ".hidden.service", "[Service]\nExecStart=/bin/h\n" },
        };
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                assert_int_equal(write_file_atomic(path, files[i].text, strlen(files[i].text), 0644), 0);
        }
        struct unit *units;
        size_t n;
        assert_int_equal(unit_load_dir(dir, &units, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(units[0].name, "a");
        assert_string_equal(units[1].name, "b");
        assert_string_equal(units[2].name, "c");
        assert_null(units[0].error);
        assert_string_equal(units[2].error, "c.service: ExecStart= is missing");
        assert_int_equal(units[2].warnings.n, 1);
        assert_string_equal(units[2].warnings.v[0], "c.service:2: Restart=maybe is not a restart policy, ignored");
        units_free(units, n);
        for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
                snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
                unlink(path);
        }
        rmdir(dir);
        /* no directory: no unit */
        assert_int_equal(unit_load_dir(dir, &units, &n), 0);
        assert_int_equal(n, 0);
        assert_null(units);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_every_key),
                cmocka_unit_test(test_defaults_and_prefixes),
                cmocka_unit_test(test_comments_and_continuation),
                cmocka_unit_test(test_quoting),
                cmocka_unit_test(test_resets_and_warnings),
                cmocka_unit_test(test_errors),
                cmocka_unit_test(test_timespan),
                cmocka_unit_test(test_envfile),
                cmocka_unit_test(test_load_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
