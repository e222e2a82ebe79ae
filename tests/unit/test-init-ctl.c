/* Unit tests for pouch-init's control protocol: requests, answers, the status text and the
 * command lines of systemctl, service and pouch-init ctl. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/ctl-args.h"
#include "pouch-init/ctl-format.h"
#include "pouch-init/ctl-proto.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

static void test_request_parse(void **state)
{
        (void) state;
        struct ctl_request rq;
        assert_int_equal(ctl_request_parse("start web\n", 10, &rq), 0);
        assert_int_equal(rq.verb, CTL_START);
        assert_string_equal(rq.name, "web");
        /* ".service" is stripped; an instance name is fine */
        const char *l = "is-active getty@tty1.service\n";
        assert_int_equal(ctl_request_parse(l, strlen(l), &rq), 0);
        assert_int_equal(rq.verb, CTL_IS_ACTIVE);
        assert_string_equal(rq.name, "getty@tty1");
        assert_int_equal(ctl_request_parse("list-units\n", 11, &rq), 0);
        assert_int_equal(rq.verb, CTL_LIST_UNITS);
        assert_string_equal(rq.name, "");
        /* synonyms */
        assert_int_equal(ctl_request_parse("force-reload x\n", 15, &rq), 0);
        assert_int_equal(rq.verb, CTL_RESTART);
        /* only changes need root */
        assert_true(ctl_verb_changes(CTL_STOP));
        assert_true(ctl_verb_changes(CTL_ENABLE));
        assert_false(ctl_verb_changes(CTL_STATUS));
        assert_false(ctl_verb_changes(CTL_IS_ACTIVE));
        assert_false(ctl_verb_changes(CTL_LIST_UNITS));
}

static void test_request_parse_bad(void **state)
{
        (void) state;
        struct ctl_request rq;
        /* no newline yet: read more, unless the limit is reached */
        assert_int_equal(ctl_request_parse("start web", 9, &rq), -EAGAIN);
        char big[CTL_REQUEST_MAX + 10];
        memset(big, 'a', sizeof(big));
        assert_int_equal(ctl_request_parse(big, sizeof(big), &rq), -EINVAL);
        assert_int_equal(ctl_request_parse("explode web\n", 12, &rq), -EINVAL);
        assert_int_equal(ctl_request_parse("start\n", 6, &rq), -EINVAL);         /* a name is needed */
        assert_int_equal(ctl_request_parse("list-units x\n", 13, &rq), -EINVAL); /* none allowed */
        assert_int_equal(ctl_request_parse("start ../x y\n", 13, &rq), -EINVAL);
        assert_int_equal(ctl_request_parse("start a/b\n", 10, &rq), -EINVAL);
        /* nothing but the suffix is not stripped to an empty name */
        assert_int_equal(ctl_request_parse("start .service\n", 15, &rq), 0);
        assert_string_equal(rq.name, ".service");
}

static void test_request_format_reply_parse(void **state)
{
        (void) state;
        char buf[64];
        assert_int_equal(ctl_request_format(CTL_STOP, "cron", buf, sizeof(buf)), 10);
        assert_string_equal(buf, "stop cron\n");
        assert_int_equal(ctl_request_format(CTL_IS_SYSTEM_RUNNING, NULL, buf, sizeof(buf)), 18);
        assert_int_equal(ctl_request_format(CTL_STOP, "a b", buf, sizeof(buf)), -EINVAL);
        assert_int_equal(ctl_request_format(CTL_STOP, "cron", buf, 5), -ENOBUFS);
        int code, fd;
        size_t text;
        assert_int_equal(ctl_reply_parse("3 1\ninactive\n", 13, &code, &fd, &text), 0);
        assert_int_equal(code, 3);
        assert_int_equal(fd, 1);
        assert_int_equal(text, 4);
        assert_int_equal(ctl_reply_parse("4 2\n", 4, &code, &fd, &text), 0);
        assert_int_equal(fd, 2);
        assert_int_equal(ctl_reply_parse("inactive\n", 9, &code, &fd, &text), -EINVAL);
        assert_int_equal(ctl_reply_parse("300 1\n", 6, &code, &fd, &text), -EINVAL);
        assert_int_equal(ctl_reply_parse("3 7\n", 4, &code, &fd, &text), -EINVAL);
        assert_int_equal(ctl_reply_parse("", 0, &code, &fd, &text), -EINVAL);
}

static void test_states(void **state)
{
        (void) state;
        assert_string_equal(ctl_active_state("running"), "active");
        assert_string_equal(ctl_active_state("starting"), "activating");
        assert_string_equal(ctl_active_state("restarting"), "activating");
        assert_string_equal(ctl_active_state("stopping"), "deactivating");
        assert_string_equal(ctl_active_state("failed"), "failed");
        assert_string_equal(ctl_active_state("stopped"), "inactive");
        assert_string_equal(ctl_active_state("skipped"), "inactive");
        assert_string_equal(ctl_sub_state("running", true), "running");
        assert_string_equal(ctl_sub_state("running", false), "exited");
        assert_string_equal(ctl_sub_state("restarting", false), "auto-restart");
        char ago[32];
        ctl_format_ago(ago, sizeof(ago), 1000, 1005);
        assert_string_equal(ago, "5s");
        ctl_format_ago(ago, sizeof(ago), 1000, 1000 + 125);
        assert_string_equal(ago, "2min 5s");
        ctl_format_ago(ago, sizeof(ago), 1000, 1000 + 3 * 86400);
        assert_string_equal(ago, "3 days");
}

static void test_status_running(void **state)
{
        (void) state;
        struct log_ring ring = { 0 };
        for (int i = 0; i < 15; i++) {
                char line[32];
                int n = snprintf(line, sizeof(line), "line %d", i);
                log_ring_push(&ring, line, (size_t) n, 1000 + i);
        }
        assert_int_equal(ring.n, LOG_RING_LINES);
        struct ctl_unit_view v = { .name = "ssh",
                                   .description = "OpenBSD Secure Shell server",
                                   .path = "/lib/systemd/system/ssh.service",
                                   .source = "systemd",
                                   .enabled = "enabled",
                                   .state = "running",
                                   .pid = 42,
                                   .since = 1000,
                                   .restarts = 2,
                                   .log = &ring };
        struct buf b = { 0 };
        assert_int_equal(ctl_format_status(&b, &v, 1010), 0);
        const char *t = buf_str(&b);
        assert_non_null(strstr(t, "● ssh.service - OpenBSD Secure Shell server\n"));
        assert_non_null(strstr(t, "Loaded: loaded (/lib/systemd/system/ssh.service; enabled; source: systemd)"));
        assert_non_null(strstr(t, "Active: active (running) since "));
        assert_non_null(strstr(t, "; 10s ago\n"));
        assert_non_null(strstr(t, "Main PID: 42 (ssh)\n"));
        assert_non_null(strstr(t, "Restarts: 2\n"));
        /* the last 10 lines, oldest first */
        assert_null(strstr(t, "line 4\n"));
        assert_non_null(strstr(t, "ssh: line 5\n"));
        assert_non_null(strstr(t, "ssh: line 14\n"));
        assert_true(strstr(t, "line 5\n") < strstr(t, "line 14\n"));
        buf_free(&b);
        log_ring_free(&ring);
}

static void test_status_stopped_failed(void **state)
{
        (void) state;
        struct ctl_unit_view v = { .name = "cron",
                                   .source = "builtin",
                                   .enabled = "static",
                                   .state = "stopped",
                                   .since = 1000,
                                   .has_last_exit = true,
                                   .last_exit = 143 };
        struct buf b = { 0 };
        assert_int_equal(ctl_format_status(&b, &v, 1000), 3);
        assert_non_null(strstr(buf_str(&b), "Active: inactive (dead) since"));
        assert_non_null(strstr(buf_str(&b), "Loaded: loaded (built in; static; source: builtin)"));
        assert_null(strstr(buf_str(&b), "Main PID"));
        buf_free(&b);
        v.state = "failed";
        v.last_exit = 1;
        v.error = "exited with code 1";
        assert_int_equal(ctl_format_status(&b, &v, 1000), 3);
        assert_non_null(strstr(buf_str(&b), "× cron.service\n"));
        assert_non_null(strstr(buf_str(&b), "Active: failed (failed; Result: exit-code) since"));
        assert_non_null(strstr(buf_str(&b), "Error: exited with code 1\n"));
        buf_free(&b);
}

static void test_personality(void **state)
{
        (void) state;
        char *a1[] = { "/usr/bin/systemctl", "status", "ssh", NULL };
        assert_int_equal(ctl_personality(3, a1), CTL_AS_SYSTEMCTL);
        char *a2[] = { "service", "cron", "start", NULL };
        assert_int_equal(ctl_personality(3, a2), CTL_AS_SERVICE);
        char *a3[] = { "/run/pouch-init/pouch-init", "ctl", "status", "ssh", NULL };
        assert_int_equal(ctl_personality(4, a3), CTL_AS_CTL);
        char *a4[] = { "/run/pouch-init/pouch-init", "--stop-timeout", "10", "--", "ctl", NULL };
        assert_int_equal(ctl_personality(5, a4), CTL_AS_INIT);
        char *a5[] = { "/run/pouch-init/pouch-init", NULL };
        assert_int_equal(ctl_personality(1, a5), CTL_AS_INIT);
        /* a program that merely ends in systemctl is not it */
        char *a6[] = { "/usr/bin/mysystemctl", "x", NULL };
        assert_int_equal(ctl_personality(2, a6), CTL_AS_INIT);
}

static void test_systemctl_args(void **state)
{
        (void) state;
        struct ctl_args a;
        char err[256];
        char *a1[] = { "--no-pager", "-q", "is-active", "ssh.service", "cron" };
        assert_int_equal(ctl_args_parse(5, a1, &a, err, sizeof(err)), 0);
        assert_int_equal(a.verb, CTL_IS_ACTIVE);
        assert_true(a.quiet);
        assert_int_equal(a.n_names, 2);
        assert_string_equal(a.names[0], "ssh.service");
        char *a2[] = { "enable", "--now", "web", "--socket", "/tmp/s" };
        assert_int_equal(ctl_args_parse(5, a2, &a, err, sizeof(err)), 0);
        assert_int_equal(a.verb, CTL_ENABLE);
        assert_true(a.now);
        assert_string_equal(a.socket, "/tmp/s");
        assert_int_equal(a.n_names, 1);
        /* an option's value is not a unit name */
        char *a3[] = { "status", "-n", "20", "ssh" };
        assert_int_equal(ctl_args_parse(4, a3, &a, err, sizeof(err)), 0);
        assert_int_equal(a.n_names, 1);
        assert_string_equal(a.names[0], "ssh");
        /* no verb: list-units */
        assert_int_equal(ctl_args_parse(0, NULL, &a, err, sizeof(err)), 0);
        assert_int_equal(a.verb, CTL_LIST_UNITS);
        char *a4[] = { "frobnicate", "ssh" };
        assert_int_equal(ctl_args_parse(2, a4, &a, err, sizeof(err)), -EINVAL);
        assert_non_null(strstr(err, "Unknown command verb 'frobnicate'"));
        char *a5[] = { "start" };
        assert_int_equal(ctl_args_parse(1, a5, &a, err, sizeof(err)), -EINVAL);
        char *a6[] = { "--socket" };
        assert_int_equal(ctl_args_parse(1, a6, &a, err, sizeof(err)), -EINVAL);
}

static void test_service_args(void **state)
{
        (void) state;
        struct ctl_args a;
        char err[256];
        char *a1[] = { "cron", "start" };
        assert_int_equal(ctl_service_args_parse(2, a1, &a, err, sizeof(err)), 0);
        assert_int_equal(a.verb, CTL_START);
        assert_int_equal(a.n_names, 1);
        assert_string_equal(a.names[0], "cron");
        char *a2[] = { "--status-all" };
        assert_int_equal(ctl_service_args_parse(1, a2, &a, err, sizeof(err)), 0);
        assert_int_equal(a.verb, CTL_LIST_UNITS);
        char *a3[] = { "cron" };
        assert_int_equal(ctl_service_args_parse(1, a3, &a, err, sizeof(err)), -EINVAL);
        char *a4[] = { "cron", "list-units" };
        assert_int_equal(ctl_service_args_parse(2, a4, &a, err, sizeof(err)), -EINVAL);
        char *a5[] = { "cron", "dance" };
        assert_int_equal(ctl_service_args_parse(2, a5, &a, err, sizeof(err)), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_request_parse),
                cmocka_unit_test(test_request_parse_bad),
                cmocka_unit_test(test_request_format_reply_parse),
                cmocka_unit_test(test_states),
                cmocka_unit_test(test_status_running),
                cmocka_unit_test(test_status_stopped_failed),
                cmocka_unit_test(test_personality),
                cmocka_unit_test(test_systemctl_args),
                cmocka_unit_test(test_service_args),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
