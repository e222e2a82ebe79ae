/* Unit tests for a rich container's identity (richmode/identity.c): machine-id, the image's SSH
 * host keys removed once, mounts respected, /etc/hostname; the CPUs of a CPU quota; and lxcfs's
 * --enable-cfs probe. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lxcfs-integration/lxcfs.h"
#include "richmode/cpus.h"
#include "richmode/identity.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char dir[] = "/tmp/pouch-rich-identity-XXXXXX";
static char rootfs[512], marker[512];

static void put(const char *path, const char *data)
{
        char full[600];
        snprintf(full, sizeof(full), "%s%s", rootfs, path);
        assert_int_equal(write_file_atomic(full, data, strlen(data), 0600), 0);
}

static char *get(const char *path)
{
        char full[600];
        snprintf(full, sizeof(full), "%s%s", rootfs, path);
        char *data = NULL;
        return read_file(full, 4096, &data, NULL) == 0 ? data : NULL;
}

static bool exists(const char *path)
{
        char full[600];
        snprintf(full, sizeof(full), "%s%s", rootfs, path);
        return access(full, F_OK) == 0;
}

static int setup(void **state)
{
        (void) state;
        if (!mkdtemp(dir))
                return -1;
        snprintf(rootfs, sizeof(rootfs), "%s/rootfs", dir);
        snprintf(marker, sizeof(marker), "%s/rich-identity", dir);
        char p[600];
        snprintf(p, sizeof(p), "%s/etc/ssh", rootfs);
        return mkdir_p(p, 0755);
}

static int teardown(void **state)
{
        (void) state;
        return rm_rf(dir) < 0 ? -1 : 0;
}

static void test_mounts_cover(void **state)
{
        (void) state;
        _cleanup_json_ json_t *m = json_pack("[{s:s},{s:s},{s:s}]", "destination", "/etc/ssh/ssh_host_rsa_key",
                                             "destination", "/srv/", "destination", "/etc/hostname");
        assert_true(rich_mounts_cover(m, "/etc/ssh/ssh_host_rsa_key"));
        assert_false(rich_mounts_cover(m, "/etc/ssh/ssh_host_rsa_key.pub"));
        assert_false(rich_mounts_cover(m, "/etc/ssh"));
        assert_true(rich_mounts_cover(m, "/srv/x/y"));
        assert_true(rich_mounts_cover(m, "/srv"));
        assert_false(rich_mounts_cover(m, "/srvx"));
        assert_false(rich_mounts_cover(m, "/etc/machine-id"));
        _cleanup_json_ json_t *etc = json_pack("[{s:s}]", "destination", "/etc");
        assert_true(rich_mounts_cover(etc, "/etc/machine-id"));
        _cleanup_json_ json_t *all = json_pack("[{s:s}]", "destination", "/");
        assert_true(rich_mounts_cover(all, "/etc/machine-id"));
        assert_false(rich_mounts_cover(NULL, "/etc"));
}

static void test_first_start_then_kept(void **state)
{
        (void) state;
        /* what an image made from a VM carries */
        put("/etc/machine-id", "0123456789abcdef0123456789abcdef\n");
        put("/etc/ssh/ssh_host_rsa_key", "image-rsa");
        put("/etc/ssh/ssh_host_rsa_key.pub", "image-rsa-pub");
        put("/etc/ssh/ssh_host_ed25519_key", "image-ed");
        put("/etc/ssh/sshd_config", "config");
        put("/etc/hostname", "buildhost\n");
        /* the user bind-mounts an ed25519 key */
        _cleanup_json_ json_t *spec = json_pack("{s:[{s:s},{s:s}]}", "mounts", "destination", "/proc", "destination",
                                                "/etc/ssh/ssh_host_ed25519_key");
        struct rich_identity_opts o = {
                .rootfs = rootfs, .marker = marker, .hostname = "vm-one", .image_makes_keys = true
        };
        struct pouch_err err = { 0 };
        assert_int_equal(rich_identity_apply(&o, spec, &err), 0);
        _cleanup_free_ char *mid = get("/etc/machine-id");
        assert_non_null(mid);
        assert_int_equal(strlen(mid), 33);
        assert_int_equal(strspn(mid, "0123456789abcdef"), 32);
        assert_string_not_equal(mid, "0123456789abcdef0123456789abcdef\n");
        assert_false(exists("/etc/ssh/ssh_host_rsa_key"));
        assert_false(exists("/etc/ssh/ssh_host_rsa_key.pub"));
        assert_true(exists("/etc/ssh/ssh_host_ed25519_key"));
        assert_true(exists("/etc/ssh/sshd_config"));
        _cleanup_free_ char *hn = get("/etc/hostname");
        assert_string_equal(hn, "vm-one\n");
        assert_int_equal(access(marker, F_OK), 0);

        /* the next start keeps what the container made */
        put("/etc/ssh/ssh_host_rsa_key", "own-rsa");
        o.hostname = "renamed";
        assert_int_equal(rich_identity_apply(&o, spec, &err), 0);
        _cleanup_free_ char *mid2 = get("/etc/machine-id");
        assert_string_equal(mid, mid2);
        assert_true(exists("/etc/ssh/ssh_host_rsa_key"));
        _cleanup_free_ char *hn2 = get("/etc/hostname");
        assert_string_equal(hn2, "renamed\n");
}

static void test_mounted_machine_id_and_readonly(void **state)
{
        (void) state;
        unlink(marker);
        put("/etc/machine-id", "mounted\n");
        put("/etc/ssh/ssh_host_rsa_key", "image-rsa");
        _cleanup_json_ json_t *spec = json_pack("{s:{s:b},s:[{s:s}]}", "root", "readonly", 1, "mounts", "destination",
                                                "/etc/machine-id");
        struct rich_identity_opts o = { .rootfs = rootfs, .marker = marker, .hostname = NULL };
        struct pouch_err err = { 0 };
        assert_int_equal(rich_identity_apply(&o, spec, &err), 0);
        _cleanup_free_ char *mid = get("/etc/machine-id");
        assert_string_equal(mid, "mounted\n");
        /* nothing inside a read-only rootfs could make new keys */
        assert_true(exists("/etc/ssh/ssh_host_rsa_key"));
}

/* sbin-init, dumb-init: nothing inside makes keys, the daemon makes them with the host's ssh-keygen */
static void test_keys_made_by_the_daemon(void **state)
{
        (void) state;
        if (system("command -v ssh-keygen > /dev/null") != 0)
                skip();
        unlink(marker);
        put("/etc/ssh/ssh_host_rsa_key", "image-rsa");
        put("/etc/ssh/ssh_host_rsa_key.pub", "image-rsa-pub");
        put("/etc/ssh/ssh_host_ed25519_key", "image-ed");
        _cleanup_json_ json_t *spec = json_pack("{s:[{s:s}]}", "mounts", "destination",
                                                "/etc/ssh/ssh_host_ed25519_key");
        struct rich_identity_opts o = { .rootfs = rootfs, .marker = marker, .image_makes_keys = false };
        struct pouch_err err = { 0 };
        assert_int_equal(rich_identity_apply(&o, spec, &err), 0);
        _cleanup_free_ char *rsa = get("/etc/ssh/ssh_host_rsa_key");
        _cleanup_free_ char *rsa_pub = get("/etc/ssh/ssh_host_rsa_key.pub");
        _cleanup_free_ char *ecdsa = get("/etc/ssh/ssh_host_ecdsa_key");
        _cleanup_free_ char *ed = get("/etc/ssh/ssh_host_ed25519_key");
        assert_non_null(rsa);
        assert_non_null(strstr(rsa, "PRIVATE KEY"));
        assert_non_null(rsa_pub);
        assert_true(strncmp(rsa_pub, "ssh-rsa ", 8) == 0);
        assert_non_null(ecdsa);
        /* the mounted one is not the daemon's business */
        assert_string_equal(ed, "image-ed");
        char full[600];
        struct stat st;
        snprintf(full, sizeof(full), "%s/etc/ssh/ssh_host_rsa_key", rootfs);
        assert_int_equal(stat(full, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0600);
        snprintf(full, sizeof(full), "%s/etc/ssh/ssh_host_rsa_key.pub", rootfs);
        assert_int_equal(stat(full, &st), 0);
        assert_int_equal(st.st_mode & 0777, 0644);
}

static void test_lxcfs_cfs_probe(void **state)
{
        (void) state;
        assert_true(lxcfs_help_has_cfs("Options :\n  --enable-cfs         Enable CPU virtualization via CPU shares\n"));
        assert_false(lxcfs_help_has_cfs("Options :\n  -l, --enable-loadavg\n"));
        assert_false(lxcfs_help_has_cfs(NULL));
        assert_false(lxcfs_supports_cfs("/nonexistent/lxcfs"));
}

static void test_cpuset_for_quota(void **state)
{
        (void) state;
        cpu_set_t four;
        CPU_ZERO(&four);
        for (int c = 0; c < 4; c++)
                CPU_SET(c, &four);
        char buf[64];
        /* 1 CPU of 4, where the seed says */
        assert_int_equal(rich_cpuset_for_quota(100000, 100000, &four, 0, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "0");
        assert_int_equal(rich_cpuset_for_quota(100000, 100000, &four, 6, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "2");
        /* 1.5 CPUs: 2 of them, wrapping around */
        assert_int_equal(rich_cpuset_for_quota(150000, 100000, &four, 3, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "0,3");
        /* no quota, or one that covers every CPU: nothing to do */
        assert_int_equal(rich_cpuset_for_quota(0, 100000, &four, 0, buf, sizeof(buf)), 1);
        assert_int_equal(rich_cpuset_for_quota(-1, 100000, &four, 0, buf, sizeof(buf)), 1);
        assert_int_equal(rich_cpuset_for_quota(400000, 100000, &four, 0, buf, sizeof(buf)), 1);
        assert_int_equal(rich_cpuset_for_quota(100000, 0, &four, 0, buf, sizeof(buf)), 1);
        /* only the allowed CPUs are chosen */
        cpu_set_t odd;
        CPU_ZERO(&odd);
        CPU_SET(1, &odd);
        CPU_SET(5, &odd);
        CPU_SET(9, &odd);
        assert_int_equal(rich_cpuset_for_quota(200000, 100000, &odd, 1, buf, sizeof(buf)), 0);
        assert_string_equal(buf, "5,9");
        assert_int_equal(rich_cpuset_for_quota(200000, 100000, &odd, 1, buf, 3), -ENOBUFS);

        /* the spec: set when absent, kept when the user gave one */
        _cleanup_json_ json_t *spec = json_pack("{s:{s:{s:{s:i,s:i}}}}", "linux", "resources", "cpu", "quota", 1000,
                                                "period", 100000);
        assert_int_equal(rich_apply_cpuset(spec, "ab12"), 0);
        cpu_set_t mine;
        CPU_ZERO(&mine);
        assert_int_equal(sched_getaffinity(0, sizeof(mine), &mine), 0);
        json_t *cpu = json_object_get(json_object_get(json_object_get(spec, "linux"), "resources"), "cpu");
        if (CPU_COUNT(&mine) > 1)
                assert_int_equal(strlen(json_get_str(cpu, "cpus", "")) > 0, 1);
        json_object_set_new(cpu, "cpus", json_string("0-1"));
        assert_int_equal(rich_apply_cpuset(spec, "ab12"), 0);
        assert_string_equal(json_get_str(cpu, "cpus", ""), "0-1");
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_mounts_cover),
                cmocka_unit_test(test_first_start_then_kept),
                cmocka_unit_test(test_mounted_machine_id_and_readonly),
                cmocka_unit_test(test_keys_made_by_the_daemon),
                cmocka_unit_test(test_lxcfs_cfs_probe),
                cmocka_unit_test(test_cpuset_for_quota),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
