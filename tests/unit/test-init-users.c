/* Unit tests for pouch-init's /etc/passwd and /etc/group parsing (no NSS). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "pouch-init/users.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\n"
                             "# a comment line\n"
                             "daemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n"
                             "broken line without fields\n"
                             "badnum:x:abc:1::/:/bin/sh\n"
                             "www-data:x:33:33:www-data:/var/www:/usr/sbin/nologin\n"
                             "\n"
                             "app:x:1000:1000:App User,,,:/home/app:/bin/sh\r\n"
                             "1234:x:2000:2000::/home/numeric:/bin/sh\n"
                             "nocolon";

static const char group[] = "root:x:0:\n"
                            "adm:x:4:syslog,app\n"
                            "www:x:33:\n"
                            "app:x:1000:\n"
                            "docker:x:999:other,app\n"
                            "apps:x:1001:application\n"
                            "dup:x:1000:app\n"
                            "junk\n"
                            "last:x:5000:app";

static void test_passwd_find(void **state)
{
        (void) state;
        struct passwd_entry e;
        assert_int_equal(passwd_find(passwd, "www-data", &e), 0);
        assert_string_equal(e.name, "www-data");
        assert_int_equal(e.uid, 33);
        assert_int_equal(e.gid, 33);
        assert_string_equal(e.home, "/var/www");
        assert_string_equal(e.shell, "/usr/sbin/nologin");
        passwd_entry_free(&e);

        /* CRLF line, gecos with commas */
        assert_int_equal(passwd_find(passwd, "app", &e), 0);
        assert_int_equal(e.uid, 1000);
        assert_string_equal(e.home, "/home/app");
        assert_string_equal(e.shell, "/bin/sh");
        passwd_entry_free(&e);

        /* by number */
        assert_int_equal(passwd_find(passwd, "1", &e), 0);
        assert_string_equal(e.name, "daemon");
        passwd_entry_free(&e);
        /* a user named like a number: the name first */
        assert_int_equal(passwd_find(passwd, "1234", &e), 0);
        assert_int_equal(e.uid, 2000);
        passwd_entry_free(&e);
        assert_int_equal(passwd_find(passwd, "2000", &e), 0);
        assert_string_equal(e.name, "1234");
        passwd_entry_free(&e);

        assert_int_equal(passwd_find(passwd, "nobody", &e), -ENOENT);
        assert_int_equal(passwd_find(passwd, "badnum", &e), -ENOENT);
        assert_int_equal(passwd_find(passwd, "broken line without fields", &e), -ENOENT);
        assert_int_equal(passwd_find(passwd, "nocolon", &e), -ENOENT);
        assert_int_equal(passwd_find("", "root", &e), -ENOENT);
        assert_int_equal(passwd_find(NULL, "root", &e), -ENOENT);
        /* a prefix of a name is not the name */
        assert_int_equal(passwd_find(passwd, "ap", &e), -ENOENT);
        assert_int_equal(passwd_find(passwd, "www", &e), -ENOENT);
}

static void test_group_find(void **state)
{
        (void) state;
        gid_t g;
        assert_int_equal(group_find(group, "www", &g), 0);
        assert_int_equal(g, 33);
        assert_int_equal(group_find(group, "docker", &g), 0);
        assert_int_equal(g, 999);
        assert_int_equal(group_find(group, "4", &g), 0);
        assert_int_equal(g, 4);
        assert_int_equal(group_find(group, "last", &g), 0);
        assert_int_equal(g, 5000);
        assert_int_equal(group_find(group, "nogroup", &g), -ENOENT);
        assert_int_equal(group_find(group, "12345", &g), -ENOENT);
        assert_int_equal(group_find(NULL, "root", &g), -ENOENT);
}

static void test_supplementary(void **state)
{
        (void) state;
        gid_t *gs;
        size_t n;
        assert_int_equal(group_list_for(group, "app", 1000, &gs, &n), 0);
        /* the primary first, then the groups naming app, without duplicates; "application" is not app */
        assert_int_equal(n, 4);
        assert_int_equal(gs[0], 1000);
        assert_int_equal(gs[1], 4);
        assert_int_equal(gs[2], 999);
        assert_int_equal(gs[3], 5000);
        free(gs);
        assert_int_equal(group_list_for(group, "nobody", 65534, &gs, &n), 0);
        assert_int_equal(n, 1);
        assert_int_equal(gs[0], 65534);
        free(gs);
}

static void test_credentials(void **state)
{
        (void) state;
        struct credentials c;
        const char *err = NULL;
        assert_int_equal(credentials_resolve(passwd, group, "app", NULL, &c, &err), 0);
        assert_int_equal(c.uid, 1000);
        assert_int_equal(c.gid, 1000);
        assert_int_equal(c.n_groups, 4);
        assert_string_equal(c.name, "app");
        assert_string_equal(c.home, "/home/app");
        credentials_free(&c);

        assert_int_equal(credentials_resolve(passwd, group, "www-data", "docker", &c, &err), 0);
        assert_int_equal(c.uid, 33);
        assert_int_equal(c.gid, 999);
        assert_int_equal(c.groups[0], 999);
        credentials_free(&c);

        /* numbers missing from the files: uid as given, gid 0 or the given one */
        assert_int_equal(credentials_resolve(passwd, group, "4242", NULL, &c, &err), 0);
        assert_int_equal(c.uid, 4242);
        assert_int_equal(c.gid, 0);
        assert_null(c.name);
        assert_null(c.home);
        credentials_free(&c);
        assert_int_equal(credentials_resolve(passwd, group, "4242", "4343", &c, &err), 0);
        assert_int_equal(c.gid, 4343);
        credentials_free(&c);

        /* Group= alone keeps our uid */
        assert_int_equal(credentials_resolve(passwd, group, NULL, "www", &c, &err), 0);
        assert_int_equal(c.uid, geteuid());
        assert_int_equal(c.gid, 33);
        credentials_free(&c);

        assert_int_equal(credentials_resolve(passwd, group, "ghost", NULL, &c, &err), -ENOENT);
        assert_string_equal(err, "no such user in /etc/passwd");
        assert_int_equal(credentials_resolve(passwd, group, "app", "ghosts", &c, &err), -ENOENT);
        assert_string_equal(err, "no such group in /etc/group");
        /* no files at all (an image without /etc/passwd) */
        assert_int_equal(credentials_resolve(NULL, NULL, "0", NULL, &c, &err), 0);
        assert_int_equal(c.uid, 0);
        credentials_free(&c);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_passwd_find),
                cmocka_unit_test(test_group_find),
                cmocka_unit_test(test_supplementary),
                cmocka_unit_test(test_credentials),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
