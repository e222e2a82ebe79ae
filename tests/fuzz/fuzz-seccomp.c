/* Docker-format seccomp profiles (runtime-wrap/seccomp.c) as `--security-opt seccomp=<json>` sends
 * them (runtime-wrap/spec-security.c). Invariants: the OCI profile has a default action, string
 * architectures and syscall entries with known names and an action; converting it again (it is
 * also a valid docker-format profile) gives the same document. */
#include "tests/fuzz/fuzz-common.h"

#include "lib/jsonutil.h"
#include "runtime-wrap/spec-internal.h"
#include "runtime-wrap/spec.h"

#include <seccomp.h>

static void check_oci(const json_t *oci)
{
        FUZZ_CHECK(json_is_string(json_object_get(oci, "defaultAction")));
        size_t i, j;
        json_t *v, *n;
        json_array_foreach(json_object_get(oci, "architectures"), i, v)
                (void) v;
        json_array_foreach(json_object_get(oci, "syscalls"), i, v) {
                FUZZ_CHECK(json_is_string(json_object_get(v, "action")));
                FUZZ_CHECK(json_array_size(json_object_get(v, "names")) > 0);
                json_array_foreach(json_object_get(v, "names"), j, n) {
                        FUZZ_CHECK(json_is_string(n));
                        FUZZ_CHECK(seccomp_syscall_resolve_name(json_string_value(n)) != __NR_SCMP_ERROR);
                }
        }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        json_t *doc = json_loads(s, 0, NULL);
        struct pouch_err err = { 0 };
        if (doc) {
                json_t *oci = NULL;
                if (seccomp_profile_from_docker_json(doc, &oci, &err) == 0) {
                        check_oci(oci);
                        json_t *again = NULL;
                        FUZZ_CHECK(seccomp_profile_from_docker_json(oci, &again, &err) == 0);
                        FUZZ_CHECK(json_equal(oci, again));
                        json_decref(again);
                        json_decref(oci);
                } else {
                        FUZZ_CHECK(err.code < 0 && err.msg[0]);
                }
                json_decref(doc);
        }
        /* the same text through HostConfig.SecurityOpt (only JSON text: a path would be opened) */
        if (s[0] == '{') {
                char *opt = NULL;
                FUZZ_CHECK(asprintf(&opt, "seccomp=%s", s) > 0);
                json_t *hc = json_pack("{s:[s,s]}", "SecurityOpt", "no-new-privileges", opt);
                struct security_opts o = { 0 };
                if (hc && security_opts_parse(hc, &o, &err) == 0) {
                        FUZZ_CHECK(o.no_new_privileges);
                        json_t *caps = json_array(), *sc = NULL;
                        if (security_seccomp(&o, false, caps, &sc, &err) == 0 && sc)
                                check_oci(sc);
                        json_decref(sc);
                        json_decref(caps);
                        security_opts_done(&o);
                }
                json_decref(hc);
                free(opt);
        }
        free(s);
        return 0;
}
