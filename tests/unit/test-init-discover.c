/* Unit tests for the discovery of an image's enabled services over a fake rootfs in a temp dir:
 * systemd wants links, aliases, templates, drop-ins, masked units, the skip list; SysV rcN.d
 * order, the runlevel from inittab or the distribution, LSB headers; unit-vs-SysV dedup and the
 * precedence of services.d, the built-ins replaced. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "pouch-init/lsb-header.h"
#include "pouch-init/service-set.h"
#include "pouch-init/skip-list.h"
#include "pouch-init/sysv.h"
#include "pouch-init/unit-discover.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char root[64];

static void put(const char *path, const char *text, mode_t mode)
{
        char full[512], dir[512];
        snprintf(full, sizeof(full), "%s%s", root, path);
        snprintf(dir, sizeof(dir), "%s", full);
        *strrchr(dir, '/') = '\0';
        assert_int_equal(mkdir_p(dir, 0755), 0);
        assert_int_equal(write_file_atomic(full, text, strlen(text), mode), 0);
}

static void link_to(const char *target, const char *path)
{
        char full[512], dir[512];
        snprintf(full, sizeof(full), "%s%s", root, path);
        snprintf(dir, sizeof(dir), "%s", full);
        *strrchr(dir, '/') = '\0';
        assert_int_equal(mkdir_p(dir, 0755), 0);
        assert_int_equal(symlink(target, full), 0);
}

static int setup(void **state)
{
        (void) state;
        snprintf(root, sizeof(root), "/tmp/pouch-discover.XXXXXX");
        return mkdtemp(root) ? 0 : -1;
}

static int teardown(void **state)
{
        (void) state;
        return rm_rf(root);
}

static const struct unit *find(const struct unit *units, size_t n, const char *name)
{
        ssize_t i = units_find(units, n, name);
        if (i < 0)
                fail_msg("no unit %s", name);
        return &units[i];
}

#define SYS "/lib/systemd/system"
#define ETC "/etc/systemd/system"

static void test_systemd_wants_dropins_masked(void **state)
{
        (void) state;
        /* default.target names graphical.target, which pulls multi-user.target in by its file */
        put(SYS "/graphical.target", "[Unit]\nRequires=multi-user.target\nWants=display-manager.service\n", 0644);
        link_to("graphical.target", SYS "/default.target");
        put(SYS "/web.service", "[Service]\nExecStart=/bin/web\nEnvironment=A=vendor\n", 0644);
        /* the /etc copy of a unit wins over /lib's */
        put(SYS "/db.service", "[Service]\nExecStart=/bin/vendor-db\n", 0644);
        put(ETC "/db.service", "[Unit]\nWants=helper.service\n[Service]\nExecStart=/bin/local-db\n", 0644);
        put(SYS "/helper.service", "[Service]\nExecStart=/bin/helper\n", 0644);
        link_to(SYS "/web.service", ETC "/multi-user.target.wants/web.service");
        link_to(SYS "/db.service", ETC "/multi-user.target.wants/db.service");
        /* drop-ins: file-name order, /etc's 10-a.conf wins over /lib's 10-a.conf */
        put(SYS "/web.service.d/10-a.conf", "[Service]\nEnvironment=A=lib-dropin B=lib\n", 0644);
        put(ETC "/web.service.d/10-a.conf", "[Service]\nEnvironment=A=etc-dropin\n", 0644);
        put(ETC "/web.service.d/20-b.conf", "[Service]\nEnvironment=C=late\nExecStart=\nExecStart=/bin/web2 %n\n",
            0644);
        /* masked: a link to /dev/null in /etc */
        put(SYS "/noisy.service", "[Service]\nExecStart=/bin/noisy\n", 0644);
        link_to("/dev/null", ETC "/noisy.service");
        link_to(SYS "/noisy.service", ETC "/multi-user.target.wants/noisy.service");
        /* an alias: sshd.service is ssh.service, loaded under the real name */
        put(SYS "/ssh.service", "[Service]\nExecStart=/usr/sbin/sshd -D\n", 0644);
        link_to(SYS "/ssh.service", ETC "/sshd.service");
        link_to(ETC "/sshd.service", ETC "/multi-user.target.wants/sshd.service");
        /* a template instance, a skip-listed one, a timer, a dangling link */
        put(SYS "/worker@.service", "[Service]\nExecStart=/bin/worker --id %i --unit %p\n", 0644);
        link_to(SYS "/worker@.service", ETC "/multi-user.target.wants/worker@3.service");
        put(SYS "/getty@.service", "[Service]\nExecStart=/sbin/agetty %I\n", 0644);
        link_to(SYS "/getty@.service", ETC "/getty.target.wants/getty@tty1.service");
        link_to(SYS "/getty.target", ETC "/multi-user.target.wants/getty.target");
        link_to(SYS "/apt-daily.timer", ETC "/timers.target.wants/apt-daily.timer");
        link_to(SYS "/backup.timer", ETC "/multi-user.target.wants/backup.timer");
        link_to(SYS "/gone.service", ETC "/multi-user.target.wants/gone.service");
        /* sysinit.target is not walked */
        put(SYS "/early.service", "[Service]\nExecStart=/bin/early\n", 0644);
        link_to(SYS "/early.service", ETC "/sysinit.target.wants/early.service");
        link_to(SYS "/sysinit.target", ETC "/multi-user.target.wants/sysinit.target");

        struct unit *u = NULL;
        size_t n = 0;
        assert_int_equal(discover_systemd(root, &u, &n), 0);
        const struct unit *web = find(u, n, "web");
        assert_null(web->error);
        assert_null(web->skip_reason);
        assert_int_equal(web->source, SOURCE_SYSTEMD);
        assert_string_equal(web->path, SYS "/web.service");
        assert_string_equal(strv_env_get(&web->environment, "A"), "etc-dropin");
        assert_null(strv_env_get(&web->environment, "B"));
        assert_string_equal(strv_env_get(&web->environment, "C"), "late");
        assert_string_equal(web->start.path, "/bin/web2");
        assert_string_equal(web->start.argv.v[1], "web.service");
        assert_string_equal(find(u, n, "db")->start.path, "/bin/local-db");
        /* pulled in by db's Wants= */
        assert_string_equal(find(u, n, "helper")->start.path, "/bin/helper");
        assert_non_null(strstr(find(u, n, "noisy")->skip_reason, "masked"));
        const struct unit *ssh = find(u, n, "ssh");
        assert_null(ssh->skip_reason);
        assert_int_equal(units_find(u, n, "sshd"), -1);
        const struct unit *w = find(u, n, "worker@3");
        assert_string_equal(w->instance, "3");
        assert_string_equal(w->start.argv.v[2], "3");
        assert_string_equal(w->start.argv.v[4], "worker");
        assert_non_null(strstr(find(u, n, "getty@tty1")->skip_reason, "consoles"));
        assert_non_null(strstr(find(u, n, "backup.timer")->skip_reason, "timer units are not supported"));
        assert_non_null(find(u, n, "gone")->skip_reason);
        /* timers.target is not pulled in here; display-manager has no file: nothing */
        assert_int_equal(units_find(u, n, "apt-daily.timer"), -1);
        assert_int_equal(units_find(u, n, "display-manager"), -1);
        assert_int_equal(units_find(u, n, "early"), -1);
        assert_true(unit_file_exists(root, "noisy"));
        assert_true(unit_file_exists(root, "db"));
        assert_false(unit_file_exists(root, "nothing"));
        units_free(u, n);
}

static void test_sysv_order_runlevel_lsb(void **state)
{
        (void) state;
        assert_int_equal(sysv_runlevel(root), 2);
        put("/etc/os-release", "NAME=Rocky\nID=\"rocky\"\nID_LIKE=\"rhel centos fedora\"\n", 0644);
        assert_int_equal(sysv_runlevel(root), 3);
        put("/etc/inittab", "# comment\nsi::sysinit:/etc/init.d/rcS\nid:4:initdefault:\n", 0644);
        assert_int_equal(sysv_runlevel(root), 4);
        put("/etc/inittab", "id:2:initdefault:\n", 0644);

        static const char script[] =
                "#!/bin/sh\n### BEGIN INIT INFO\n# Provides: %s %s\n# Required-Start: $remote_fs %s\n"
                "# Short-Description: the %s\n### END INIT INFO\nexit 0\n";
        char text[512];
        /* S10front needs "database", which S20db provides: db first despite the S order */
        snprintf(text, sizeof(text), script, "front", "", "database", "front");
        put("/etc/init.d/front", text, 0755);
        snprintf(text, sizeof(text), script, "db", "database", "", "db");
        put("/etc/init.d/db", text, 0755);
        put("/etc/init.d/plain", "#!/bin/sh\nexit 0\n", 0755);
        put("/etc/init.d/notexec", "#!/bin/sh\nexit 0\n", 0644);
        put("/etc/init.d/hwclock.sh", "#!/bin/sh\nexit 0\n", 0755);
        put("/etc/init.d/web", "#!/bin/sh\nexit 0\n", 0755);
        put("/etc/init.d/other", "#!/bin/sh\nexit 0\n", 0755);
        link_to("../init.d/front", "/etc/rc2.d/S10front");
        link_to("../init.d/db", "/etc/rc2.d/S20db");
        link_to("../init.d/plain", "/etc/rc2.d/S05plain");
        link_to("../init.d/notexec", "/etc/rc2.d/S30notexec");
        link_to("../init.d/hwclock.sh", "/etc/rc2.d/S01hwclock.sh");
        link_to("../init.d/web", "/etc/rc2.d/S40web");
        link_to("../init.d/other", "/etc/rc2.d/K01other");
        link_to("../init.d/other", "/etc/rc3.d/S01other");
        /* web has a systemd unit (enabled or not, the script is not run with systemd on) */
        put(SYS "/web.service", "[Service]\nExecStart=/bin/web\n", 0644);

        struct unit *u = NULL;
        size_t n = 0;
        assert_int_equal(sysv_discover(root, true, &u, &n), 0);
        assert_int_equal(units_find(u, n, "other"), -1); /* K* and other runlevels: not run */
        assert_string_equal(u[0].name, "hwclock.sh");
        assert_non_null(u[0].skip_reason);
        assert_string_equal(u[1].name, "plain");
        assert_string_equal(u[2].name, "front");
        const struct unit *front = &u[2];
        assert_int_equal(front->source, SOURCE_SYSV);
        assert_int_equal(front->type, UNIT_ONESHOT);
        assert_true(front->remain_after_exit);
        assert_string_equal(front->start.argv.v[0], "/etc/init.d/front");
        assert_string_equal(front->start.argv.v[1], "start");
        assert_string_equal(front->stop.v[0].argv.v[1], "stop");
        assert_string_equal(front->description, "the front");
        assert_int_equal(front->after.n, 1);
        assert_string_equal(front->after.v[0], "db");
        assert_string_equal(u[3].name, "db");
        assert_non_null(strstr(find(u, n, "notexec")->skip_reason, "not executable"));
        assert_non_null(strstr(find(u, n, "web")->skip_reason, "web.service"));
        units_free(u, n);
        /* without systemd, web's script runs */
        u = NULL;
        n = 0;
        assert_int_equal(sysv_discover(root, false, &u, &n), 0);
        assert_null(find(u, n, "web")->skip_reason);
        units_free(u, n);
}

static void test_lsb_header(void **state)
{
        (void) state;
        struct lsb_header h;
        assert_int_equal(lsb_header_parse("#!/bin/sh\n### BEGIN INIT INFO\n# Provides:          a b\n"
                                          "# Required-Start:    $network x\n# Should-Start: y\n"
                                          "# Short-Description: Short\n### END INIT INFO\n# Provides: late\n",
                                          &h),
                         0);
        assert_true(h.found);
        assert_int_equal(h.provides.n, 2);
        assert_string_equal(h.provides.v[1], "b");
        assert_int_equal(h.required_start.n, 2);
        assert_string_equal(h.required_start.v[0], "$network");
        assert_string_equal(h.should_start.v[0], "y");
        assert_string_equal(h.description, "Short");
        lsb_header_free(&h);
        assert_int_equal(lsb_header_parse("#!/bin/sh\necho hi\n", &h), 0);
        assert_false(h.found);
        assert_int_equal(h.provides.n, 0);
        lsb_header_free(&h);
}

static void test_skip_list(void **state)
{
        (void) state;
        assert_non_null(skip_reason_for("getty@tty1"));
        assert_non_null(skip_reason_for("serial-getty@ttyS0"));
        assert_non_null(skip_reason_for("systemd-timesyncd"));
        assert_non_null(skip_reason_for("systemd-logind"));
        assert_non_null(skip_reason_for("udev"));
        assert_non_null(skip_reason_for("networking"));
        assert_non_null(skip_reason_for("NetworkManager-wait-online"));
        assert_non_null(skip_reason_for("e2scrub_reap"));
        assert_non_null(skip_reason_for("apt-daily-upgrade"));
        assert_null(skip_reason_for("ssh"));
        assert_null(skip_reason_for("cron"));
        assert_null(skip_reason_for("nginx"));
        assert_null(skip_reason_for("rsyslog"));
        assert_null(skip_reason_for("dbus"));
}

/* the whole set: services.d wins over a systemd unit, which wins over a SysV script; the image's
 * ssh and cron replace the built-ins, and ssh gets the host-key step */
static void test_service_set(void **state)
{
        (void) state;
        put(SYS "/app.service", "[Service]\nExecStart=/bin/app-from-image\n", 0644);
        link_to(SYS "/app.service", ETC "/multi-user.target.wants/app.service");
        put(SYS "/cron.service", "[Service]\nExecStart=/usr/sbin/cron -f $EXTRA_OPTS\n", 0644);
        link_to(SYS "/cron.service", ETC "/multi-user.target.wants/cron.service");
        put("/etc/init.d/ssh", "#!/bin/sh\nexit 0\n", 0755);
        link_to("../init.d/ssh", "/etc/rc2.d/S01ssh");
        put("/etc/init.d/cron", "#!/bin/sh\nexit 0\n", 0755);
        link_to("../init.d/cron", "/etc/rc2.d/S01cron");
        put("/usr/sbin/sshd", "", 0755);
        put("/usr/sbin/cron", "", 0755);
        put("/usr/bin/ssh-keygen", "", 0755);
        put("/etc/pouch/services.d/app.service", "[Service]\nExecStart=/bin/app-from-pouch\n", 0644);

        struct service_set_opts o = {
                .root = root, .services_dir = "/etc/pouch/services.d", .mask = SERVICES_ALL, .sshd = true, .cron = true
        };
        struct unit *u = NULL;
        size_t n = 0;
        assert_int_equal(service_set_load(&o, &u, &n), 0);
        assert_int_equal(n, 4);
        assert_string_equal(u[0].name, "cron");
        assert_int_equal(u[0].source, SOURCE_SYSTEMD);
        assert_string_equal(u[1].name, "ssh");
        assert_int_equal(u[1].source, SOURCE_SYSV);
        assert_int_equal(u[1].n_pre, 1);
        assert_string_equal(u[1].pre[0].path, "/usr/bin/ssh-keygen");
        assert_string_equal(u[2].name, "app");
        assert_int_equal(u[2].source, SOURCE_POUCH);
        assert_int_equal(u[2].warnings.n, 1);
        assert_non_null(strstr(u[2].warnings.v[0], "replaces the systemd unit app"));
        /* the other host keys are made after the image's ssh */
        assert_string_equal(u[3].name, "ssh-host-keys");
        assert_true(strv_contains(&u[3].after, "ssh"));
        units_free(u, n);

        /* none: only the built-ins */
        o.mask = 0;
        assert_int_equal(service_set_load(&o, &u, &n), 0);
        assert_int_equal(n, 3);
        assert_string_equal(u[0].name, "sshd");
        assert_int_equal(u[0].source, SOURCE_BUILTIN);
        assert_string_equal(u[1].name, "ssh-host-keys");
        assert_string_equal(u[2].name, "cron");
        units_free(u, n);

        unsigned m;
        assert_int_equal(services_mask_parse("none", &m), 0);
        assert_int_equal(m, 0);
        assert_int_equal(services_mask_parse("sysv,pouch", &m), 0);
        assert_int_equal(m, SERVICES_SYSV | SERVICES_POUCH);
        assert_int_equal(services_mask_parse("all", &m), 0);
        assert_int_equal(m, SERVICES_ALL);
        assert_int_equal(services_mask_parse("sysv,", &m), -EINVAL);
        assert_int_equal(services_mask_parse("upstart", &m), -EINVAL);
        assert_int_equal(services_mask_parse("", &m), -EINVAL);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test_setup_teardown(test_systemd_wants_dropins_masked, setup, teardown),
                cmocka_unit_test_setup_teardown(test_sysv_order_runlevel_lsb, setup, teardown),
                cmocka_unit_test(test_lsb_header),
                cmocka_unit_test(test_skip_list),
                cmocka_unit_test_setup_teardown(test_service_set, setup, teardown),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
