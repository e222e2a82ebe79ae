/* Rich containers' sysinfo(2): which containers get the seccomp notify rule, and the rule itself. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "richmode/sysinfo.h"
#include "runtime-wrap/seccomp-notify.h"
#include "runtime-wrap/spec.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <string.h>

#define SOCK "/run/pouch/abc/seccomp.sock"

/* How many rules name sysinfo, and the action of the last one. */
static int sysinfo_rules(const json_t *seccomp, const char **ret_action)
{
        int n = 0;
        size_t i, j;
        json_t *rule, *name;
        json_array_foreach(json_object_get(seccomp, "syscalls"), i, rule) {
                json_array_foreach(json_object_get(rule, "names"), j, name) {
                        if (STREQ(json_string_value(name), "sysinfo")) {
                                n++;
                                *ret_action = json_get_str(rule, "action", "");
                        }
                }
        }
        return n;
}

static void test_default_profile_notifies(void **state)
{
        (void) state;
        _cleanup_json_ json_t *s = seccomp_default_profile();
        assert_non_null(s);
        const char *action = NULL;
        assert_int_equal(sysinfo_rules(s, &action), 1);
        assert_string_equal(action, "SCMP_ACT_ALLOW");
        size_t before = json_array_size(json_object_get(s, "syscalls"));
        assert_int_equal(seccomp_notify_syscall(s, "sysinfo", SOCK), 0);
        assert_int_equal(sysinfo_rules(s, &action), 1);
        assert_string_equal(action, "SCMP_ACT_NOTIFY");
        assert_int_equal(json_array_size(json_object_get(s, "syscalls")), before + 1);
        assert_string_equal(json_get_str(s, "listenerPath", ""), SOCK);
        /* the rest of the allow list is intact */
        json_t *first = json_array_get(json_object_get(s, "syscalls"), 0);
        assert_string_equal(json_get_str(first, "action", ""), "SCMP_ACT_ALLOW");
        assert_true(json_array_size(json_object_get(first, "names")) > 100);
        /* a second time: sysinfo is no longer allowed, nothing changes */
        assert_int_equal(seccomp_notify_syscall(s, "sysinfo", SOCK), -EINVAL);
        assert_int_equal(sysinfo_rules(s, &action), 1);
}

static void test_profile_that_does_not_plainly_allow(void **state)
{
        (void) state;
        const char *action = NULL;
        /* denied, or allowed only with arguments: the policy stays as it is */
        _cleanup_json_ json_t *denied = json_pack("{s:s,s:[{s:[s],s:s}]}", "defaultAction", "SCMP_ACT_ALLOW",
                                                  "syscalls", "names", "sysinfo", "action", "SCMP_ACT_ERRNO");
        assert_int_equal(seccomp_notify_syscall(denied, "sysinfo", SOCK), -EINVAL);
        assert_int_equal(sysinfo_rules(denied, &action), 1);
        assert_string_equal(action, "SCMP_ACT_ERRNO");
        assert_null(json_object_get(denied, "listenerPath"));
        _cleanup_json_ json_t *args = json_pack("{s:s,s:[{s:[s],s:s,s:[{s:i,s:i,s:s}]}]}", "defaultAction",
                                                "SCMP_ACT_ERRNO", "syscalls", "names", "sysinfo", "action",
                                                "SCMP_ACT_ALLOW", "args", "index", 0, "value", 0, "op", "SCMP_CMP_NE");
        assert_int_equal(seccomp_notify_syscall(args, "sysinfo", SOCK), -EINVAL);
        /* a rule naming only sysinfo goes away rather than staying with no names */
        _cleanup_json_ json_t *alone = json_pack("{s:s,s:[{s:[s],s:s},{s:[s,s],s:s}]}", "defaultAction",
                                                 "SCMP_ACT_ERRNO", "syscalls", "names", "sysinfo", "action",
                                                 "SCMP_ACT_ALLOW", "names", "read", "sysinfo", "action",
                                                 "SCMP_ACT_ALLOW");
        assert_int_equal(seccomp_notify_syscall(alone, "sysinfo", SOCK), 0);
        json_t *rules = json_object_get(alone, "syscalls");
        assert_int_equal(json_array_size(rules), 2);
        assert_int_equal(json_array_size(json_object_get(json_array_get(rules, 0), "names")), 1);
        assert_string_equal(json_string_value(json_array_get(json_object_get(json_array_get(rules, 0), "names"), 0)),
                            "read");
        assert_int_equal(sysinfo_rules(alone, &action), 1);
        assert_string_equal(action, "SCMP_ACT_NOTIFY");
        _cleanup_json_ json_t *absent = json_pack("{s:s,s:[]}", "defaultAction", "SCMP_ACT_ERRNO", "syscalls");
        assert_int_equal(seccomp_notify_syscall(absent, "sysinfo", SOCK), -EINVAL);
        assert_int_equal(json_array_size(json_object_get(absent, "syscalls")), 0);
}

/* A spec with the default profile and, as lxcfs gives it, /proc/meminfo bound. */
static json_t *spec_with_default_seccomp(void)
{
        return json_pack("{s:{s:o},s:[{s:s,s:s,s:s}]}", "linux", "seccomp", seccomp_default_profile(), "mounts",
                         "destination", "/proc/meminfo", "source", "/var/lib/pouch/lxcfs/proc/meminfo", "type", "bind");
}

static void test_which_containers(void **state)
{
        (void) state;
        const char *action = NULL;
        _cleanup_json_ json_t *plain = json_pack("{s:b}", "Memory", 0);
        _cleanup_json_ json_t *custom = json_pack("{s:b,s:[s]}", "Rich", 1, "SecurityOpt", "seccomp=/x.json");
        _cleanup_json_ json_t *unconfined = json_pack("{s:b,s:[s]}", "Rich", 1, "SecurityOpt", "seccomp:unconfined");
        _cleanup_json_ json_t *rich = json_pack("{s:b,s:[s]}", "Rich", 1, "SecurityOpt", "no-new-privileges");
        const json_t *skipped[] = { plain, custom, unconfined };
        for (size_t i = 0; i < ARRAY_SIZE(skipped); i++) {
                _cleanup_json_ json_t *spec = spec_with_default_seccomp();
                assert_int_equal(rich_sysinfo_apply(spec, skipped[i], SOCK), 0);
                json_t *s = json_object_get(json_object_get(spec, "linux"), "seccomp");
                assert_int_equal(sysinfo_rules(s, &action), 1);
                assert_string_equal(action, "SCMP_ACT_ALLOW");
        }
        /* privileged: no seccomp at all */
        _cleanup_json_ json_t *priv = json_pack("{s:{}}", "linux");
        assert_int_equal(rich_sysinfo_apply(priv, rich, SOCK), 0);
        assert_null(json_object_get(json_object_get(priv, "linux"), "seccomp"));
        /* no lxcfs /proc/meminfo: free(1) would mix the host's page cache with the container's total */
        _cleanup_json_ json_t *spec_nolxcfs = spec_with_default_seccomp();
        json_array_clear(json_object_get(spec_nolxcfs, "mounts"));
        assert_int_equal(rich_sysinfo_apply(spec_nolxcfs, rich, SOCK), 0);
        assert_null(
                json_object_get(json_object_get(json_object_get(spec_nolxcfs, "linux"), "seccomp"), "listenerPath"));
        /* a socket path too long to bind */
        char long_path[160];
        memset(long_path, 'a', sizeof(long_path) - 1);
        long_path[0] = '/';
        long_path[sizeof(long_path) - 1] = '\0';
        _cleanup_json_ json_t *spec_long = spec_with_default_seccomp();
        assert_int_equal(rich_sysinfo_apply(spec_long, rich, long_path), 0);
        _cleanup_json_ json_t *spec = spec_with_default_seccomp();
        if (!seccomp_notify_supported()) {
                assert_int_equal(rich_sysinfo_apply(spec, rich, SOCK), 0);
                skip();
        }
        assert_int_equal(rich_sysinfo_apply(spec, rich, SOCK), 1);
        json_t *s = json_object_get(json_object_get(spec, "linux"), "seccomp");
        assert_int_equal(sysinfo_rules(s, &action), 1);
        assert_string_equal(action, "SCMP_ACT_NOTIFY");
        assert_string_equal(json_get_str(s, "listenerPath", ""), SOCK);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile_notifies),
                cmocka_unit_test(test_profile_that_does_not_plainly_allow),
                cmocka_unit_test(test_which_containers),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
