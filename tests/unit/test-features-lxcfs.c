/* lxcfs: mountinfo parsing, spec mounts, re-binding inside another mount namespace, and the
 * supervisor (with the real lxcfs when it is installed and we are root). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "lxcfs-integration/lxcfs.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/util.h"

#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

struct fixture {
        char dir[64];
        char mp[128];
};

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/pouch-lxcfs-test.XXXXXX");
        assert_non_null(mkdtemp(f->dir));
        snprintf(f->mp, sizeof(f->mp), "%s/mp", f->dir);
        *state = f;
        return 0;
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        lxcfs_unmount(f->mp);
        rm_rf(f->dir);
        free(f);
        return 0;
}

static void fake_views(const char *mp, const char *text)
{
        const char *files[] = { "proc/meminfo", "proc/uptime", "proc/stat" };
        for (size_t i = 0; i < 3; i++) {
                _cleanup_free_ char *p = NULL;
                assert_true(asprintf(&p, "%s/%s", mp, files[i]) > 0);
                char *slash = strrchr(p, '/');
                *slash = '\0';
                assert_int_equal(mkdir_p(p, 0755), 0);
                *slash = '/';
                assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
        }
}

static void test_mountinfo(void **state)
{
        (void) state;
        const char *mi =
                "22 1 0:21 / / rw,relatime - overlay overlay rw,lowerdir=/a\n"
                "23 22 0:22 / /proc rw,nosuid - proc proc rw\n"
                "24 23 0:50 /proc/meminfo /proc/meminfo rw,nosuid,nodev,relatime - fuse.lxcfs lxcfs rw,user_id=0\n"
                "25 23 0:50 /proc/meminfo /proc/meminfo rw - fuse lxcfs rw\n"
                "26 22 0:51 / /sys ro - sysfs sysfs ro\n"
                "27 26 0:50 /sys/devices/system/cpu/online /sys/devices/system/cpu/online rw shared:5 - fuse.lxcfs "
                "lxcfs rw\n"
                "28 22 0:52 / /mnt rw - fuse.sshfs host:/x rw\n"
                "garbage line\n";
        _cleanup_strv_free_ char **t = NULL;
        assert_int_equal(lxcfs_mountinfo_targets(mi, &t), 0);
        assert_int_equal(strv_length(t), 3);
        assert_string_equal(t[0], "/proc/meminfo");
        assert_string_equal(t[1], "/proc/meminfo");
        assert_string_equal(t[2], "/sys/devices/system/cpu/online");
        _cleanup_strv_free_ char **none = NULL;
        assert_int_equal(lxcfs_mountinfo_targets("", &none), 0);
        assert_int_equal(strv_length(none), 0);
}

static void test_spec_mounts(void **state)
{
        struct fixture *f = *state;
        fake_views(f->mp, "x\n");
        json_error_t e;
        _cleanup_json_ json_t *spec = json_loads("{\"mounts\":[{\"destination\":\"/proc\",\"type\":\"proc\"}]}", 0, &e);
        _cleanup_json_ json_t *targets = NULL;
        assert_int_equal(lxcfs_spec_add_mounts(f->mp, spec, &targets), 0);
        /* only what the mount point serves, after the existing /proc mount */
        assert_int_equal(json_array_size(targets), 3);
        json_t *mounts = json_object_get(spec, "mounts");
        assert_int_equal(json_array_size(mounts), 4);
        assert_string_equal(json_get_str(json_array_get(mounts, 0), "destination", ""), "/proc");
        json_t *m = json_array_get(mounts, 1);
        assert_string_equal(json_get_str(m, "destination", ""), "/proc/meminfo");
        assert_string_equal(json_get_str(m, "type", ""), "bind");
        _cleanup_free_ char *src = NULL;
        assert_true(asprintf(&src, "%s/proc/meminfo", f->mp) > 0);
        assert_string_equal(json_get_str(m, "source", ""), src);
        assert_false(lxcfs_mount_healthy(f->mp)); /* a plain directory is no lxcfs */
}

/* A child in its own mount namespace; the views are bound into it from outside. */
static void test_remount_in_other_namespace(void **state)
{
        struct fixture *f = *state;
        if (geteuid() != 0)
                skip();
        fake_views(f->mp, "fake-view\n");
        int go[2], res[2];
        assert_int_equal(pipe(go), 0);
        assert_int_equal(pipe(res), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
                close(go[1]);
                close(res[0]);
                char ok = 'n';
                if (unshare(CLONE_NEWNS) == 0 && mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) == 0) {
                        ok = 'r';
                        (void) !write(res[1], &ok, 1);
                        char c;
                        (void) !read(go[0], &c, 1);
                        _cleanup_free_ char *txt = NULL;
                        ok = read_file("/proc/uptime", 4096, &txt, NULL) == 0 && strcmp(txt, "fake-view\n") == 0 ? 'y'
                                                                                                                 : 'n';
                }
                (void) !write(res[1], &ok, 1);
                _exit(0);
        }
        close(go[0]);
        close(res[1]);
        char c = 0;
        assert_int_equal(read(res[0], &c, 1), 1);
        assert_int_equal(c, 'r');
        struct pouch_err err = { 0 };
        int r = lxcfs_remount_pid(f->mp, pid, &err);
        if (r < 0)
                fail_msg("remount: %s", err.msg);
        assert_int_equal(r, 3);
        assert_int_equal(write(go[1], "g", 1), 1);
        assert_int_equal(read(res[0], &c, 1), 1);
        assert_int_equal(c, 'y');
        waitpid(pid, NULL, 0);
        close(go[1]);
        close(res[0]);
        /* our own namespace is untouched */
        _cleanup_free_ char *mine = NULL;
        assert_int_equal(read_file("/proc/uptime", 4096, &mine, NULL), 0);
        assert_null(strstr(mine, "fake-view"));
        assert_true(lxcfs_remount_pid(f->mp, 0, &err) < 0);
}

static void test_missing_binary(void **state)
{
        struct fixture *f = *state;
        char pidfile[160];
        snprintf(pidfile, sizeof(pidfile), "%s/lxcfs.pid", f->dir);
        struct lxcfs_opts o = { .binary = "/nonexistent/lxcfs", .mountpoint = f->mp, .pidfile = pidfile };
        struct lxcfs *l = NULL;
        assert_int_equal(lxcfs_supervisor_new(&o, &l), 0);
        assert_non_null(l);
        struct pouch_err err = { 0 };
        assert_int_equal(lxcfs_ensure(l, &err), -ENOENT);
        assert_non_null(strstr(err.msg, "not installed"));
        _cleanup_json_ json_t *st = lxcfs_status(l);
        assert_false(json_get_bool(st, "Available", true));
        assert_false(json_get_bool(st, "Running", true));
        lxcfs_supervisor_free(l, true);
}

struct counter {
        pthread_mutex_t lock;
        int restarts;
};

static void count_restart(void *ud)
{
        struct counter *c = ud;
        pthread_mutex_lock(&c->lock);
        c->restarts++;
        pthread_mutex_unlock(&c->lock);
}

static int restarts(struct counter *c)
{
        pthread_mutex_lock(&c->lock);
        int n = c->restarts;
        pthread_mutex_unlock(&c->lock);
        return n;
}

static void test_supervisor_restarts_lxcfs(void **state)
{
        struct fixture *f = *state;
        if (geteuid() != 0 || access("/usr/bin/lxcfs", X_OK) != 0 || access("/dev/fuse", F_OK) != 0)
                skip();
        char pidfile[160];
        snprintf(pidfile, sizeof(pidfile), "%s/lxcfs.pid", f->dir);
        struct counter cnt = { .lock = PTHREAD_MUTEX_INITIALIZER };
        struct lxcfs_opts o = { .mountpoint = f->mp, .pidfile = pidfile, .on_restart = count_restart, .ud = &cnt };
        struct lxcfs *l = NULL;
        assert_int_equal(lxcfs_supervisor_new(&o, &l), 0);
        assert_true(lxcfs_mount_healthy(f->mp));
        _cleanup_json_ json_t *st = lxcfs_status(l);
        assert_true(json_get_bool(st, "Running", false));
        pid_t first = (pid_t) json_get_int(st, "Pid", 0);
        assert_true(first > 0);
        int before = restarts(&cnt);
        assert_int_equal(kill(first, SIGKILL), 0);
        /* restarted and the callback ran within 3 s */
        for (int i = 0; i < 300 && restarts(&cnt) == before; i++)
                nanosleep(&(struct timespec){ 0, 10000000L }, NULL);
        assert_int_equal(restarts(&cnt), before + 1);
        assert_true(lxcfs_mount_healthy(f->mp));
        _cleanup_json_ json_t *st2 = lxcfs_status(l);
        assert_int_not_equal(json_get_int(st2, "Pid", 0), first);
        assert_int_equal(json_get_int(st2, "Restarts", 0), 1);
        lxcfs_supervisor_free(l, true);
        assert_false(lxcfs_mount_healthy(f->mp));
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mountinfo),
                cmocka_unit_test_setup_teardown(test_spec_mounts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_remount_in_other_namespace, setup, teardown),
                cmocka_unit_test_setup_teardown(test_missing_binary, setup, teardown),
                cmocka_unit_test_setup_teardown(test_supervisor_restarts_lxcfs, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
