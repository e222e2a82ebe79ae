/* Rich mode: HostConfig validation, the spec rewrite of every mode, generated units, status wait. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "richmode/init-units.h"
#include "richmode/richmode.h"
#include "richmode/rootfs-files.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
        char dir[64];
        char rootfs[128], state[128], init[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/pouch-rich-test.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
        snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
        snprintf(f->init, sizeof(f->init), "%s/pouch-init", f->dir);
        assert_int_equal(mkdir_p(f->rootfs, 0755), 0);
        assert_int_equal(write_file_atomic(f->init, "#!/bin/sh\n", 10, 0755), 0);
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

static void put(struct fixture *f, const char *path, const char *content)
{
        assert_int_equal(rootfs_write_file(f->rootfs, path, content, strlen(content), 0755), 0);
}

static json_t *base_spec(const char *args_json)
{
        json_t *args = json_loads(args_json, 0, NULL);
        return json_pack("{s:{s:o,s:[s],s:s,s:{s:i,s:i}},s:[{s:s,s:s},{s:s,s:s,s:[s,s]},{s:s,s:s}]}", "process", "args",
                         args, "env", "PATH=/usr/bin:/bin", "cwd", "/srv", "user", "uid", 0, "gid", 0, "mounts",
                         "destination", "/proc", "type", "proc", "destination", "/sys/fs/cgroup", "type", "cgroup",
                         "options", "ro", "nosuid", "destination", "/etc/hosts", "type", "bind");
}

static struct rich_opts opts(struct fixture *f, enum rich_mode m)
{
        return (struct rich_opts){ .mode = m,
                                   .init_path = f->init,
                                   .state_dir = f->state,
                                   .rootfs = f->rootfs,
                                   .container_id = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                                   .stop_timeout = 7,
                                   .command_given = true };
}

static const char *arg(json_t *spec, size_t i)
{
        return json_string_value(json_array_get(json_get_path(spec, "process.args"), i));
}

static int mount_index(json_t *spec, const char *dst)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_get_str(m, "destination", ""), dst) == 0)
                        return (int) i;
        return -1;
}

static void test_modes_and_validation(void **state)
{
        (void) state;
        assert_int_equal(rich_mode_from_string(NULL), RICH_MODE_POUCH_INIT);
        assert_int_equal(rich_mode_from_string("systemd"), RICH_MODE_SYSTEMD);
        assert_true(rich_mode_from_string("upstart") < 0);
        assert_string_equal(rich_mode_to_string(RICH_MODE_SBIN_INIT), "sbin-init");
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *ok = json_pack("{s:b,s:s,s:s}", "Rich", 1, "RichMode", "dumb-init", "InitScript",
                                              "/a.sh");
        assert_int_equal(rich_validate(ok, &err), 0);
        _cleanup_json_ json_t *no_rich = json_pack("{s:s}", "InitScript", "/a.sh");
        assert_int_equal(rich_validate(no_rich, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "--rich"));
        _cleanup_json_ json_t *bad_mode = json_pack("{s:b,s:s}", "Rich", 1, "RichMode", "upstart");
        assert_int_equal(rich_validate(bad_mode, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "upstart"));
        _cleanup_json_ json_t *rel = json_pack("{s:b,s:s}", "Rich", 1, "InitScript", "init.sh");
        assert_int_equal(rich_validate(rel, &err), -EINVAL);
        /* a command line whose command is an absolute path (pouch-init splits it) */
        _cleanup_json_ json_t *cmdline = json_pack("{s:b,s:s}", "Rich", 1, "InitScript", "'/opt/my app/init' start");
        assert_int_equal(rich_validate(cmdline, &err), 0);
        _cleanup_json_ json_t *rel_cmdline = json_pack("{s:b,s:s}", "Rich", 1, "InitScript", "sh -c true");
        assert_int_equal(rich_validate(rel_cmdline, &err), -EINVAL);
        _cleanup_json_ json_t *mode_only = json_pack("{s:s}", "RichMode", "systemd");
        assert_int_equal(rich_validate(mode_only, &err), -EINVAL);
        /* RichServices: a list pouch-init knows, with --rich, in the pouch-init mode */
        _cleanup_json_ json_t *svc_ok = json_pack("{s:b,s:s}", "Rich", 1, "RichServices", "sysv,systemd");
        assert_int_equal(rich_validate(svc_ok, &err), 0);
        _cleanup_json_ json_t *svc_bad = json_pack("{s:b,s:s}", "Rich", 1, "RichServices", "sysv,upstart");
        assert_int_equal(rich_validate(svc_bad, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "invalid --rich-services 'sysv,upstart'"));
        _cleanup_json_ json_t *svc_norich = json_pack("{s:s}", "RichServices", "none");
        assert_int_equal(rich_validate(svc_norich, &err), -EINVAL);
        _cleanup_json_ json_t *svc_mode = json_pack("{s:b,s:s,s:s}", "Rich", 1, "RichMode", "systemd", "RichServices",
                                                    "none");
        assert_int_equal(rich_validate(svc_mode, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "pouch-init rich mode"));
        _cleanup_json_ json_t *sd = json_pack("{s:b,s:s}", "Rich", 1, "RichMode", "systemd");
        assert_string_equal(rich_default_stop_signal(sd), "SIGRTMIN+3");
        assert_null(rich_default_stop_signal(ok));
}

static void test_pouch_init_mode(void **state)
{
        struct fixture *f = *state;
        _cleanup_json_ json_t *spec = base_spec("[\"sleep\", \"9\"]");
        struct rich_opts o = opts(f, RICH_MODE_POUCH_INIT);
        o.initscript = "/init.sh";
        o.services = "sysv,pouch";
        struct pouch_err err = { 0 };
        const char *sig = "x";
        assert_int_equal(rich_apply(spec, &o, &sig, &err), 0);
        assert_null(sig);
        assert_string_equal(arg(spec, 0), RICH_INIT_BIN);
        assert_string_equal(arg(spec, 1), "--stop-timeout");
        assert_string_equal(arg(spec, 2), "7");
        assert_string_equal(arg(spec, 3), "--initscript");
        assert_string_equal(arg(spec, 4), "/init.sh");
        assert_string_equal(arg(spec, 5), "--rich-services");
        assert_string_equal(arg(spec, 6), "sysv,pouch");
        assert_string_equal(arg(spec, 7), "--");
        assert_string_equal(arg(spec, 8), "sleep");
        assert_string_equal(arg(spec, 9), "9");
        /* the state dir is mounted before the binary inside it */
        int sd = mount_index(spec, RICH_INIT_DIR), bin = mount_index(spec, RICH_INIT_BIN);
        assert_true(sd >= 0 && bin > sd);
        json_t *m = json_array_get(json_object_get(spec, "mounts"), (size_t) bin);
        assert_string_equal(json_get_str(m, "source", ""), f->init);
        /* the mount point for the binary exists in the state dir */
        char mp[256];
        snprintf(mp, sizeof(mp), "%s/pouch-init", f->state);
        assert_int_equal(access(mp, F_OK), 0);
        /* container=pouch added once */
        _cleanup_free_ char *env = json_dumps(json_get_path(spec, "process.env"), JSON_COMPACT);
        assert_non_null(strstr(env, "container=pouch"));
        /* no /run tmpfs in pouch-init mode */
        assert_int_equal(mount_index(spec, "/run"), -1);
}

static void test_pouch_init_without_command(void **state)
{
        struct fixture *f = *state;
        _cleanup_json_ json_t *spec = base_spec("[]");
        struct rich_opts o = opts(f, RICH_MODE_POUCH_INIT);
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), 0);
        assert_int_equal(json_array_size(json_get_path(spec, "process.args")), 3);
}

static void test_systemd_mode(void **state)
{
        struct fixture *f = *state;
        put(f, "/lib/systemd/systemd", "");
        put(f, "/usr/bin/sleep", "");
        put(f, "/usr/bin/ssh-keygen", "");
        put(f, "/lib/systemd/system/ssh.service", "[Service]\n");
        _cleanup_json_ json_t *spec = base_spec("[\"sleep\", \"it's $HOME 100%\"]");
        struct rich_opts o = opts(f, RICH_MODE_SYSTEMD);
        struct pouch_err err = { 0 };
        const char *sig = NULL;
        assert_int_equal(rich_apply(spec, &o, &sig, &err), 0);
        assert_string_equal(sig, "SIGRTMIN+3");
        assert_string_equal(arg(spec, 0), "/lib/systemd/systemd");
        assert_int_equal(json_array_size(json_get_path(spec, "process.args")), 1);
        /* tmpfs /run, /run/lock, /tmp right after the system mounts, before /etc/hosts */
        int run = mount_index(spec, "/run"), lock = mount_index(spec, "/run/lock"), tmp = mount_index(spec, "/tmp");
        int hosts = mount_index(spec, "/etc/hosts"), cg = mount_index(spec, "/sys/fs/cgroup");
        assert_true(cg < run && run < lock && lock < tmp && tmp < hosts);
        assert_true(mount_index(spec, RICH_INIT_DIR) > tmp);
        /* the container's cgroup writable */
        _cleanup_free_ char *cgo =
                json_dumps(json_object_get(json_array_get(json_object_get(spec, "mounts"), (size_t) cg), "options"), 0);
        assert_null(strstr(cgo, "\"ro\""));
        /* machine-id from the container id, the command's unit enabled, the ssh drop-in */
        _cleanup_free_ char *mid = NULL, *unit = NULL, *dropin = NULL;
        size_t len;
        char p[512];
        snprintf(p, sizeof(p), "%s/etc/machine-id", f->rootfs);
        assert_int_equal(read_file(p, 4096, &mid, &len), 0);
        assert_string_equal(mid, "0123456789abcdef0123456789abcdef\n");
        snprintf(p, sizeof(p), "%s/etc/systemd/system/pouch-command.service", f->rootfs);
        assert_int_equal(read_file(p, 65536, &unit, &len), 0);
        assert_non_null(strstr(unit, "ExecStart=\"/usr/bin/sleep\" \"it's $$HOME 100%%\"\n"));
        assert_non_null(strstr(unit, "WorkingDirectory=/srv\n"));
        assert_non_null(strstr(unit, "Environment=\"PATH=/usr/bin:/bin\"\n"));
        assert_null(strstr(unit, "container=pouch"));
        char target[512];
        snprintf(p, sizeof(p), "%s/etc/systemd/system/multi-user.target.wants/pouch-command.service", f->rootfs);
        ssize_t n = readlink(p, target, sizeof(target) - 1);
        assert_true(n > 0);
        target[n] = '\0';
        assert_string_equal(target, "/etc/systemd/system/pouch-command.service");
        snprintf(p, sizeof(p), "%s/etc/systemd/system/ssh.service.d/pouch-host-keys.conf", f->rootfs);
        assert_int_equal(read_file(p, 65536, &dropin, &len), 0);
        assert_non_null(strstr(dropin, "ssh-keygen -A"));
}

static void test_systemd_missing_and_unknown_command(void **state)
{
        struct fixture *f = *state;
        _cleanup_json_ json_t *spec = base_spec("[\"sleep\"]");
        struct rich_opts o = opts(f, RICH_MODE_SYSTEMD);
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "no systemd"));
        put(f, "/lib/systemd/systemd", "");
        _cleanup_json_ json_t *spec2 = base_spec("[\"no-such-cmd\"]");
        assert_int_equal(rich_apply(spec2, &o, NULL, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "no-such-cmd"));
}

static void test_sbin_init_busybox_and_initscript(void **state)
{
        struct fixture *f = *state;
        put(f, "/bin/busybox", "");
        assert_int_equal(rootfs_symlink(f->rootfs, "/bin/busybox", "/sbin/init"), 0);
        _cleanup_json_ json_t *spec = base_spec("[\"echo\", \"a'b\"]");
        struct rich_opts o = opts(f, RICH_MODE_SBIN_INIT);
        o.initscript = "/setup.sh";
        struct pouch_err err = { 0 };
        const char *sig = NULL;
        assert_int_equal(rich_apply(spec, &o, &sig, &err), 0);
        assert_null(sig);
        /* pouch-init runs the initscript, then execs the init */
        assert_string_equal(arg(spec, 0), RICH_INIT_BIN);
        assert_string_equal(arg(spec, 3), "--initscript");
        assert_string_equal(arg(spec, 4), "/setup.sh");
        assert_string_equal(arg(spec, 5), "--exec");
        assert_string_equal(arg(spec, 6), "--");
        assert_string_equal(arg(spec, 7), "/sbin/init");
        _cleanup_free_ char *tab = NULL;
        size_t len;
        char p[512];
        snprintf(p, sizeof(p), "%s/etc/inittab", f->rootfs);
        assert_int_equal(read_file(p, 65536, &tab, &len), 0);
        assert_non_null(strstr(tab, "::once:'echo' 'a'\\''b'\n"));
}

static void test_sbin_init_missing(void **state)
{
        struct fixture *f = *state;
        _cleanup_json_ json_t *spec = base_spec("[\"true\"]");
        struct rich_opts o = opts(f, RICH_MODE_SBIN_INIT);
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "/sbin/init"));
}

static void test_dumb_init_from_image(void **state)
{
        struct fixture *f = *state;
        put(f, "/usr/bin/dumb-init", "");
        _cleanup_json_ json_t *spec = base_spec("[\"sleep\", \"1\"]");
        struct rich_opts o = opts(f, RICH_MODE_DUMB_INIT);
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), 0);
        assert_string_equal(arg(spec, 0), "/usr/bin/dumb-init");
        assert_string_equal(arg(spec, 1), "--");
        assert_string_equal(arg(spec, 2), "sleep");
}

static void test_dumb_init_host_needs_glibc(void **state)
{
        struct fixture *f = *state;
        char host[256];
        snprintf(host, sizeof(host), "%s/host-dumb-init", f->dir);
        assert_int_equal(write_file_atomic(host, "", 0, 0755), 0);
        _cleanup_json_ json_t *spec = base_spec("[\"true\"]");
        struct rich_opts o = opts(f, RICH_MODE_DUMB_INIT);
        o.dumb_init_host = host;
        struct pouch_err err = { 0 };
        assert_int_equal(rich_apply(spec, &o, NULL, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "glibc"));
        put(f, "/lib64/ld-linux-x86-64.so.2", "");
        _cleanup_json_ json_t *spec2 = base_spec("[\"true\"]");
        assert_int_equal(rich_apply(spec2, &o, NULL, &err), 0);
        assert_string_equal(arg(spec2, 0), RICH_INIT_DIR "/dumb-init");
        /* bound after the state dir that holds its mount point */
        assert_true(mount_index(spec2, RICH_INIT_DIR "/dumb-init") > mount_index(spec2, RICH_INIT_DIR));
        o.dumb_init_host = "/nonexistent/dumb-init";
        _cleanup_json_ json_t *spec3 = base_spec("[\"true\"]");
        assert_int_equal(rich_apply(spec3, &o, NULL, &err), -ENOENT);
}

static void test_rootfs_files_stay_inside(void **state)
{
        struct fixture *f = *state;
        /* a symlink in the image pointing at an absolute host path resolves inside the rootfs */
        char outside[256];
        snprintf(outside, sizeof(outside), "%s/outside", f->dir);
        assert_int_equal(mkdir_p(outside, 0755), 0);
        char link[256];
        snprintf(link, sizeof(link), "%s/etc", f->rootfs);
        assert_int_equal(symlink(outside, link), 0);
        /* the link's target does not exist inside the rootfs: refused, never written outside */
        assert_int_equal(rootfs_write_file(f->rootfs, "/etc/machine-id", "x\n", 2, 0644), -ENOENT);
        char p[512];
        snprintf(p, sizeof(p), "%s/machine-id", outside);
        assert_int_not_equal(access(p, F_OK), 0);
        /* rootfs_find_command */
        put(f, "/usr/sbin/sshd", "");
        _cleanup_free_ char *c = rootfs_find_command(f->rootfs, "sshd");
        assert_string_equal(c, "/usr/sbin/sshd");
        assert_null(rootfs_find_command(f->rootfs, "nope"));
}

static void test_inittab_quoting(void **state)
{
        (void) state;
        _cleanup_json_ json_t *a = json_pack("[s,s]", "sh", "-c");
        _cleanup_free_ char *s = inittab_command(a);
        assert_string_equal(s, "'sh' '-c'");
}

static bool never_alive(void *ud)
{
        (void) ud;
        return false;
}

static void test_wait_initscript(void **state)
{
        struct fixture *f = *state;
        assert_int_equal(mkdir_p(f->state, 0755), 0);
        char p[256];
        snprintf(p, sizeof(p), "%s/status.json", f->state);
        struct pouch_err err = { 0 };
        const char *running = "{\"phase\":\"running\"}";
        assert_int_equal(write_file_atomic(p, running, strlen(running), 0644), 0);
        assert_int_equal(rich_wait_initscript(f->state, NULL, NULL, 1000, &err), 0);
        const char *failed =
                "{\"phase\":\"failed\",\"initscript\":{\"path\":\"/i.sh\",\"exitCode\":3,\"output\":\"boom\\n\"}}";
        assert_int_equal(write_file_atomic(p, failed, strlen(failed), 0644), 0);
        assert_int_equal(rich_wait_initscript(f->state, NULL, NULL, 1000, &err), -ECANCELED);
        assert_non_null(strstr(err.msg, "/i.sh"));
        assert_non_null(strstr(err.msg, "exit code 3"));
        assert_non_null(strstr(err.msg, "boom"));
        const char *busy = "{\"phase\":\"initscript\"}";
        assert_int_equal(write_file_atomic(p, busy, strlen(busy), 0644), 0);
        assert_int_equal(rich_wait_initscript(f->state, NULL, NULL, 100, &err), -ETIMEDOUT);
        assert_int_equal(rich_wait_initscript(f->state, never_alive, NULL, 1000, &err), -ESRCH);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_modes_and_validation),
                cmocka_unit_test_setup_teardown(test_pouch_init_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_pouch_init_without_command, setup, teardown),
                cmocka_unit_test_setup_teardown(test_systemd_mode, setup, teardown),
                cmocka_unit_test_setup_teardown(test_systemd_missing_and_unknown_command, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sbin_init_busybox_and_initscript, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sbin_init_missing, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dumb_init_from_image, setup, teardown),
                cmocka_unit_test_setup_teardown(test_dumb_init_host_needs_glibc, setup, teardown),
                cmocka_unit_test_setup_teardown(test_rootfs_files_stay_inside, setup, teardown),
                cmocka_unit_test(test_inittab_quoting),
                cmocka_unit_test_setup_teardown(test_wait_initscript, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
