/* Capability sets: docker's defaults, CapAdd/CapDrop/ALL and --privileged. Names are validated
 * with libcap so we accept exactly what the host's libcap knows. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>
#include <sys/capability.h>
#include <sys/prctl.h>

const char *const spec_default_caps[] = {
        "CAP_CHOWN",
        "CAP_DAC_OVERRIDE",
        "CAP_FSETID",
        "CAP_FOWNER",
        "CAP_MKNOD",
        "CAP_NET_RAW",
        "CAP_SETGID",
        "CAP_SETUID",
        "CAP_SETFCAP",
        "CAP_SETPCAP",
        "CAP_NET_BIND_SERVICE",
        "CAP_SYS_CHROOT",
        "CAP_KILL",
        "CAP_AUDIT_WRITE",
        NULL,
};

bool str_has_prefix_ci(const char *s, const char *prefix)
{
        return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

/* "CAP_NET_ADMIN" -> capability number, or -EINVAL. */
static int cap_value_of(const char *upper_name)
{
        char lower[64];
        size_t n = strlen(upper_name);
        if (n >= sizeof(lower))
                return -EINVAL;
        for (size_t i = 0; i <= n; i++)
                lower[i] = (char) tolower((unsigned char) upper_name[i]);
        cap_value_t v;
        /* cap_from_name also takes plain numbers; we only want names. */
        if (isdigit((unsigned char) lower[4]) || cap_from_name(lower, &v) < 0)
                return -EINVAL;
        return v;
}

static char *cap_upper_name(cap_value_t v)
{
        char *n = cap_to_name(v);
        if (!n)
                return NULL;
        char *s = NULL;
        if (!isdigit((unsigned char) n[0]) && asprintf(&s, "%s", n) >= 0)
                for (char *p = s; *p; p++)
                        *p = (char) toupper((unsigned char) *p);
        cap_free(n);
        return s;
}

int caps_normalize(const char *name, char **ret)
{
        if (strcasecmp(name, "ALL") == 0) {
                *ret = strdup("ALL");
                return *ret ? 0 : -ENOMEM;
        }
        char *s = NULL;
        if (asprintf(&s, "%s%s", str_has_prefix_ci(name, "CAP_") ? "" : "CAP_", name) < 0)
                return -ENOMEM;
        for (char *p = s; *p; p++)
                *p = (char) toupper((unsigned char) *p);
        if (cap_value_of(s) < 0) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

static bool in_bounding_set(const char *cap)
{
        int v = cap_value_of(cap);
        return v >= 0 && prctl(PR_CAPBSET_READ, (unsigned long) v, 0, 0, 0) == 1;
}

/* The kernel's capabilities that we still hold in our bounding set: a runtime started by us can
 * never grant the others (e.g. CAP_SYS_RESOURCE when the daemon runs without it). */
json_t *spec_all_caps(void)
{
        json_t *a = json_array();
        if (!a)
                return NULL;
        int max = cap_max_bits();
        for (int v = 0; v < max; v++) {
                if (prctl(PR_CAPBSET_READ, (unsigned long) v, 0, 0, 0) != 1)
                        continue;
                char *n = cap_upper_name(v);
                if (n)
                        json_array_append_new(a, json_string(n));
                free(n);
        }
        return a;
}

bool caps_list_contains(const json_t *list, const char *cap)
{
        size_t i;
        json_t *v;
        json_array_foreach(list, i, v)
                if (json_is_string(v) && STREQ(json_string_value(v), cap))
                        return true;
        return false;
}

static void list_add(json_t *list, const char *cap)
{
        if (!caps_list_contains(list, cap))
                json_array_append_new(list, json_string(cap));
}

static int parse_cap_list(const json_t *hc, const char *key, char ***ret, struct pouch_err *err)
{
        json_t *a = json_object_get(hc, key);
        size_t i;
        json_t *v;
        json_array_foreach(a, i, v) {
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "invalid %s: capabilities must be strings", key);
                char *n = NULL;
                int r = caps_normalize(json_string_value(v), &n);
                if (r == -EINVAL)
                        return err_set(err, r, "invalid capability: %s", json_string_value(v));
                if (r < 0)
                        return err_set(err, r, "out of memory");
                if (strv_consume(ret, n) < 0)
                        return err_set(err, -ENOMEM, "out of memory");
        }
        return 0;
}

int caps_for_host_config(const json_t *hc, json_t **ret, struct pouch_err *err)
{
        if (json_get_bool(hc, "Privileged", false)) {
                *ret = spec_all_caps();
                return *ret ? 0 : -ENOMEM;
        }
        _cleanup_strv_free_ char **add = NULL, **drop = NULL;
        int r = parse_cap_list(hc, "CapAdd", &add, err);
        if (r < 0)
                return r;
        r = parse_cap_list(hc, "CapDrop", &drop, err);
        if (r < 0)
                return r;

        json_t *caps = json_array();
        if (!caps)
                return -ENOMEM;
        if (strv_contains(add, "ALL")) {
                json_t *all = spec_all_caps();
                size_t i;
                json_t *v;
                json_array_foreach(all, i, v)
                        if (!strv_contains(drop, json_string_value(v)))
                                list_add(caps, json_string_value(v));
                json_decref(all);
        } else {
                if (!strv_contains(drop, "ALL"))
                        for (size_t i = 0; spec_default_caps[i]; i++)
                                if (!strv_contains(drop, spec_default_caps[i]))
                                        list_add(caps, spec_default_caps[i]);
                for (char **p = add; p && *p; p++)
                        list_add(caps, *p);
        }
        /* Asking runc for a capability outside our bounding set makes it fail to start the
         * container; leave it out and say so. */
        for (size_t i = json_array_size(caps); i-- > 0;) {
                const char *c = json_string_value(json_array_get(caps, i));
                if (!in_bounding_set(c)) {
                        log_warn("Capability %s is not available to the daemon; not granting it", c);
                        json_array_remove(caps, i);
                }
        }
        *ret = caps;
        return 0;
}

json_t *caps_object(const json_t *list)
{
        return json_pack("{s:O,s:O,s:O}", "bounding", list, "effective", list, "permitted", list);
}
