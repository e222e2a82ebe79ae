/* Unit tests for the SSH host keys of a rich container's first start (pouch-init/ssh-keys.c): which
 * keys exist, the ed25519 ExecStartPre= and the ssh-host-keys service, sshd pid files. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/ssh-keys.h"
#include "pouch-init/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static char root[] = "/tmp/pouch-init-ssh-keys-XXXXXX";

static void put(const char *name, const char *data)
{
        char path[512];
        snprintf(path, sizeof(path), "%s/etc/ssh/%s", root, name);
        assert_int_equal(write_file_atomic(path, data, strlen(data), 0600), 0);
}

static int setup(void **state)
{
        (void) state;
        char dir[512];
        if (!mkdtemp(root))
                return -1;
        snprintf(dir, sizeof(dir), "%s/etc", root);
        mkdir(dir, 0755);
        snprintf(dir, sizeof(dir), "%s/etc/ssh", root);
        return mkdir(dir, 0755);
}

static int teardown(void **state)
{
        (void) state;
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
        return system(cmd) == 0 ? 0 : -1;
}

static void test_state_pre_and_unit(void **state)
{
        (void) state;
        struct ssh_key_state st;
        ssh_keys_state(root, &st);
        assert_false(st.ed25519);
        assert_false(st.others);

        /* nothing yet: ed25519 before sshd, the others by ssh-host-keys after it */
        struct unit sshd = { 0 };
        assert_int_equal(ssh_keys_add_pre(&sshd, "/usr/bin/ssh-keygen", &st), 0);
        assert_int_equal(sshd.n_pre, 1);
        assert_true(sshd.pre[0].ignore_failure);
        assert_string_equal(sshd.pre[0].path, "/usr/bin/ssh-keygen");
        const char *want[] = { "/usr/bin/ssh-keygen",          "-q", "-t", "ed25519", "-N", "", "-f",
                               "/etc/ssh/ssh_host_ed25519_key" };
        assert_int_equal(sshd.pre[0].argv.n, 8);
        for (size_t i = 0; i < 8; i++)
                assert_string_equal(sshd.pre[0].argv.v[i], want[i]);
        unit_free(&sshd);

        struct unit keys;
        bool needed = false;
        assert_int_equal(ssh_keys_unit("/usr/bin/ssh-keygen", "/run/pouch-init/pouch-init", "sshd", &st, &keys,
                                       &needed),
                         0);
        assert_true(needed);
        assert_string_equal(keys.name, SSH_HOST_KEYS_UNIT);
        assert_int_equal(keys.restart, RESTART_NO);
        assert_true(strv_contains(&keys.after, "sshd"));
        assert_string_equal(keys.start.path, "/run/pouch-init/pouch-init");
        assert_int_equal(keys.start.argv.n, 3);
        assert_string_equal(keys.start.argv.v[1], SSH_HOST_KEYS_OPTION);
        assert_string_equal(keys.start.argv.v[2], "/usr/bin/ssh-keygen");
        unit_free(&keys);

        /* ed25519 there (a user's key, or made at the last start): no pre; RSA missing: the service */
        put("ssh_host_ed25519_key", "k");
        put("ssh_host_ecdsa_key", "k");
        ssh_keys_state(root, &st);
        assert_true(st.ed25519);
        assert_false(st.others);
        memset(&sshd, 0, sizeof(sshd));
        assert_int_equal(ssh_keys_add_pre(&sshd, "/usr/bin/ssh-keygen", &st), 0);
        assert_int_equal(sshd.n_pre, 0);
        needed = false;
        assert_int_equal(ssh_keys_unit("/usr/bin/ssh-keygen", "/x/pouch-init", "sshd", &st, &keys, &needed), 0);
        assert_true(needed);
        unit_free(&keys);

        /* an empty file (a mount point left behind) is no key */
        put("ssh_host_rsa_key", "");
        ssh_keys_state(root, &st);
        assert_false(st.others);
        put("ssh_host_rsa_key", "k");
        ssh_keys_state(root, &st);
        assert_true(st.others);
        needed = true;
        memset(&keys, 0x5a, sizeof(keys));
        assert_int_equal(ssh_keys_unit("/usr/bin/ssh-keygen", "/x/pouch-init", "sshd", &st, &keys, &needed), 0);
        assert_false(needed);
}

static void test_parse_pid(void **state)
{
        (void) state;
        assert_int_equal(ssh_keys_parse_pid("42\n"), 42);
        assert_int_equal(ssh_keys_parse_pid("7"), 7);
        assert_int_equal(ssh_keys_parse_pid(""), 0);
        assert_int_equal(ssh_keys_parse_pid(NULL), 0);
        assert_int_equal(ssh_keys_parse_pid("-3\n"), 0);
        assert_int_equal(ssh_keys_parse_pid("0"), 0);
        assert_int_equal(ssh_keys_parse_pid("12abc"), 0);
        assert_int_equal(ssh_keys_parse_pid("99999999999"), 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_state_pre_and_unit),
                cmocka_unit_test(test_parse_pid),
        };
        return cmocka_run_group_tests(tests, setup, teardown);
}
