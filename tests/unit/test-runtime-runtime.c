/* Unit tests for runtime.c (against a fake runtime script) and signal parsing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/util.h"
#include "runtime-wrap/runtime.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void test_signals(void **state)
{
        (void) state;
        assert_int_equal(signal_from_string("TERM"), SIGTERM);
        assert_int_equal(signal_from_string("SIGKILL"), SIGKILL);
        assert_int_equal(signal_from_string("sighup"), SIGHUP);
        assert_int_equal(signal_from_string("9"), 9);
        assert_int_equal(signal_from_string("64"), 64);
        assert_int_equal(signal_from_string("USR2"), SIGUSR2);
        assert_int_equal(signal_from_string("RTMIN"), SIGRTMIN);
        assert_int_equal(signal_from_string("RTMIN+3"), SIGRTMIN + 3);
        assert_int_equal(signal_from_string("SIGRTMAX-1"), SIGRTMAX - 1);
        assert_int_equal(signal_from_string("RTMAX"), SIGRTMAX);
        assert_int_equal(signal_from_string("0"), -EINVAL);
        assert_int_equal(signal_from_string("65"), -EINVAL);
        assert_int_equal(signal_from_string("9x"), -EINVAL);
        assert_int_equal(signal_from_string("SIGFOO"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN+99"), -EINVAL);
        assert_int_equal(signal_from_string("RTMIN-1"), -EINVAL);
        assert_int_equal(signal_from_string(""), -EINVAL);
}

static void test_error_messages(void **state)
{
        (void) state;
        char msg[256];
        runtime_error_message(
                "time=\"2024-01-01T00:00:00Z\" level=warning msg=\"meh\"\n"
                "time=\"2024-01-01T00:00:00Z\" level=error msg=\"container \\\"abc\\\" does not exist\"\n",
                msg, sizeof(msg));
        assert_string_equal(msg, "container \"abc\" does not exist");
        assert_int_equal(runtime_error_code(msg), -ENOENT);
        runtime_error_message("ERRO[0000] container not running\n", msg, sizeof(msg));
        assert_string_equal(msg, "container not running");
        assert_int_equal(runtime_error_code(msg), -EALREADY);
        runtime_error_message("\n  something broke  \n\n", msg, sizeof(msg));
        assert_string_equal(msg, "something broke");
        assert_int_equal(runtime_error_code(msg), -EIO);
        runtime_error_message("", msg, sizeof(msg));
        assert_string_equal(msg, "");
}

/* A fake runtime: records its argv and stdin, answers like runc. */
static const char fake_runtime[] =
        "#!/bin/sh\n"
        "d=$(dirname \"$0\")\n"
        "echo \"$@\" >> \"$d/calls\"\n"
        "shift 2\n"
        "[ \"$1\" = --systemd-cgroup ] && shift\n"
        "case \"$1\" in\n"
        "state) echo '{\"id\":\"c1\",\"status\":\"running\",\"pid\":42}' ;;\n"
        "ps) if [ \"$4\" = empty ]; then echo null; else echo '[12,34]'; fi ;;\n"
        "update) cat > \"$d/stdin\" ;;\n"
        "kill) echo 'time=\"x\" level=error msg=\"container does not exist\"' >&2; exit 1 ;;\n"
        "pause) echo 'time=\"x\" level=error msg=\"container not running\"' >&2; exit 1 ;;\n"
        "start) echo 'oops' >&2; exit 2 ;;\n"
        "esac\n"
        "exit 0\n";

static int setup_dir(void **state)
{
        char *dir = strdup("/tmp/pouch-rt-XXXXXX");
        if (!dir || !mkdtemp(dir))
                return -1;
        *state = dir;
        return 0;
}

static int teardown_dir(void **state)
{
        rm_rf(*state);
        free(*state);
        return 0;
}

static void test_fake_runtime(void **state)
{
        const char *dir = *state;
        struct pouch_err err = { 0 };
        char bin[128], root[128], calls[128], in[128];
        snprintf(bin, sizeof(bin), "%s/fakerun", dir);
        snprintf(root, sizeof(root), "%s/state/runc", dir);
        snprintf(calls, sizeof(calls), "%s/calls", dir);
        snprintf(in, sizeof(in), "%s/stdin", dir);
        assert_int_equal(write_file_atomic(bin, fake_runtime, strlen(fake_runtime), 0755), 0);

        struct runtime rt = { 0 };
        assert_int_equal(runtime_init(&rt, "/nonexistent/runc", root, &err), -ENOENT);
        assert_int_equal(runtime_init(&rt, "no-such-runtime-xyz", root, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "no-such-runtime-xyz"));
        assert_int_equal(runtime_init(&rt, bin, root, &err), 0);
        assert_string_equal(rt.name, "fakerun");
        struct stat st;
        assert_int_equal(stat(root, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0700);

        json_t *s = NULL;
        assert_int_equal(runtime_state(&rt, "c1", &s, &err), 0);
        assert_int_equal(json_integer_value(json_object_get(s, "pid")), 42);
        json_decref(s);
        pid_t *pids = NULL;
        size_t n = 0;
        assert_int_equal(runtime_pids(&rt, "c1", &pids, &n, &err), 0);
        assert_int_equal(n, 2);
        assert_int_equal(pids[1], 34);
        free(pids);
        assert_int_equal(runtime_pids(&rt, "empty", &pids, &n, &err), 0);
        assert_int_equal(n, 0);
        free(pids);
        json_t *res = json_pack("{s:{s:i}}", "pids", "limit", 7);
        assert_int_equal(runtime_update(&rt, "c1", res, &err), 0);
        json_decref(res);
        _cleanup_free_ char *stdin_data = NULL;
        assert_int_equal(read_file(in, 4096, &stdin_data, NULL), 0);
        assert_non_null(strstr(stdin_data, "\"limit\":7"));

        assert_int_equal(runtime_kill(&rt, "c1", 15, true, &err), -ENOENT);
        assert_string_equal(err.msg, "container does not exist");
        assert_int_equal(runtime_pause(&rt, "c1", &err), -EALREADY);
        assert_int_equal(runtime_start(&rt, "c1", &err), -EIO);
        assert_string_equal(err.msg, "oops");
        rt.systemd_cgroup = true;
        assert_int_equal(runtime_delete(&rt, "c1", true, &err), 0);
        assert_int_equal(runtime_resume(&rt, "c1", &err), 0);

        _cleanup_free_ char *log = NULL;
        assert_int_equal(read_file(calls, 65536, &log, NULL), 0);
        char expect[512];
        snprintf(expect, sizeof(expect), "--root %s kill --all c1 15\n", root);
        assert_non_null(strstr(log, expect));
        snprintf(expect, sizeof(expect), "--root %s update --resources - c1\n", root);
        assert_non_null(strstr(log, expect));
        snprintf(expect, sizeof(expect), "--root %s --systemd-cgroup delete --force c1\n", root);
        assert_non_null(strstr(log, expect));
        runtime_done(&rt);
        assert_null(rt.path);
}

static void test_argv_builders(void **state)
{
        (void) state;
        struct runtime rt = { .name = "runc", .path = "/usr/sbin/runc", .root = "/run/pouch/runc" };
        _cleanup_strv_free_ char **a = runtime_argv_create(&rt, "id1", "/b", "/b/pid", NULL);
        const char *want_a[] = { "/usr/sbin/runc",
                                 "--root",
                                 "/run/pouch/runc",
                                 "create",
                                 "--bundle",
                                 "/b",
                                 "--pid-file",
                                 "/b/pid",
                                 "id1",
                                 NULL };
        assert_int_equal(strv_length(a), ARRAY_SIZE(want_a) - 1);
        for (size_t i = 0; want_a[i]; i++)
                assert_string_equal(a[i], want_a[i]);

        rt.systemd_cgroup = true;
        _cleanup_strv_free_ char **b = runtime_argv_create(&rt, "id1", "/b", "/b/pid", "/b/console.sock");
        assert_string_equal(b[3], "--systemd-cgroup");
        assert_true(strv_contains(b, "--console-socket"));
        assert_string_equal(b[strv_length(b) - 1], "id1");

        rt.systemd_cgroup = false;
        _cleanup_strv_free_ char **c = runtime_argv_exec(&rt, "id1", "/b/p.json", "/b/e.pid", "/b/c.sock");
        const char *want_c[] = { "/usr/sbin/runc",
                                 "--root",
                                 "/run/pouch/runc",
                                 "exec",
                                 "-d",
                                 "--process",
                                 "/b/p.json",
                                 "--pid-file",
                                 "/b/e.pid",
                                 "-t",
                                 "--console-socket",
                                 "/b/c.sock",
                                 "id1",
                                 NULL };
        assert_int_equal(strv_length(c), ARRAY_SIZE(want_c) - 1);
        for (size_t i = 0; want_c[i]; i++)
                assert_string_equal(c[i], want_c[i]);
        _cleanup_strv_free_ char **d = runtime_argv_exec(&rt, "id1", "/b/p.json", "/b/e.pid", NULL);
        assert_false(strv_contains(d, "-t"));
        _cleanup_strv_free_ char **e = runtime_argv_delete(&rt, "id1");
        assert_string_equal(e[3], "delete");
        assert_string_equal(e[4], "--force");
        assert_string_equal(e[5], "id1");
        assert_null(e[6]);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_signals),
                cmocka_unit_test(test_error_messages),
                cmocka_unit_test_setup_teardown(test_fake_runtime, setup_dir, teardown_dir),
                cmocka_unit_test(test_argv_builders),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
