/* Unit tests for spec_build and friends: args, env, caps, masked paths, mounts, ulimits, users. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "runtime-wrap/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#define ID "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

struct fixture {
        char dir[64];
        char rootfs[128];
};

static void write_text(const char *dir, const char *rel, const char *text)
{
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, rel);
        assert_int_equal(write_file_atomic(p, text, strlen(text), 0644), 0);
}

static int setup(void **state)
{
        struct fixture *f = calloc(1, sizeof(*f));
        strcpy(f->dir, "/tmp/pouch-spec-XXXXXX");
        if (!mkdtemp(f->dir))
                return -1;
        snprintf(f->rootfs, sizeof(f->rootfs), "%s/rootfs", f->dir);
        char etc[256];
        snprintf(etc, sizeof(etc), "%s/etc", f->rootfs);
        if (mkdir_p(etc, 0755) < 0)
                return -1;
        write_text(f->rootfs, "etc/passwd",
                   "root:x:0:0:root:/root:/bin/sh\n"
                   "# comment line\n"
                   "app:x:1000:1001:App:/home/app:/bin/sh\n"
                   "www:x:33:33::/var/www:/bin/false\n");
        write_text(f->rootfs, "etc/group",
                   "root:x:0:\n"
                   "app:x:1001:\n"
                   "audio:x:29:app,www\n"
                   "video:x:44:www,app\n"
                   "staff:x:50:\n");
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

/* Build a spec from JSON texts for Config and HostConfig. */
static int build(struct fixture *f, const char *config, const char *host_config, json_t **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *c = json_loads(config, 0, NULL);
        _cleanup_json_ json_t *hc = json_loads(host_config ? host_config : "{}", 0, NULL);
        assert_non_null(c);
        assert_non_null(hc);
        struct spec_input in = {
                .id = ID,
                .config = c,
                .host_config = hc,
                .rootfs = f->rootfs,
                .hostname = "0123456789ab",
                .cgroups_path = "/pouch/" ID,
        };
        return spec_build(&in, ret, err);
}

static bool array_has(const json_t *a, const char *s)
{
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v)
                if (json_is_string(v) && strcmp(json_string_value(v), s) == 0)
                        return true;
        return false;
}

static json_t *find_mount(const json_t *spec, const char *dest)
{
        size_t i;
        json_t *m;
        json_array_foreach(json_object_get(spec, "mounts"), i, m)
                if (strcmp(json_get_str(m, "destination", ""), dest) == 0)
                        return m;
        return NULL;
}

static void test_args(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        assert_int_equal(build(f, "{\"Entrypoint\":[\"/bin/sh\",\"-c\"],\"Cmd\":[\"echo hi\"]}", NULL, &spec, &err), 0);
        json_t *args = json_get_path(spec, "process.args");
        assert_int_equal(json_array_size(args), 3);
        assert_string_equal(json_string_value(json_array_get(args, 0)), "/bin/sh");
        assert_string_equal(json_string_value(json_array_get(args, 2)), "echo hi");
        assert_string_equal(json_get_str(spec, "ociVersion", ""), "1.0.2");
        assert_string_equal(json_get_str(json_object_get(spec, "root"), "path", ""), f->rootfs);
        assert_string_equal(json_get_str(spec, "hostname", ""), "0123456789ab");
        assert_string_equal(json_get_str(json_object_get(spec, "linux"), "cgroupsPath", ""), "/pouch/" ID);
        assert_string_equal(json_get_str(json_object_get(spec, "process"), "cwd", ""), "/");
        json_decref(spec);

        assert_int_equal(build(f, "{\"Entrypoint\":null,\"Cmd\":[]}", NULL, &spec, &err), -EINVAL);
        assert_string_equal(err.msg, "no command specified");
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"WorkingDir\":\"rel\"}", NULL, &spec, &err), -EINVAL);
}

static void test_env(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"Tty\":true,\"Env\":[\"A=1\",\"HOSTNAME=mine\"]}", NULL, &spec,
                               &err),
                         0);
        json_t *env = json_get_path(spec, "process.env");
        assert_true(array_has(env, "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"));
        assert_true(array_has(env, "TERM=xterm"));
        assert_true(array_has(env, "A=1"));
        assert_true(array_has(env, "HOSTNAME=mine"));
        assert_false(array_has(env, "HOSTNAME=0123456789ab"));
        assert_true(json_is_true(json_get_path(spec, "process.terminal")));
        json_decref(spec);

        /* image PATH replaces the default in place; no TERM without a tty; "B" alone unsets */
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"Env\":[\"PATH=/opt/bin\",\"B\"]}", NULL, &spec, &err), 0);
        env = json_get_path(spec, "process.env");
        assert_string_equal(json_string_value(json_array_get(env, 0)), "PATH=/opt/bin");
        assert_true(array_has(env, "HOSTNAME=0123456789ab"));
        assert_false(array_has(env, "TERM=xterm"));
        assert_false(array_has(env, "B"));
        assert_int_equal(json_array_size(env), 2);
        json_decref(spec);
}

static void test_caps(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{}", &spec, &err), 0);
        json_t *b = json_get_path(spec, "process.capabilities.bounding");
        assert_int_equal(json_array_size(b), 14);
        for (size_t i = 0; spec_default_caps[i]; i++)
                assert_true(array_has(b, spec_default_caps[i]));
        assert_true(json_equal(b, json_get_path(spec, "process.capabilities.effective")));
        assert_true(json_equal(b, json_get_path(spec, "process.capabilities.permitted")));
        assert_false(json_is_true(json_get_path(spec, "process.noNewPrivileges")));
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}",
                               "{\"CapAdd\":[\"net_admin\",\"CAP_SYS_PTRACE\"],\"CapDrop\":[\"Chown\",\"CAP_KILL\"],"
                               "\"SecurityOpt\":[\"no-new-privileges\"]}",
                               &spec, &err),
                         0);
        b = json_get_path(spec, "process.capabilities.bounding");
        assert_true(array_has(b, "CAP_NET_ADMIN"));
        assert_true(array_has(b, "CAP_SYS_PTRACE"));
        assert_false(array_has(b, "CAP_CHOWN"));
        assert_false(array_has(b, "CAP_KILL"));
        assert_int_equal(json_array_size(b), 14);
        assert_true(json_is_true(json_get_path(spec, "process.noNewPrivileges")));
        json_decref(spec);

        /* drop ALL keeps only the adds */
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}",
                               "{\"CapDrop\":[\"all\"],\"CapAdd\":[\"NET_BIND_SERVICE\"],"
                               "\"SecurityOpt\":[\"no-new-privileges:false\"]}",
                               &spec, &err),
                         0);
        b = json_get_path(spec, "process.capabilities.bounding");
        assert_int_equal(json_array_size(b), 1);
        assert_true(array_has(b, "CAP_NET_BIND_SERVICE"));
        assert_false(json_is_true(json_get_path(spec, "process.noNewPrivileges")));
        json_decref(spec);

        /* add ALL, drop one; privileged = every cap the daemon holds */
        json_t *all = spec_all_caps();
        assert_true(json_array_size(all) > 30);
        assert_true(array_has(all, "CAP_SYS_ADMIN"));
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"CapAdd\":[\"ALL\"],\"CapDrop\":[\"SYS_ADMIN\"]}", &spec,
                               &err),
                         0);
        b = json_get_path(spec, "process.capabilities.bounding");
        assert_int_equal(json_array_size(b), json_array_size(all) - 1);
        assert_false(array_has(b, "CAP_SYS_ADMIN"));
        json_decref(spec);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Privileged\":true}", &spec, &err), 0);
        assert_true(json_equal(json_get_path(spec, "process.capabilities.bounding"), all));
        json_decref(spec);
        json_decref(all);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"CapAdd\":[\"CAP_FOO\"]}", &spec, &err), -EINVAL);
        assert_string_equal(err.msg, "invalid capability: CAP_FOO");
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"SecurityOpt\":[\"bogus=1\"]}", &spec, &err), -EINVAL);
}

static void test_masked_paths(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{}", &spec, &err), 0);
        json_t *masked = json_get_path(spec, "linux.maskedPaths"), *ro = json_get_path(spec, "linux.readonlyPaths");
        assert_true(array_has(masked, "/proc/kcore"));
        assert_true(array_has(masked, "/sys/firmware"));
        assert_true(array_has(masked, "/proc/keys"));
        assert_true(array_has(ro, "/proc/sys"));
        assert_true(array_has(ro, "/proc/sysrq-trigger"));
        /* default device rules: deny all first, /dev/null allowed, fuse denied */
        json_t *dev = json_get_path(spec, "linux.resources.devices");
        assert_false(json_is_true(json_object_get(json_array_get(dev, 0), "allow")));
        assert_null(json_object_get(json_array_get(dev, 0), "type"));
        bool null_ok = false;
        size_t i;
        json_t *d;
        json_array_foreach(dev, i, d)
                if (json_get_int(d, "major", -1) == 1 && json_get_int(d, "minor", -1) == 3)
                        null_ok = json_is_true(json_object_get(d, "allow"));
        assert_true(null_ok);
        assert_non_null(json_get_path(spec, "linux.seccomp"));
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Privileged\":true}", &spec, &err), 0);
        assert_int_equal(json_array_size(json_get_path(spec, "linux.maskedPaths")), 0);
        assert_int_equal(json_array_size(json_get_path(spec, "linux.readonlyPaths")), 0);
        assert_null(json_get_path(spec, "linux.seccomp"));
        assert_int_equal(json_array_size(json_get_path(spec, "linux.resources.devices")), 1);
        assert_true(array_has(json_object_get(find_mount(spec, "/sys"), "options"), "rw"));
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"MaskedPaths\":[\"/proc/foo\"],\"ReadonlyPaths\":[]}", &spec,
                               &err),
                         0);
        masked = json_get_path(spec, "linux.maskedPaths");
        assert_int_equal(json_array_size(masked), 1);
        assert_true(array_has(masked, "/proc/foo"));
        assert_int_equal(json_array_size(json_get_path(spec, "linux.readonlyPaths")), 0);
        json_decref(spec);
}

static void test_namespaces_and_resources(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        assert_int_equal(
                build(f, "{\"Cmd\":[\"x\"]}",
                      "{\"NetworkMode\":\"host\",\"UTSMode\":\"host\",\"Memory\":67108864,\"NanoCpus\":1500000000,"
                      "\"PidsLimit\":100,\"CpuShares\":512,\"ReadonlyRootfs\":true,"
                      "\"Annotations\":{\"a.b\":\"c\"},\"OomScoreAdj\":500}",
                      &spec, &err),
                0);
        json_t *ns = json_get_path(spec, "linux.namespaces");
        size_t i;
        json_t *n;
        bool net = false, pid = false, uts = false;
        json_array_foreach(ns, i, n) {
                net |= strcmp(json_get_str(n, "type", ""), "network") == 0;
                pid |= strcmp(json_get_str(n, "type", ""), "pid") == 0;
                uts |= strcmp(json_get_str(n, "type", ""), "uts") == 0;
        }
        assert_false(net);
        assert_false(uts);
        assert_true(pid);
        assert_null(json_object_get(spec, "hostname"));
        assert_true(json_is_true(json_get_path(spec, "root.readonly")));
        assert_int_equal(json_integer_value(json_get_path(spec, "linux.resources.memory.limit")), 67108864);
        assert_int_equal(json_integer_value(json_get_path(spec, "linux.resources.cpu.quota")), 150000);
        assert_int_equal(json_integer_value(json_get_path(spec, "linux.resources.cpu.period")), 100000);
        assert_int_equal(json_integer_value(json_get_path(spec, "linux.resources.cpu.shares")), 512);
        assert_int_equal(json_integer_value(json_get_path(spec, "linux.resources.pids.limit")), 100);
        assert_string_equal(json_get_str(json_object_get(spec, "annotations"), "a.b", ""), "c");
        assert_int_equal(json_integer_value(json_get_path(spec, "process.oomScoreAdj")), 500);
        json_decref(spec);

        /* netns path is used as given; no oomScoreAdj unless asked */
        _cleanup_json_ json_t *c = json_loads("{\"Cmd\":[\"x\"]}", 0, NULL);
        struct spec_input in = { .id = ID, .config = c, .rootfs = f->rootfs, .netns_path = "/run/netns/x" };
        assert_int_equal(spec_build(&in, &spec, &err), 0);
        bool found = false;
        json_array_foreach(json_get_path(spec, "linux.namespaces"), i, n)
                if (strcmp(json_get_str(n, "type", ""), "network") == 0)
                        found = strcmp(json_get_str(n, "path", ""), "/run/netns/x") == 0;
        assert_true(found);
        assert_null(json_get_path(spec, "process.oomScoreAdj"));
        json_decref(spec);

        /* the daemon's own oom_score_adj is a floor (lowering needs CAP_SYS_RESOURCE) */
        int own = 0;
        FILE *fp = fopen("/proc/self/oom_score_adj", "re");
        assert_non_null(fp);
        assert_int_equal(fscanf(fp, "%d", &own), 1);
        fclose(fp);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"OomScoreAdj\":-1000}", &spec, &err), 0);
        assert_int_equal(json_integer_value(json_get_path(spec, "process.oomScoreAdj")), own);
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"NanoCpus\":1000000000,\"CpuQuota\":5000}", &spec, &err),
                         -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Memory\":1024}", &spec, &err), -EINVAL);
}

static void test_mounts(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        char hc[1024], src[256];
        snprintf(src, sizeof(src), "%s/made/by/bind", f->dir);
        snprintf(
                hc, sizeof(hc),
                "{\"Binds\":[\"%s:/data:ro\",\"%s:/data/sub/\"],\"Tmpfs\":{\"/run\":\"size=1m,exec\"},\"ShmSize\":1048576,"
                "\"Mounts\":[{\"Type\":\"tmpfs\",\"Target\":\"/cache\",\"TmpfsOptions\":{\"SizeBytes\":4096,\"Mode\":448}}]}",
                src, f->dir);
        _cleanup_json_ json_t *c = json_loads("{\"Cmd\":[\"x\"]}", 0, NULL);
        _cleanup_json_ json_t *h = json_loads(hc, 0, NULL);
        assert_non_null(h);
        struct spec_input in = { .id = ID,
                                 .config = c,
                                 .host_config = h,
                                 .rootfs = f->rootfs,
                                 .resolv_conf_path = "/var/lib/pouch/x/resolv.conf" };
        assert_int_equal(spec_build(&in, &spec, &err), 0);
        struct stat st;
        assert_int_equal(stat(src, &st), 0); /* missing bind source dir was created */
        assert_true(S_ISDIR(st.st_mode));
        json_t *m = find_mount(spec, "/data");
        assert_non_null(m);
        assert_string_equal(json_get_str(m, "type", ""), "bind");
        assert_string_equal(json_get_str(m, "source", ""), src);
        assert_true(array_has(json_object_get(m, "options"), "rbind"));
        assert_true(array_has(json_object_get(m, "options"), "ro"));
        m = find_mount(spec, "/data/sub");
        assert_non_null(m);
        assert_false(array_has(json_object_get(m, "options"), "ro"));
        m = find_mount(spec, "/run");
        assert_true(array_has(json_object_get(m, "options"), "exec"));
        assert_false(array_has(json_object_get(m, "options"), "noexec"));
        assert_true(array_has(json_object_get(m, "options"), "size=1m"));
        m = find_mount(spec, "/cache");
        assert_true(array_has(json_object_get(m, "options"), "size=4096"));
        assert_true(array_has(json_object_get(m, "options"), "mode=700"));
        m = find_mount(spec, "/dev/shm");
        assert_true(array_has(json_object_get(m, "options"), "size=1048576"));
        m = find_mount(spec, "/etc/resolv.conf");
        assert_string_equal(json_get_str(m, "source", ""), "/var/lib/pouch/x/resolv.conf");
        assert_null(find_mount(spec, "/etc/hosts"));
        assert_non_null(find_mount(spec, "/proc"));
        assert_non_null(find_mount(spec, "/dev/pts"));
        assert_true(array_has(json_object_get(find_mount(spec, "/sys"), "options"), "ro"));
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Binds\":[\"relative:/data\"]}", &spec, &err), -EINVAL);
        assert_non_null(strstr(err.msg, "invalid mount config"));
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Binds\":[\"/tmp:data\"]}", &spec, &err), -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Binds\":[\"/tmp:/data:bogus\"]}", &spec, &err), -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Binds\":[\"/tmp\"]}", &spec, &err), -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Binds\":[\"/tmp:/a\",\"/etc:/a\"]}", &spec, &err), -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}",
                               "{\"Mounts\":[{\"Type\":\"volume\",\"Source\":\"v\",\"Target\":\"/v\"}]}", &spec, &err),
                         -ENOTSUP);
        assert_string_equal(err.msg, "volume mounts are not supported yet");
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}",
                               "{\"Mounts\":[{\"Type\":\"bind\",\"Source\":\"/nonexistent/pouch\",\"Target\":\"/v\"}]}",
                               &spec, &err),
                         -EINVAL);
}

static json_t *find_rlimit(const json_t *spec, const char *type)
{
        size_t i;
        json_t *r;
        json_array_foreach(json_get_path(spec, "process.rlimits"), i, r)
                if (strcmp(json_get_str(r, "type", ""), type) == 0)
                        return r;
        return NULL;
}

static void test_ulimits(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL;
        struct rlimit own;
        assert_int_equal(getrlimit(RLIMIT_NOFILE, &own), 0);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{}", &spec, &err), 0);
        json_t *r = find_rlimit(spec, "RLIMIT_NOFILE");
        assert_non_null(r);
        assert_int_equal(json_get_int(r, "soft", -1), (json_int_t) own.rlim_cur);
        assert_int_equal(json_get_int(r, "hard", -1), (json_int_t) own.rlim_max);
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}",
                               "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":1024,\"Hard\":2048}]}", &spec, &err),
                         0);
        r = find_rlimit(spec, "RLIMIT_NOFILE");
        assert_int_equal(json_get_int(r, "soft", -1), 1024);
        assert_int_equal(json_get_int(r, "hard", -1),
                         own.rlim_max == RLIM_INFINITY || own.rlim_max >= 2048 ? 2048 : (json_int_t) own.rlim_max);
        json_decref(spec);

        if (own.rlim_max != RLIM_INFINITY) {
                /* above our hard limit: clamped, not an error */
                char hc[256];
                snprintf(hc, sizeof(hc), "{\"Ulimits\":[{\"Name\":\"nofile\",\"Soft\":%llu,\"Hard\":%llu}]}",
                         (unsigned long long) own.rlim_max + 1, (unsigned long long) own.rlim_max * 10);
                assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", hc, &spec, &err), 0);
                r = find_rlimit(spec, "RLIMIT_NOFILE");
                assert_int_equal(json_get_int(r, "soft", -1), (json_int_t) own.rlim_max);
                assert_int_equal(json_get_int(r, "hard", -1), (json_int_t) own.rlim_max);
                json_decref(spec);
        }
        /* the daemon's limits from before it raised its own soft limit, when it passes them */
        _cleanup_json_ json_t *c = json_loads("{\"Cmd\":[\"x\"]}", 0, NULL);
        _cleanup_json_ json_t *empty = json_object();
        struct rlimit initial = { .rlim_cur = 1024, .rlim_max = 4096 };
        struct spec_input in = { .id = ID,
                                 .config = c,
                                 .host_config = empty,
                                 .rootfs = f->rootfs,
                                 .hostname = "0123456789ab",
                                 .cgroups_path = "/pouch/" ID,
                                 .nofile_default = &initial };
        assert_int_equal(spec_build(&in, &spec, &err), 0);
        r = find_rlimit(spec, "RLIMIT_NOFILE");
        assert_int_equal(json_get_int(r, "soft", -1), 1024);
        assert_int_equal(json_get_int(r, "hard", -1), 4096);
        json_decref(spec);

        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Ulimits\":[{\"Name\":\"bogus\",\"Soft\":1,\"Hard\":1}]}",
                               &spec, &err),
                         -EINVAL);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"]}", "{\"Ulimits\":[{\"Name\":\"nproc\",\"Soft\":10,\"Hard\":1}]}",
                               &spec, &err),
                         -EINVAL);
}

static void test_user(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        unsigned uid = 99, gid = 99, *gids = NULL;
        size_t n = 0;
        assert_int_equal(spec_resolve_user(f->rootfs, "app", &uid, &gid, &gids, &n, &err), 0);
        assert_int_equal(uid, 1000);
        assert_int_equal(gid, 1001);
        assert_int_equal(n, 2);
        assert_int_equal(gids[0], 29);
        assert_int_equal(gids[1], 44);
        free(gids);
        gids = NULL;

        assert_int_equal(spec_resolve_user(f->rootfs, "app:staff", &uid, &gid, &gids, &n, &err), 0);
        assert_int_equal(uid, 1000);
        assert_int_equal(gid, 50);
        assert_int_equal(n, 0);
        free(gids);
        assert_int_equal(spec_resolve_user(f->rootfs, "33", &uid, &gid, NULL, NULL, &err), 0);
        assert_int_equal(uid, 33);
        assert_int_equal(gid, 33);
        assert_int_equal(spec_resolve_user(f->rootfs, "4242:7", &uid, &gid, NULL, NULL, &err), 0);
        assert_int_equal(uid, 4242);
        assert_int_equal(gid, 7);
        assert_int_equal(spec_resolve_user(f->rootfs, "", &uid, &gid, NULL, NULL, &err), 0);
        assert_int_equal(uid, 0);
        assert_int_equal(gid, 0);

        assert_int_equal(spec_resolve_user(f->rootfs, "nobody", &uid, &gid, NULL, NULL, &err), -EINVAL);
        assert_string_equal(err.msg, "unable to find user nobody: no matching entries in passwd file");
        assert_int_equal(spec_resolve_user(f->rootfs, "app:nogroup", &uid, &gid, NULL, NULL, &err), -EINVAL);

        /* in the spec */
        json_t *spec = NULL;
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"User\":\"www\"}", NULL, &spec, &err), 0);
        assert_int_equal(json_integer_value(json_get_path(spec, "process.user.uid")), 33);
        assert_int_equal(json_array_size(json_get_path(spec, "process.user.additionalGids")), 2);
        json_decref(spec);
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"User\":\"ghost\"}", NULL, &spec, &err), -EINVAL);
        assert_string_equal(err.msg, "unable to find user ghost: no matching entries in passwd file");
}

static void test_user_no_passwd_and_symlinks(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        unsigned uid, gid;
        char p[512], root2[256];
        snprintf(root2, sizeof(root2), "%s/root2", f->dir);
        snprintf(p, sizeof(p), "%s/etc", root2);
        assert_int_equal(mkdir_p(p, 0755), 0);
        /* no passwd at all: numeric users work, names do not */
        assert_int_equal(spec_resolve_user(root2, "1234:5", &uid, &gid, NULL, NULL, &err), 0);
        assert_int_equal(uid, 1234);
        assert_int_equal(spec_resolve_user(root2, "root", &uid, &gid, NULL, NULL, &err), -EINVAL);

        /* /etc/passwd -> /etc/../../../etc/passwd must stay inside the rootfs (it loops on
         * itself there); the host's "daemon" user must never be found through it */
        snprintf(p, sizeof(p), "%s/etc/passwd", root2);
        assert_int_equal(symlink("/etc/../../../etc/passwd", p), 0);
        assert_int_equal(access("/etc/passwd", R_OK), 0);
        assert_true(spec_resolve_user(root2, "daemon", &uid, &gid, NULL, NULL, &err) < 0);
        assert_true(spec_resolve_user(root2, "root", &uid, &gid, NULL, NULL, &err) < 0);

        /* an escaping relative symlink resolves inside the rootfs */
        assert_int_equal(unlink(p), 0);
        assert_int_equal(symlink("../../../../../../../../etc/passwd-inner", p), 0);
        write_text(root2, "etc/passwd-inner", "inner:x:4321:4322::/:/bin/sh\n");
        assert_int_equal(spec_resolve_user(root2, "inner", &uid, &gid, NULL, NULL, &err), 0);
        assert_int_equal(uid, 4321);
        assert_int_equal(gid, 4322);
}

static void test_exec_process(void **state)
{
        struct fixture *f = *state;
        struct pouch_err err = { 0 };
        json_t *spec = NULL, *proc = NULL;
        assert_int_equal(build(f, "{\"Cmd\":[\"x\"],\"User\":\"app\",\"WorkingDir\":\"/srv\",\"Env\":[\"A=1\"]}",
                               "{\"SecurityOpt\":[\"no-new-privileges=true\"]}", &spec, &err),
                         0);
        _cleanup_json_ json_t *ec = json_loads("{\"Cmd\":[\"ls\",\"-l\"],\"Env\":[\"B=2\",\"A=3\"],\"Tty\":true}", 0,
                                               NULL);
        assert_int_equal(spec_build_exec_process(spec, ec, f->rootfs, &proc, &err), 0);
        assert_int_equal(json_array_size(json_object_get(proc, "args")), 2);
        json_t *env = json_object_get(proc, "env");
        assert_true(array_has(env, "A=3"));
        assert_true(array_has(env, "B=2"));
        assert_true(array_has(env, "TERM=xterm"));
        assert_false(array_has(env, "A=1"));
        assert_string_equal(json_get_str(proc, "cwd", ""), "/srv");
        assert_int_equal(json_integer_value(json_get_path(proc, "user.uid")), 1000);
        assert_true(json_is_true(json_object_get(proc, "terminal")));
        assert_true(json_is_true(json_object_get(proc, "noNewPrivileges")));
        assert_true(json_equal(json_object_get(proc, "capabilities"), json_get_path(spec, "process.capabilities")));
        json_decref(proc);

        _cleanup_json_ json_t *ec2 =
                json_loads("{\"Cmd\":[\"id\"],\"User\":\"0\",\"Privileged\":true,\"WorkingDir\":\"/tmp\"}", 0, NULL);
        assert_int_equal(spec_build_exec_process(spec, ec2, f->rootfs, &proc, &err), 0);
        assert_int_equal(json_integer_value(json_get_path(proc, "user.uid")), 0);
        assert_string_equal(json_get_str(proc, "cwd", ""), "/tmp");
        assert_true(json_array_size(json_get_path(proc, "capabilities.bounding")) > 14);
        json_decref(proc);

        _cleanup_json_ json_t *ec3 = json_loads("{\"Cmd\":[]}", 0, NULL);
        assert_int_equal(spec_build_exec_process(spec, ec3, f->rootfs, &proc, &err), -EINVAL);
        json_decref(spec);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_args, setup, teardown),
                cmocka_unit_test_setup_teardown(test_env, setup, teardown),
                cmocka_unit_test_setup_teardown(test_caps, setup, teardown),
                cmocka_unit_test_setup_teardown(test_masked_paths, setup, teardown),
                cmocka_unit_test_setup_teardown(test_namespaces_and_resources, setup, teardown),
                cmocka_unit_test_setup_teardown(test_mounts, setup, teardown),
                cmocka_unit_test_setup_teardown(test_ulimits, setup, teardown),
                cmocka_unit_test_setup_teardown(test_user, setup, teardown),
                cmocka_unit_test_setup_teardown(test_user_no_passwd_and_symlinks, setup, teardown),
                cmocka_unit_test_setup_teardown(test_exec_process, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
