/* End-to-end: runc must accept the spec we build and run a busybox container with it.
 * Skipped unless root with runc and /bin/busybox (busybox-static) available. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/spawn.h"
#include "lib/util.h"
#include "runtime-wrap/runtime.h"
#include "runtime-wrap/spec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct fixture {
        char dir[64];
        char bundle[128], rootfs[160], state[128];
        char id[32];
        struct runtime rt;
        bool usable;
};

static int copy_file(const char *from, const char *to, mode_t mode)
{
        _cleanup_free_ char *data = NULL;
        size_t len;
        int r = read_file(from, 64u << 20, &data, &len);
        if (r < 0)
                return r;
        _cleanup_close_ int fd = open(to, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
        if (fd < 0)
                return -errno;
        return write_all(fd, data, len);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        if (!f)
                return -1;
        *state = f;
        strcpy(f->dir, "/tmp/pouch-runc-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->bundle, sizeof(f->bundle), "%s/bundle", f->dir);
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->bundle);
        snprintf(f->state, sizeof(f->state), "%s/state", f->dir);
        snprintf(f->id, sizeof(f->id), "pouch-test-%d", (int) getpid());
        if (geteuid() != 0 || access("/bin/busybox", X_OK) < 0)
                return 0;
        struct pouch_err err = { 0 };
        if (runtime_init(&f->rt, "runc", f->state, &err) < 0)
                return 0;
        char p[256];
        snprintf(p, sizeof(p), "%s/bin", f->rootfs);
        if (mkdir_p(p, 0755) < 0)
                return -1;
        snprintf(p, sizeof(p), "%s/bin/busybox", f->rootfs);
        if (copy_file("/bin/busybox", p, 0755) < 0)
                return -1;
        const char *links[] = { "sh", "true", "echo", "test", "cat", "id", "grep", NULL };
        for (size_t i = 0; links[i]; i++) {
                snprintf(p, sizeof(p), "%s/bin/%s", f->rootfs, links[i]);
                if (symlink("busybox", p) < 0)
                        return -1;
        }
        f->usable = true;
        return 0;
}

static void remove_test_cgroups(void)
{
        const char *ctrls[] = { "cpu",  "cpuacct", "cpuset",  "memory",  "devices",    "freezer", "blkio",
                                "pids", "systemd", "unified", "net_cls", "perf_event", "hugetlb", NULL };
        char p[128];
        for (size_t i = 0; ctrls[i]; i++) {
                snprintf(p, sizeof(p), "/sys/fs/cgroup/%s/pouch-test", ctrls[i]);
                rmdir(p);
        }
        rmdir("/sys/fs/cgroup/pouch-test");
}

static int teardown(void **state)
{
        struct fixture *f = *state;
        if (f->usable) {
                struct pouch_err err = { 0 };
                runtime_delete(&f->rt, f->id, true, &err); /* usually already gone */
                remove_test_cgroups();
        }
        runtime_done(&f->rt);
        rm_rf(f->dir);
        free(f);
        return 0;
}

/* Build the spec, write config.json, `runc run` it; returns the container's exit status. */
static int run_container(struct fixture *f, const char *config, const char *host_config, char **ret_out)
{
        _cleanup_json_ json_t *c = json_loads(config, 0, NULL);
        _cleanup_json_ json_t *hc = json_loads(host_config, 0, NULL);
        assert_non_null(c);
        assert_non_null(hc);
        char cg[96];
        snprintf(cg, sizeof(cg), "/pouch-test/%s", f->id);
        struct spec_input in = { .id = f->id,
                                 .config = c,
                                 .host_config = hc,
                                 .rootfs = f->rootfs,
                                 .hostname = "pouchtest",
                                 .cgroups_path = cg };
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *spec = NULL;
        assert_int_equal(spec_build(&in, &spec, &err), 0);
        char path[256];
        snprintf(path, sizeof(path), "%s/config.json", f->bundle);
        assert_int_equal(json_write_file_atomic(path, spec), 0);

        char *argv[] = { f->rt.path, "--root", f->rt.root, "run", "-b", f->bundle, f->id, NULL };
        struct spawn_result res = { 0 };
        assert_int_equal(spawn_capture(argv, NULL, NULL, 0, &res), 0);
        if (res.err[0])
                fprintf(stderr, "runc stderr: %s\n", res.err);
        int status = res.status;
        if (ret_out)
                *ret_out = TAKE_PTR(res.out);
        spawn_result_done(&res);
        runtime_delete(&f->rt, f->id, true, &err);
        return status;
}

static void test_runc_exit_status(void **state)
{
        struct fixture *f = *state;
        if (!f->usable)
                skip();
        assert_int_equal(run_container(f, "{\"Cmd\":[\"/bin/sh\",\"-c\",\"exit 3\"],\"Tty\":false}", "{}", NULL), 3);
}

/* Many settings at once: binds, tmpfs, user, clamped ulimit, oom floor, limits, read-only rootfs,
 * masked paths; the script exits 7 only if what it sees matches. */
static void test_runc_features(void **state)
{
        struct fixture *f = *state;
        if (!f->usable)
                skip();
        char data[160], hc[1024];
        snprintf(data, sizeof(data), "%s/data", f->dir);
        assert_int_equal(mkdir_p(data, 0755), 0);
        char marker[200];
        snprintf(marker, sizeof(marker), "%s/marker", data);
        assert_int_equal(write_file_atomic(marker, "hello\n", 6, 0644), 0);
        snprintf(hc, sizeof(hc),
                 "{\"Binds\":[\"%s:/data:ro\"],\"Tmpfs\":{\"/run\":\"size=1m\"},\"ReadonlyRootfs\":true,"
                 "\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1048576,\"Hard\":1048576}],\"OomScoreAdj\":-500,"
                 "\"Memory\":67108864,\"PidsLimit\":64,\"CpuShares\":256,\"NanoCpus\":500000000,"
                 "\"SecurityOpt\":[\"no-new-privileges\"],\"CapDrop\":[\"CHOWN\"]}",
                 data);
        const char *script = "test \\\"$(cat /data/marker)\\\" = hello || exit 10; "
                             "echo x > /run/x || exit 11; "
                             "echo x > /data/y 2>/dev/null && exit 12; "
                             "echo x > /rootfile 2>/dev/null && exit 13; "
                             "test $(ulimit -n) -le 20000 || exit 14; "
                             "test \\\"$(id -u)\\\" = 1234 || exit 15; "
                             "test -c /proc/keys || exit 16; "
                             "test \\\"$HOSTNAME\\\" = pouchtest || exit 17; "
                             "grep -q 'Seccomp:.*2' /proc/self/status || exit 18; "
                             "grep -q 'NoNewPrivs:.*1' /proc/self/status || exit 19; "
                             "grep -q 'CapBnd:.*00000000a80425fa' /proc/self/status || exit 20; "
                             "exit 7";
        char config[2048];
        snprintf(config, sizeof(config), "{\"Cmd\":[\"/bin/sh\",\"-c\",\"%s\"],\"User\":\"1234:1234\"}", script);
        assert_int_equal(run_container(f, config, hc, NULL), 7);
}

/* --privileged with host network and PID namespaces: no seccomp, every cap the daemon holds. */
static void test_runc_privileged_host(void **state)
{
        struct fixture *f = *state;
        if (!f->usable)
                skip();
        /* the container's effective set must equal our own bounding set */
        char bnd[32] = "", line[256], config[512];
        FILE *st = fopen("/proc/self/status", "re");
        assert_non_null(st);
        while (fgets(line, sizeof(line), st))
                if (sscanf(line, "CapBnd: %31s", bnd) == 1)
                        break;
        fclose(st);
        assert_int_equal(strlen(bnd), 16);
        snprintf(config, sizeof(config),
                 "{\"Cmd\":[\"/bin/sh\",\"-c\",\"grep -q 'Seccomp:.*0' /proc/self/status || exit 10; "
                 "grep -q 'CapEff:.*%s' /proc/self/status || exit 11; "
                 "test -e /proc/1/status || exit 12; exit 5\"]}",
                 bnd);
        assert_int_equal(run_container(f, config, "{\"Privileged\":true,\"NetworkMode\":\"host\",\"PidMode\":\"host\"}",
                                       NULL),
                         5);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_runc_exit_status, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runc_features, setup, teardown),
                cmocka_unit_test_setup_teardown(test_runc_privileged_host, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
