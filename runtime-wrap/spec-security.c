/* HostConfig.SecurityOpt: no-new-privileges, seccomp=unconfined|PROFILE, systempaths=unconfined;
 * apparmor/label options are accepted and ignored (no LSM support yet). */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <string.h>
#include <strings.h>

static int parse_bool_value(const char *v, bool *ret)
{
        if (!v || strcasecmp(v, "true") == 0 || STREQ(v, "1")) {
                *ret = true;
                return 0;
        }
        if (strcasecmp(v, "false") == 0 || STREQ(v, "0")) {
                *ret = false;
                return 0;
        }
        return -EINVAL;
}

/* seccomp=VALUE: the docker CLI sends the profile's JSON text; a path to a file is taken too. */
static int load_seccomp_profile(const char *value, json_t **ret, struct pouch_err *err)
{
        if (value[0] == '{') {
                json_error_t je;
                *ret = json_loads(value, 0, &je);
                if (!*ret)
                        return err_set(err, -EINVAL, "invalid seccomp profile: %s", je.text);
                return 0;
        }
        char detail[256] = "";
        int r = json_read_file(value, ret, detail, sizeof(detail));
        if (r == -EINVAL)
                return err_set(err, r, "invalid seccomp profile: %s", detail);
        if (r < 0)
                return err_set(err, r, "opening seccomp profile (%s) failed: %s", value, strerror(-r));
        return 0;
}

static int parse_one(const char *opt, struct security_opts *o, struct pouch_err *err)
{
        size_t klen = strcspn(opt, "=:");
        const char *value = opt[klen] ? opt + klen + 1 : NULL;
        char key[32];
        if (klen >= sizeof(key))
                goto invalid;
        memcpy(key, opt, klen);
        key[klen] = '\0';

        if (STREQ(key, "no-new-privileges")) {
                if (parse_bool_value(value, &o->no_new_privileges) < 0)
                        goto invalid;
                return 0;
        }
        if (!value)
                goto invalid;
        if (STREQ(key, "seccomp")) {
                json_decref(o->seccomp_profile);
                o->seccomp_profile = NULL;
                o->seccomp_unconfined = STREQ(value, "unconfined");
                return o->seccomp_unconfined ? 0 : load_seccomp_profile(value, &o->seccomp_profile, err);
        }
        if (STREQ(key, "systempaths")) {
                if (!STREQ(value, "unconfined"))
                        goto invalid;
                o->systempaths_unconfined = true;
                return 0;
        }
        if (STREQ(key, "apparmor") || STREQ(key, "label")) {
                log_debug("Ignoring security option %s: not supported on this engine", opt);
                return 0;
        }
invalid:
        return err_set(err, -EINVAL, "invalid --security-opt: \"%s\"", opt);
}

int security_opts_parse(const json_t *hc, struct security_opts *ret, struct pouch_err *err)
{
        struct security_opts o = { 0 };
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(hc, "SecurityOpt"), i, v) {
                int r = json_is_string(v) ? parse_one(json_string_value(v), &o, err)
                                          : err_set(err, -EINVAL, "invalid --security-opt: not a string");
                if (r < 0) {
                        security_opts_done(&o);
                        return r;
                }
        }
        *ret = o;
        return 0;
}

void security_opts_done(struct security_opts *o)
{
        if (!o)
                return;
        json_decref(o->seccomp_profile);
        o->seccomp_profile = NULL;
}

int security_seccomp(const struct security_opts *o, bool privileged, const json_t *caps, json_t **ret,
                     struct pouch_err *err)
{
        *ret = NULL;
        if (privileged || o->seccomp_unconfined)
                return 0;
        if (o->seccomp_profile)
                return seccomp_profile_convert(o->seccomp_profile, caps, ret, err);
        *ret = seccomp_default_profile_for_caps(caps);
        return *ret ? 0 : err_set(err, -ENOMEM, "out of memory building the seccomp profile");
}
