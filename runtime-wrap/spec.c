/* spec_build: the whole OCI config.json; process, mounts and resources come from their own files,
 * this one adds root, hostname, annotations, namespaces, masked paths, device rules, seccomp. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <string.h>

static const char *const default_masked_paths[] = {
        "/proc/asound",
        "/proc/acpi",
        "/proc/kcore",
        "/proc/keys",
        "/proc/latency_stats",
        "/proc/timer_list",
        "/proc/timer_stats",
        "/proc/sched_debug",
        "/proc/scsi",
        "/sys/firmware",
        "/sys/devices/virtual/powercap",
        NULL,
};

static const char *const default_readonly_paths[] = {
        "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
};

/* Device cgroup: deny everything, then docker's (and runc's) default set of safe devices. */
static const struct {
        bool allow;
        char type;
        int major, minor; /* -1 = any */
        const char *access;
} default_device_rules[] = {
        { false, 'a', -1, -1, "rwm" },
        /* fuse stays denied; listed before the wildcard "m" rules because cgroup v1 cannot
         * punch a hole into a wildcard once it is allowed. */
        { false, 'c', 10, 229, "rwm" },
        { true, 'c', -1, -1, "m" },
        { true, 'b', -1, -1, "m" },    /* mknod of anything */
        { true, 'c', 1, 3, "rwm" },    /* null */
        { true, 'c', 1, 5, "rwm" },    /* zero */
        { true, 'c', 1, 7, "rwm" },    /* full */
        { true, 'c', 1, 8, "rwm" },    /* random */
        { true, 'c', 1, 9, "rwm" },    /* urandom */
        { true, 'c', 5, 0, "rwm" },    /* tty */
        { true, 'c', 5, 1, "rwm" },    /* console */
        { true, 'c', 5, 2, "rwm" },    /* ptmx */
        { true, 'c', 136, -1, "rwm" }, /* pts */
        { true, 'c', 10, 200, "rwm" }, /* tun */
};

static json_t *strv_to_json(const char *const *v)
{
        json_t *a = json_array();
        for (size_t i = 0; v[i]; i++)
                json_array_append_new(a, json_string(v[i]));
        return a;
}

static json_t *device_rules(bool privileged)
{
        if (privileged)
                return json_pack("[{s:b,s:s}]", "allow", 1, "access", "rwm");
        json_t *a = json_array();
        for (size_t i = 0; i < ARRAY_SIZE(default_device_rules); i++) {
                char type[2] = { default_device_rules[i].type, '\0' };
                json_t *r = json_pack("{s:b,s:s}", "allow", default_device_rules[i].allow, "access",
                                      default_device_rules[i].access);
                if (type[0] != 'a')
                        json_object_set_new(r, "type", json_string(type));
                if (default_device_rules[i].major >= 0)
                        json_object_set_new(r, "major", json_integer(default_device_rules[i].major));
                if (default_device_rules[i].minor >= 0)
                        json_object_set_new(r, "minor", json_integer(default_device_rules[i].minor));
                json_array_append_new(a, r);
        }
        return a;
}

static bool mode_is_host(const json_t *hc, const char *key)
{
        return STREQ(json_get_str(hc, key, ""), "host");
}

static json_t *namespaces(const struct spec_input *in)
{
        const json_t *hc = in->host_config;
        json_t *a = json_pack("[{s:s}]", "type", "mount");
        if (!mode_is_host(hc, "NetworkMode")) {
                json_t *ns = json_pack("{s:s}", "type", "network");
                if (in->netns_path)
                        json_object_set_new(ns, "path", json_string(in->netns_path));
                json_array_append_new(a, ns);
        }
        if (!mode_is_host(hc, "UTSMode"))
                json_array_append_new(a, json_pack("{s:s}", "type", "uts"));
        if (!mode_is_host(hc, "PidMode"))
                json_array_append_new(a, json_pack("{s:s}", "type", "pid"));
        if (!mode_is_host(hc, "IpcMode"))
                json_array_append_new(a, json_pack("{s:s}", "type", "ipc"));
        if (STREQ(json_get_str(hc, "CgroupnsMode", ""), "private"))
                json_array_append_new(a, json_pack("{s:s}", "type", "cgroup"));
        return a;
}

/* HostConfig.MaskedPaths/ReadonlyPaths replace the defaults when given (even empty). */
static int path_list(const json_t *hc, const char *key, const char *const *defaults, bool none, json_t **ret,
                     struct pouch_err *err)
{
        json_t *given = json_object_get(hc, key);
        if (none) {
                *ret = json_array();
                return 0;
        }
        if (!json_is_array(given)) {
                *ret = strv_to_json(defaults);
                return 0;
        }
        size_t i;
        json_t *v;
        json_array_foreach(given, i, v)
                if (!json_is_string(v) || json_string_value(v)[0] != '/')
                        return err_set(err, -EINVAL, "invalid %s: entries must be absolute paths", key);
        *ret = json_deep_copy(given);
        return 0;
}

static int linux_build(const struct spec_input *in, const struct security_opts *so, const json_t *caps, json_t **ret,
                       struct pouch_err *err)
{
        const json_t *hc = in->host_config;
        bool priv = json_get_bool(hc, "Privileged", false);
        _cleanup_json_ json_t *resources = NULL, *masked = NULL, *ro = NULL, *seccomp = NULL;
        int r = spec_resources_from_host_config(hc, &resources, err);
        if (r < 0)
                return r;
        json_t *rules = device_rules(priv);
        json_object_set_new(resources, "devices", rules);
        if ((r = spec_blkio_throttles(hc, resources, err)) < 0)
                return r;
        bool none = priv || so->systempaths_unconfined;
        if ((r = path_list(hc, "MaskedPaths", default_masked_paths, none, &masked, err)) < 0 ||
            (r = path_list(hc, "ReadonlyPaths", default_readonly_paths, none, &ro, err)) < 0)
                return r;
        if ((r = security_seccomp(so, priv, caps, &seccomp, err)) < 0)
                return r;
        json_t *l = json_pack("{s:o,s:O,s:O,s:O}", "namespaces", namespaces(in), "resources", resources, "maskedPaths",
                              masked, "readonlyPaths", ro);
        if (!l)
                return err_set(err, -ENOMEM, "out of memory");
        if (in->cgroups_path)
                json_object_set_new(l, "cgroupsPath", json_string(in->cgroups_path));
        if ((r = spec_devices(hc, l, rules, err)) < 0 || (r = spec_sysctls(hc, l, err)) < 0) {
                json_decref(l);
                return r;
        }
        if (seccomp)
                json_object_set(l, "seccomp", seccomp);
        *ret = l;
        return 0;
}

static json_t *annotations(const json_t *hc)
{
        json_t *out = json_object();
        const char *k;
        json_t *v;
        json_object_foreach((json_t *) json_object_get(hc, "Annotations"), k, v)
                if (json_is_string(v))
                        json_object_set(out, k, v);
        return out;
}

int spec_build(const struct spec_input *in, json_t **ret_spec, struct pouch_err *err)
{
        if (!in || !in->config || !in->rootfs || in->rootfs[0] != '/')
                return err_set(err, -EINVAL,
                               "invalid container configuration: config and an absolute rootfs are required");
        _cleanup_json_ json_t *empty = json_object();
        struct spec_input i = *in;
        if (!i.host_config)
                i.host_config = empty;
        const json_t *hc = i.host_config;

        struct security_opts so;
        int r = security_opts_parse(hc, &so, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *caps = NULL, *process = NULL, *mounts = NULL, *linux_obj = NULL;
        if ((r = caps_for_host_config(hc, &caps, err)) < 0 ||
            (r = process_build(&i, caps, so.no_new_privileges, &process, err)) < 0 ||
            (r = mounts_build(&i, &mounts, err)) < 0 || (r = linux_build(&i, &so, caps, &linux_obj, err)) < 0) {
                security_opts_done(&so);
                return r;
        }
        security_opts_done(&so);

        json_t *spec = json_pack("{s:s,s:O,s:{s:s,s:b},s:O,s:O,s:o}", "ociVersion", "1.0.2", "process", process, "root",
                                 "path", i.rootfs, "readonly", json_get_bool(hc, "ReadonlyRootfs", false), "mounts",
                                 mounts, "linux", linux_obj, "annotations", annotations(hc));
        if (!spec)
                return err_set(err, -ENOMEM, "out of memory");
        /* runc refuses a hostname without a private UTS namespace. */
        if (i.hostname && !mode_is_host(hc, "UTSMode"))
                json_object_set_new(spec, "hostname", json_string(i.hostname));
        *ret_spec = spec;
        return 0;
}
