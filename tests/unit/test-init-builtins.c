/* Unit tests for pouch-init's built-in services: sshd (host keys, ssh-keygen) and cron found in
 * a rootfs, and replaced by services.d units of the same name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "pouch-init/builtins.h"
#include "pouch-init/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[] = "/tmp/pouch-init-builtins-XXXXXX";

static void put(const char *path, mode_t mode)
{
        char full[512], dir[512];
        snprintf(full, sizeof(full), "%s%s", root, path);
        /* mkdir -p of the parents */
        snprintf(dir, sizeof(dir), "%s", full);
        for (char *p = dir + strlen(root) + 1; (p = strchr(p, '/')); p++) {
                *p = '\0';
                mkdir(dir, 0755);
                *p = '/';
        }
        assert_int_equal(write_file_atomic(full, "#!/bin/sh\n", 10, mode), 0);
}

static int setup(void **state)
{
        (void) state;
        return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
        (void) state;
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_nothing_found(void **state)
{
        (void) state;
        struct unit *units = NULL;
        size_t n = 0;
        assert_int_equal(builtins_add(root, true, true, &units, &n), 0);
        assert_int_equal(n, 0);
        free(units);
}

static void test_sshd_and_cron(void **state)
{
        (void) state;
        put("/usr/sbin/sshd", 0755);
        put("/usr/bin/ssh-keygen", 0755);
        put("/usr/sbin/crond", 0755);
        put("/sbin/crond", 0755);
        struct unit *units = calloc(1, sizeof(*units));
        assert_int_equal(unit_parse("app.service", "[Service]\nExecStart=/bin/app\n", &units[0]), 0);
        size_t n = 1;
        assert_int_equal(builtins_add(root, true, true, &units, &n), 0);
        assert_int_equal(n, 4);
        /* built-ins first */
        assert_string_equal(units[0].name, "sshd");
        assert_string_equal(units[0].start.path, "/usr/sbin/sshd");
        assert_int_equal(units[0].start.argv.n, 3);
        assert_string_equal(units[0].start.argv.v[1], "-D");
        assert_string_equal(units[0].start.argv.v[2], "-e");
        assert_int_equal(units[0].restart, RESTART_ALWAYS);
        /* no host keys yet: the ed25519 key first, its failure ignored; the others after sshd */
        assert_int_equal(units[0].n_pre, 1);
        assert_string_equal(units[0].pre[0].path, "/usr/bin/ssh-keygen");
        assert_string_equal(units[0].pre[0].argv.v[3], "ed25519");
        assert_true(units[0].pre[0].ignore_failure);
        assert_string_equal(units[1].name, "ssh-host-keys");
        char run[600];
        snprintf(run, sizeof(run), "%s/run/sshd", root);
        struct stat st;
        assert_int_equal(stat(run, &st), 0);
        assert_true(S_ISDIR(st.st_mode));
        assert_string_equal(units[2].name, "cron");
        assert_string_equal(units[2].start.path, "/usr/sbin/crond");
        assert_string_equal(units[2].start.argv.v[1], "-f");
        assert_int_equal(units[2].restart, RESTART_ALWAYS);
        assert_string_equal(units[3].name, "app");
        units_free(units, n);

        /* host keys exist: no ssh-keygen; Debian's cron wins over crond; --no-sshd */
        put("/etc/ssh/ssh_host_ed25519_key", 0600);
        put("/etc/ssh/ssh_host_rsa_key", 0600);
        put("/etc/ssh/ssh_host_ecdsa_key", 0600);
        put("/usr/sbin/cron", 0755);
        units = NULL;
        n = 0;
        assert_int_equal(builtins_add(root, true, true, &units, &n), 0);
        assert_int_equal(n, 2);
        assert_int_equal(units[0].n_pre, 0);
        assert_string_equal(units[1].start.path, "/usr/sbin/cron");
        units_free(units, n);
        units = NULL;
        n = 0;
        assert_int_equal(builtins_add(root, false, true, &units, &n), 0);
        assert_int_equal(n, 1);
        assert_string_equal(units[0].name, "cron");
        units_free(units, n);
        units = NULL;
        n = 0;
        assert_int_equal(builtins_add(root, false, false, &units, &n), 0);
        assert_int_equal(n, 0);
        free(units);
}

static void test_replaced_by_units(void **state)
{
        (void) state;
        put("/usr/sbin/sshd", 0755);
        put("/usr/sbin/cron", 0755);
        struct unit *units = calloc(2, sizeof(*units));
        assert_int_equal(unit_parse("ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D -p 2222\n", &units[0]), 0);
        assert_int_equal(unit_parse("crond.service", "[Service]\nExecStart=/usr/sbin/cron -f -L 15\n", &units[1]), 0);
        size_t n = 2;
        assert_int_equal(builtins_add(root, true, true, &units, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(units[0].name, "ssh");
        assert_string_equal(units[1].name, "crond");
        units_free(units, n);
        /* a non-executable sshd is not a daemon */
        put("/usr/sbin/sshd", 0644);
        units = NULL;
        n = 0;
        assert_int_equal(builtins_add(root, true, false, &units, &n), 0);
        assert_int_equal(n, 0);
        free(units);
}

/* An image's ssh unit replacing the built-in sshd gets the host keys: the ed25519 key before its
 * own ExecStartPre= (Debian's `sshd -t` needs a key) and ssh-host-keys ordered after it. */
static void test_adopted_ssh_unit_gets_host_keys(void **state)
{
        (void) state;
        put("/usr/sbin/sshd", 0755);
        put("/usr/bin/ssh-keygen", 0755);
        /* no host keys (an earlier test made some) */
        static const char *const keys[] = { "ed25519", "rsa", "ecdsa" };
        for (size_t i = 0; i < 3; i++) {
                char key[600];
                snprintf(key, sizeof(key), "%s/etc/ssh/ssh_host_%s_key", root, keys[i]);
                unlink(key);
        }
        struct unit *units = calloc(1, sizeof(*units));
        assert_non_null(units);
        assert_int_equal(unit_parse("ssh.service",
                                    "[Service]\nExecStartPre=/usr/sbin/sshd -t\nExecStart=/usr/sbin/sshd -D\n",
                                    &units[0]),
                         0);
        units[0].source = SOURCE_SYSTEMD;
        size_t n = 1;
        assert_int_equal(builtins_add(root, true, false, &units, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(builtins_adopt(root, &units, &n), 0);
        assert_int_equal(n, 2);
        assert_string_equal(units[0].name, "ssh");
        assert_int_equal(units[0].n_pre, 2);
        assert_string_equal(units[0].pre[0].path, "/usr/bin/ssh-keygen");
        assert_string_equal(units[0].pre[0].argv.v[3], "ed25519");
        assert_string_equal(units[0].pre[1].path, "/usr/sbin/sshd");
        assert_string_equal(units[1].name, "ssh-host-keys");
        assert_int_equal(units[1].source, SOURCE_BUILTIN);
        assert_true(strv_contains(&units[1].after, "ssh"));
        units_free(units, n);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_nothing_found),
                cmocka_unit_test(test_sshd_and_cron),
                cmocka_unit_test(test_replaced_by_units),
                cmocka_unit_test(test_adopted_ssh_unit_gets_host_keys),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
