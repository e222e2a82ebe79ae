/* Rich mode: the console of systemd (richmode/console.h): terminal, environment, journald drop-in,
 * the hook that holds /dev/console open, and which modes get it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "richmode/richmode.h"
#include "richmode/rootfs-files.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct fixture {
        char dir[64];
        char rootfs[128], state[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/pouch-rich-console.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
        snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
        assert_int_equal(mkdir_p(f->rootfs, 0755), 0);
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

static void put(struct fixture *f, const char *path)
{
        assert_int_equal(rootfs_write_file(f->rootfs, path, "", 0, 0755), 0);
}

static json_t *apply(struct fixture *f, enum rich_mode m, const char *env)
{
        json_t *spec = json_pack("{s:{s:[],s:[s,s],s:s},s:[{s:s,s:s}]}", "process", "args", "env", "PATH=/usr/bin:/bin",
                                 env, "cwd", "/", "mounts", "destination", "/proc", "type", "proc");
        struct rich_opts o = { .mode = m,
                               .state_dir = f->state,
                               .rootfs = f->rootfs,
                               .container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                               .stop_timeout = 10 };
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), 0);
        return spec;
}

static bool has_env(json_t *spec, const char *kv)
{
        size_t i;
        json_t *v;
        json_array_foreach(json_get_path(spec, "process.env"), i, v)
                if (strcmp(json_string_value(v), kv) == 0)
                        return true;
        return false;
}

static json_t *mount_at(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_get_str(m, "destination", ""), dst) == 0)
                        return m;
        return NULL;
}

static void test_systemd_console(void **state)
{
        struct fixture *f = *state;
        put(f, "/lib/systemd/systemd");
        _cleanup_json_ json_t *spec = apply(f, RICH_MODE_SYSTEMD, "TERM=linux");
        assert_true(json_get_bool(json_object_get(spec, "process"), "terminal", false));
        /* the user's TERM wins; colours off unless set */
        assert_true(has_env(spec, "TERM=linux"));
        assert_false(has_env(spec, "TERM=xterm"));
        assert_true(has_env(spec, "SYSTEMD_COLORS=0"));
        /* the journald drop-in: read-only, from the state dir, forwarding to the console */
        json_t *m = mount_at(spec, "/run/systemd/journald.conf.d/pouch-console.conf");
        assert_non_null(m);
        _cleanup_free_ char *opts = json_dumps(json_object_get(m, "options"), 0);
        assert_non_null(strstr(opts, "\"ro\""));
        _cleanup_free_ char *conf = NULL;
        size_t len;
        assert_int_equal(read_file(json_get_str(m, "source", ""), 4096, &conf, &len), 0);
        assert_non_null(strstr(conf, "[Journal]\nForwardToConsole=yes\n"));
        /* after the /run tmpfs, which it lands in */
        size_t i, run = 0, dropin = 0;
        json_t *x;
        json_array_foreach(json_object_get(spec, "mounts"), i, x) {
                if (strcmp(json_get_str(x, "destination", ""), "/run") == 0)
                        run = i;
                if (x == m)
                        dropin = i;
        }
        assert_true(run > 0 && dropin > run);
        /* no hook: the shim holds the console's pty open itself */
        assert_null(json_get_path(spec, "hooks.startContainer"));
}

static void test_which_modes_get_a_console(void **state)
{
        struct fixture *f = *state;
        put(f, "/lib/systemd/systemd");
        put(f, "/bin/busybox");
        /* sbin-init: a console only when /sbin/init is systemd */
        assert_int_equal(rootfs_symlink(f->rootfs, "/bin/busybox", "/sbin/init"), 0);
        _cleanup_json_ json_t *busybox = apply(f, RICH_MODE_SBIN_INIT, "A=1");
        assert_false(json_get_bool(json_object_get(busybox, "process"), "terminal", false));
        assert_null(mount_at(busybox, "/run/systemd/journald.conf.d/pouch-console.conf"));
        _cleanup_json_ json_t *hc = json_pack("{s:b,s:s}", "Rich", 1, "RichMode", "systemd");
        assert_true(rich_wants_console(hc));
        json_object_set_new(hc, "RichMode", json_string("sbin-init"));
        assert_false(rich_wants_console(hc));
        json_object_set_new(hc, "RichMode", json_string(""));
        assert_false(rich_wants_console(hc));
        json_object_set_new(hc, "RichMode", json_string("systemd"));
        json_object_set_new(hc, "Rich", json_false());
        assert_false(rich_wants_console(hc));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_systemd_console, setup, teardown),
                cmocka_unit_test_setup_teardown(test_which_modes_get_a_console, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
