/* Unit tests for the default seccomp profile and docker-format profile conversion. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <cmocka.h>

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "runtime-wrap/spec.h"

#include <seccomp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* The first ALLOW entry (with no args) listing name, or NULL. */
static json_t *allowed_entry(const json_t *profile, const char *name, bool with_args)
{
        size_t i, k;
        json_t *e, *n;
        json_array_foreach(json_object_get(profile, "syscalls"), i, e) {
                if (strcmp(json_get_str(e, "action", ""), "SCMP_ACT_ALLOW") != 0)
                        continue;
                if ((json_object_get(e, "args") != NULL) != with_args)
                        continue;
                json_array_foreach(json_object_get(e, "names"), k, n)
                        if (strcmp(json_string_value(n), name) == 0)
                                return e;
        }
        return NULL;
}

static bool mentions(const json_t *profile, const char *name)
{
        return allowed_entry(profile, name, false) || allowed_entry(profile, name, true);
}

static void test_default_profile(void **state)
{
        (void) state;
        _cleanup_json_ json_t *p = seccomp_default_profile();
        assert_non_null(p);
        assert_string_equal(json_get_str(p, "defaultAction", ""), "SCMP_ACT_ERRNO");
        assert_int_equal(json_get_int(p, "defaultErrnoRet", 0), 1);
        json_t *arches = json_object_get(p, "architectures");
        assert_int_equal(json_array_size(arches), 3);
        assert_string_equal(json_string_value(json_array_get(arches, 0)), "SCMP_ARCH_X86_64");

        assert_non_null(allowed_entry(p, "read", false));
        assert_non_null(allowed_entry(p, "execve", false));
        assert_non_null(allowed_entry(p, "arch_prctl", false));
        assert_non_null(allowed_entry(p, "chroot", false)); /* CAP_SYS_CHROOT is a default cap */
        assert_false(mentions(p, "kexec_load"));
        assert_false(mentions(p, "mount"));
        assert_false(mentions(p, "unshare"));
        assert_non_null(allowed_entry(p, "ptrace", false)); /* kernel >= 4.8 */
        assert_false(mentions(p, "init_module"));
        assert_false(mentions(p, "open_by_handle_at"));
        assert_null(allowed_entry(p, "clone", false)); /* only with the namespace mask */

        json_t *clone = allowed_entry(p, "clone", true);
        assert_non_null(clone);
        json_t *arg = json_array_get(json_object_get(clone, "args"), 0);
        assert_string_equal(json_get_str(arg, "op", ""), "SCMP_CMP_MASKED_EQ");
        assert_int_equal(json_get_int(arg, "value", 0), 0x7E020000);
        assert_int_equal(json_get_int(arg, "valueTwo", -1), 0);

        json_t *pers = allowed_entry(p, "personality", true);
        assert_non_null(pers);
        assert_null(allowed_entry(p, "personality", false));

        /* clone3 answers ENOSYS without CAP_SYS_ADMIN */
        bool clone3 = false;
        size_t i;
        json_t *e;
        json_array_foreach(json_object_get(p, "syscalls"), i, e)
                if (strcmp(json_get_str(e, "action", ""), "SCMP_ACT_ERRNO") == 0 &&
                    json_get_int(e, "errnoRet", 0) == 38)
                        clone3 = true;
        assert_true(clone3);

        /* every name is one libseccomp knows */
        json_array_foreach(json_object_get(p, "syscalls"), i, e) {
                size_t k;
                json_t *n;
                json_array_foreach(json_object_get(e, "names"), k, n)
                        assert_int_not_equal(seccomp_syscall_resolve_name(json_string_value(n)), __NR_SCMP_ERROR);
        }
}

/* io_uring is denied by default (the profile's default action, EPERM), whatever the caps, and
 * a custom profile that allows it keeps it. */
static void test_io_uring_denied(void **state)
{
        (void) state;
        static const char *const uring[] = { "io_uring_setup", "io_uring_enter", "io_uring_register" };
        _cleanup_json_ json_t *p = seccomp_default_profile();
        _cleanup_json_ json_t *caps = json_pack("[s,s]", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE");
        _cleanup_json_ json_t *admin = seccomp_default_profile_for_caps(caps);
        assert_non_null(p);
        assert_non_null(admin);
        assert_string_equal(json_get_str(p, "defaultAction", ""), "SCMP_ACT_ERRNO");
        assert_int_equal(json_get_int(p, "defaultErrnoRet", 0), 1);
        for (size_t i = 0; i < sizeof(uring) / sizeof(uring[0]); i++) {
                assert_int_not_equal(seccomp_syscall_resolve_name(uring[i]), __NR_SCMP_ERROR);
                assert_false(mentions(p, uring[i]));
                assert_false(mentions(admin, uring[i]));
        }

        _cleanup_json_ json_t *custom =
                json_loads("{\"defaultAction\":\"SCMP_ACT_ERRNO\",\"syscalls\":[{\"names\":[\"io_uring_setup\","
                           "\"io_uring_enter\",\"io_uring_register\"],\"action\":\"SCMP_ACT_ALLOW\"}]}",
                           0, NULL);
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *oci = NULL;
        assert_int_equal(seccomp_profile_from_docker_json(custom, &oci, &err), 0);
        for (size_t i = 0; i < sizeof(uring) / sizeof(uring[0]); i++)
                assert_non_null(allowed_entry(oci, uring[i], false));
}

static void test_caps_conditional(void **state)
{
        (void) state;
        _cleanup_json_ json_t *caps = json_pack("[s,s,s]", "CAP_SYS_ADMIN", "CAP_SYS_PTRACE", "CAP_CHOWN");
        _cleanup_json_ json_t *p = seccomp_default_profile_for_caps(caps);
        assert_non_null(p);
        assert_non_null(allowed_entry(p, "mount", false));
        assert_non_null(allowed_entry(p, "clone", false));
        assert_null(allowed_entry(p, "clone", true)); /* the masked rule is excluded with SYS_ADMIN */
        assert_non_null(allowed_entry(p, "ptrace", false));
        assert_false(mentions(p, "chroot"));
        assert_false(mentions(p, "kexec_load"));
}

static int setup_dir(void **state)
{
        char *dir = strdup("/tmp/pouch-seccomp-XXXXXX");
        if (!dir || !mkdtemp(dir))
                return -1;
        *state = dir;
        return 0;
}

static int teardown_dir(void **state)
{
        rm_rf(*state);
        free(*state);
        return 0;
}

static void test_docker_json_and_spec(void **state)
{
        const char *dir = *state;
        struct pouch_err err = { 0 };
        _cleanup_json_ json_t *docker = json_loads(
                "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":["
                "{\"names\":[\"mkdir\",\"no_such_syscall_xyz\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":13},"
                "{\"names\":[\"reboot\"],\"action\":\"SCMP_ACT_ERRNO\",\"includes\":{\"caps\":[\"CAP_SYS_BOOT\"]}}]}",
                0, NULL);
        json_t *oci = NULL;
        assert_int_equal(seccomp_profile_from_docker_json(docker, &oci, &err), 0);
        json_t *calls = json_object_get(oci, "syscalls");
        assert_int_equal(json_array_size(calls), 1);
        json_t *names = json_object_get(json_array_get(calls, 0), "names");
        assert_int_equal(json_array_size(names), 1);
        assert_string_equal(json_string_value(json_array_get(names, 0)), "mkdir");
        assert_int_equal(json_get_int(json_array_get(calls, 0), "errnoRet", 0), 13);
        json_decref(oci);
        _cleanup_json_ json_t *bad = json_loads("{\"syscalls\":[]}", 0, NULL);
        assert_int_equal(seccomp_profile_from_docker_json(bad, &oci, &err), -EINVAL);

        /* through spec_build: unconfined, and seccomp=FILE */
        char file[128];
        snprintf(file, sizeof(file), "%s/profile.json", dir);
        assert_int_equal(json_write_file_atomic(file, docker), 0);
        _cleanup_json_ json_t *c = json_loads("{\"Cmd\":[\"x\"]}", 0, NULL);
        const char *opts[] = { "seccomp=unconfined", "seccomp:unconfined", NULL };
        for (size_t i = 0; opts[i]; i++) {
                _cleanup_json_ json_t *hc = json_pack("{s:[s]}", "SecurityOpt", opts[i]);
                struct spec_input in = { .id = "x", .config = c, .host_config = hc, .rootfs = dir };
                json_t *spec = NULL;
                assert_int_equal(spec_build(&in, &spec, &err), 0);
                assert_null(json_get_path(spec, "linux.seccomp"));
                json_decref(spec);
        }
        char opt[200];
        snprintf(opt, sizeof(opt), "seccomp=%s", file);
        _cleanup_json_ json_t *hc = json_pack("{s:[s]}", "SecurityOpt", opt);
        struct spec_input in = { .id = "x", .config = c, .host_config = hc, .rootfs = dir };
        json_t *spec = NULL;
        assert_int_equal(spec_build(&in, &spec, &err), 0);
        assert_string_equal(json_get_str(json_get_path(spec, "linux.seccomp"), "defaultAction", ""), "SCMP_ACT_ALLOW");
        json_decref(spec);
        _cleanup_json_ json_t *hc2 = json_pack("{s:[s]}", "SecurityOpt", "seccomp=/nonexistent/profile.json");
        in.host_config = hc2;
        assert_true(spec_build(&in, &spec, &err) < 0);
}

int main(void)
{
        const struct CMUnitTest tests[] = {
                cmocka_unit_test(test_default_profile),
                cmocka_unit_test(test_caps_conditional),
                cmocka_unit_test(test_io_uring_denied),
                cmocka_unit_test_setup_teardown(test_docker_json_and_spec, setup_dir, teardown_dir),
        };
        return cmocka_run_group_tests(tests, NULL, NULL);
}
