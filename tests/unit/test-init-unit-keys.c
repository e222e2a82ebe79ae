/* Unit tests for the unit keys of vendor units (Type=, ExecStop=, PIDFile=, Restart= values,
 * timeouts, KillMode=, conditions, RuntimeDirectory=, StandardOutput=, ...), drop-ins applied
 * after the unit, specifiers, $VAR expansion of command lines and the notify messages. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "pouch-init/exec-expand.h"
#include "pouch-init/notify.h"
#include "pouch-init/unit-parse.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_vendor_keys(void **state)
{
        (void) state;
        struct unit u;
        assert_int_equal(unit_parse("ssh.service",
                                    "[Unit]\n"
                                    "Description=OpenBSD Secure Shell server\n"
                                    "Documentation=man:sshd(8)\n"
                                    "After=network.target auditd.service\n"
                                    "Before=web.service\n"
                                    "ConditionPathExists=!/etc/ssh/sshd_not_to_be_run\n"
                                    "ConditionFileNotEmpty=/etc/ssh/sshd_config\n"
                                    "StartLimitIntervalSec=30\n"
                                    "StartLimitBurst=3\n"
                                    "[Service]\n"
                                    "EnvironmentFile=-/etc/default/ssh\n"
                                    "ExecStartPre=/usr/sbin/sshd -t\n"
                                    "ExecStart=/usr/sbin/sshd -D $SSHD_OPTS\n"
                                    "ExecStartPost=-/bin/true\n"
                                    "ExecReload=/usr/sbin/sshd -t\n"
                                    "ExecReload=/bin/kill -HUP $MAINPID\n"
                                    "ExecStop=/bin/kill -TERM $MAINPID\n"
                                    "KillMode=process\n"
                                    "KillSignal=SIGINT\n"
                                    "Restart=on-abnormal\n"
                                    "RestartPreventExitStatus=255\n"
                                    "Type=notify\n"
                                    "RuntimeDirectory=sshd other\n"
                                    "RuntimeDirectoryMode=0750\n"
                                    "TimeoutStartSec=5s\n"
                                    "TimeoutStopSec=infinity\n"
                                    "UMask=0027\n"
                                    "SupplementaryGroups=adm disk\n"
                                    "StandardOutput=null\n"
                                    "StandardError=journal\n"
                                    "PIDFile=/run/sshd.pid\n"
                                    "[Install]\n"
                                    "WantedBy=multi-user.target\n",
                                    &u),
                         0);
        assert_null(u.error);
        assert_int_equal(u.type, UNIT_NOTIFY);
        assert_int_equal(u.before.n, 1);
        assert_string_equal(u.before.v[0], "web");
        assert_int_equal(u.n_conditions, 2);
        assert_true(u.conditions[0].negate);
        assert_false(u.conditions[0].not_empty);
        assert_string_equal(u.conditions[0].path, "/etc/ssh/sshd_not_to_be_run");
        assert_true(u.conditions[1].not_empty);
        assert_int_equal(u.start_limit_burst, 3);
        assert_int_equal(u.start_limit_interval_ms, 30000);
        assert_int_equal(u.post.n, 1);
        assert_true(u.post.v[0].ignore_failure);
        assert_int_equal(u.reload.n, 2);
        assert_int_equal(u.stop.n, 1);
        assert_string_equal(u.stop.v[0].argv.v[2], "$MAINPID");
        assert_int_equal(u.kill_mode, KILL_PROCESS);
        assert_int_equal(u.kill_signal, SIGINT);
        assert_int_equal(u.restart, RESTART_ON_ABNORMAL);
        assert_int_equal(u.runtime_dirs.n, 2);
        assert_int_equal(u.runtime_dir_mode, 0750);
        assert_int_equal(u.timeout_start_ms, 5000);
        assert_int_equal(u.timeout_stop_ms, 0);
        assert_int_equal(u.umask, 027);
        assert_int_equal(u.supplementary_groups.n, 2);
        assert_true(u.stdout_null);
        assert_false(u.stderr_null);
        assert_string_equal(u.pid_file, "/run/sshd.pid");
        /* only what pouch-init does not do is a warning */
        assert_int_equal(u.warnings.n, 1);
        assert_string_equal(u.warnings.v[0],
                            "ssh.service:21: unsupported key RestartPreventExitStatus= in [Service], ignored");
        unit_free(&u);
}

static void test_types_and_restart_values(void **state)
{
        (void) state;
        static const struct {
                const char *text;
                enum unit_type type;
                enum restart_policy restart;
                size_t warnings;
        } cases[] = {
                { "Type=forking\nRestart=on-success\n", UNIT_FORKING, RESTART_ON_SUCCESS, 0 },
                { "Type=exec\nRestart=on-abort\n", UNIT_EXEC, RESTART_ON_ABORT, 0 },
                { "Type=idle\nRestart=on-watchdog\n", UNIT_IDLE, RESTART_ON_WATCHDOG, 0 },
                { "Type=dbus\nRestart=always\n", UNIT_SIMPLE, RESTART_ALWAYS, 1 },
                { "Type=simple\nRestart=sometimes\n", UNIT_SIMPLE, RESTART_NO, 1 },
        };
        for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
                char text[256];
                snprintf(text, sizeof(text), "[Service]\nExecStart=/bin/x\n%s", cases[i].text);
                struct unit u;
                assert_int_equal(unit_parse("t.service", text, &u), 0);
                assert_null(u.error);
                assert_int_equal(u.type, cases[i].type);
                assert_int_equal(u.restart, cases[i].restart);
                assert_int_equal(u.warnings.n, cases[i].warnings);
                unit_free(&u);
        }
        /* oneshot: several ExecStart=, no start timeout unless set */
        struct unit u;
        assert_int_equal(unit_parse("o.service",
                                    "[Service]\nType=oneshot\nRemainAfterExit=yes\nExecStart=/bin/a\nExecStart=/bin/b\n"
                                    "ExecStart=-/bin/c\n",
                                    &u),
                         0);
        assert_null(u.error);
        assert_true(u.remain_after_exit);
        assert_int_equal(u.timeout_start_ms, 0);
        assert_string_equal(u.start.path, "/bin/a");
        assert_int_equal(u.start_more.n, 2);
        assert_true(u.start_more.v[1].ignore_failure);
        unit_free(&u);
        /* defaults */
        assert_int_equal(unit_parse("d.service", "[Service]\nExecStart=/bin/d\n", &u), 0);
        assert_int_equal(u.type, UNIT_SIMPLE);
        assert_int_equal(u.timeout_start_ms, UNIT_DEFAULT_TIMEOUT_START_MS);
        assert_int_equal(u.timeout_stop_ms, UNIT_DEFAULT_TIMEOUT_STOP_MS);
        assert_int_equal(u.kill_mode, KILL_CONTROL_GROUP);
        assert_int_equal(u.kill_signal, SIGTERM);
        assert_int_equal(u.umask, -1);
        unit_free(&u);
}

static void test_dropin_and_specifiers(void **state)
{
        (void) state;
        struct unit u;
        assert_int_equal(unit_init(&u, "worker@blue.service"), 0);
        assert_string_equal(u.name, "worker@blue");
        assert_string_equal(u.instance, "blue");
        assert_int_equal(unit_parse_text(&u, "/lib/systemd/system/worker@.service",
                                         "[Service]\nExecStart=/bin/w %i %n %N %p 100%% %Q\nUser=u-%i\n"),
                         0);
        /* a drop-in: ExecStart= must be reset before it is set again */
        assert_int_equal(unit_parse_text(&u, "/etc/systemd/system/worker@.service.d/override.conf",
                                         "[Service]\nUser=\nExecStart=\nExecStart=/bin/w2 %I\n"),
                         0);
        assert_int_equal(unit_finish(&u), 0);
        assert_null(u.error);
        assert_null(u.user);
        assert_string_equal(u.start.path, "/bin/w2");
        assert_string_equal(u.start.argv.v[1], "blue");
        assert_int_equal(u.warnings.n, 1);
        assert_string_equal(u.warnings.v[0], "worker@.service:2: unknown specifier %Q, kept as it is");
        unit_free(&u);

        assert_int_equal(unit_parse("worker@blue.service", "[Service]\nExecStart=/bin/w %i %n %N %p 100%%\n", &u), 0);
        assert_string_equal(u.start.argv.v[1], "blue");
        assert_string_equal(u.start.argv.v[2], "worker@blue.service");
        assert_string_equal(u.start.argv.v[3], "worker@blue");
        assert_string_equal(u.start.argv.v[4], "worker");
        assert_string_equal(u.start.argv.v[5], "100%");
        unit_free(&u);

        /* a second ExecStart= in a drop-in without the reset is refused, as systemd does */
        assert_int_equal(unit_init(&u, "x"), 0);
        assert_int_equal(unit_parse_text(&u, "x.service", "[Service]\nExecStart=/bin/x\n"), 0);
        assert_int_equal(unit_parse_text(&u, "x.service.d/a.conf", "[Service]\nExecStart=/bin/y\n"), 0);
        assert_int_equal(unit_finish(&u), 0);
        assert_string_equal(u.error,
                            "x.service: ExecStart= given more than once (only Type=oneshot runs several commands)");
        unit_free(&u);
}

static void expect_argv(const char *const *in, const char *const *env, const char *const *want)
{
        _cleanup_strv_ struct strv e = { 0 }, out = { 0 };
        for (; *env; env++)
                assert_int_equal(strv_env_put(&e, *env), 0);
        assert_int_equal(exec_expand_argv((char *const *) in, &e, &out), 0);
        size_t n = 0;
        for (; want[n]; n++) {
                assert_true(n < out.n);
                assert_string_equal(out.v[n], want[n]);
        }
        assert_int_equal(out.n, n);
}

static void test_expand(void **state)
{
        (void) state;
        static const char *const env[] = { "OPTS=-a  -b\t-c", "EMPTY=", "NAME=x y", NULL };
        expect_argv((const char *const[]){ "/bin/d", "-D", "$OPTS", NULL }, env,
                    (const char *const[]){ "/bin/d", "-D", "-a", "-b", "-c", NULL });
        expect_argv((const char *const[]){ "/bin/d", "$EMPTY", "$UNSET", "-x", NULL }, env,
                    (const char *const[]){ "/bin/d", "-x", NULL });
        expect_argv((const char *const[]){ "/bin/d", "--name=${NAME}", "${UNSET}", "$$HOME", "a$NAME", NULL }, env,
                    (const char *const[]){ "/bin/d", "--name=x y", "", "$HOME", "a$NAME", NULL });
        /* the program itself is not expanded */
        expect_argv((const char *const[]){ "$OPTS", NULL }, env, (const char *const[]){ "$OPTS", NULL });
}

static void test_notify_parse(void **state)
{
        (void) state;
        struct notify_msg m = { 0 };
        static const char msg[] = "STATUS=warming up\nREADY=1\nMAINPID=4242\nX=1";
        notify_parse(msg, sizeof(msg) - 1, &m);
        assert_true(m.ready);
        assert_false(m.stopping);
        assert_int_equal(m.main_pid, 4242);
        struct notify_msg n = { 0 };
        static const char bad[] = "READY=0\nMAINPID=1\nMAINPID=abc\nREADY=1x\nSTOPPING=1\n";
        notify_parse(bad, sizeof(bad) - 1, &n);
        assert_false(n.ready);
        assert_true(n.stopping);
        assert_int_equal(n.main_pid, 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_vendor_keys),           cmocka_unit_test(test_types_and_restart_values),
                cmocka_unit_test(test_dropin_and_specifiers), cmocka_unit_test(test_expand),
                cmocka_unit_test(test_notify_parse),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
