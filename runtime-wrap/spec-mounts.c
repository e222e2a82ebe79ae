/* The spec's mounts: docker's default /proc, /dev, /sys ... set, /dev/shm, the daemon-provided
 * /etc/resolv.conf, /etc/hosts, /etc/hostname, and the user's Binds, Tmpfs and Mounts. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <string.h>
#include <sys/stat.h>

#define DEFAULT_SHM_SIZE (64LL << 20)

static json_t *mount_new(const char *dest, const char *type, const char *source, json_t *options)
{
        return json_pack("{s:s,s:s,s:s,s:o}", "destination", dest, "type", type, "source", source, "options", options);
}

static bool is_propagation(const char *o)
{
        static const char *const p[] = { "private", "rprivate", "shared", "rshared", "slave", "rslave", NULL };
        for (size_t i = 0; p[i]; i++)
                if (STREQ(o, p[i]))
                        return true;
        return false;
}

/* "/a/b/" -> "/a/b"; -EINVAL unless absolute and not "/". */
static int clean_target(const char *in, char **ret)
{
        if (!in || in[0] != '/')
                return -EINVAL;
        char *s = strdup(in);
        if (!s)
                return -ENOMEM;
        size_t n = strlen(s);
        while (n > 1 && s[n - 1] == '/')
                s[--n] = '\0';
        if (STREQ(s, "/")) {
                free(s);
                return -EINVAL;
        }
        *ret = s;
        return 0;
}

static json_t *bind_options(bool ro, const char *propagation, bool recursive)
{
        json_t *o = json_pack("[s,s]", recursive ? "rbind" : "bind", propagation ? propagation : "rprivate");
        if (ro)
                json_array_append_new(o, json_string("ro"));
        return o;
}

/* Docker creates a missing bind source directory for -v; --mount refuses instead. */
static int ensure_source(const char *src, bool create, struct pouch_err *err)
{
        struct stat st;
        if (stat(src, &st) == 0)
                return 0;
        if (errno != ENOENT || !create)
                return err_set(err, -EINVAL, "invalid mount config: bind source path does not exist: %s", src);
        int r = mkdir_p(src, 0755);
        if (r < 0)
                return err_set(err, r, "error while creating mount source path '%s': %s", src, strerror(-r));
        return 0;
}

/* "/host:/ctr[:opt,opt]" */
static int parse_bind(const char *spec, json_t **ret, struct pouch_err *err)
{
        _cleanup_free_ char *copy = strdup(spec);
        if (!copy)
                return -ENOMEM;
        char *parts[4] = { 0 };
        size_t n = 0;
        for (char *save = NULL, *p = strtok_r(copy, ":", &save); p; p = strtok_r(NULL, ":", &save)) {
                if (n == 3)
                        return err_set(err, -EINVAL, "invalid mount config: invalid volume specification: '%s'", spec);
                parts[n++] = p;
        }
        if (n < 2)
                return err_set(err, -EINVAL, "invalid mount config: invalid volume specification: '%s'", spec);
        if (parts[0][0] != '/')
                return err_set(err, -EINVAL,
                               "invalid mount config: bind source must be an absolute host path (named volumes are "
                               "not supported yet): '%s'",
                               spec);
        _cleanup_free_ char *dest = NULL;
        if (clean_target(parts[1], &dest) < 0)
                return err_set(err, -EINVAL,
                               "invalid mount config: invalid mount path: '%s' (must be absolute, not '/')", parts[1]);
        bool ro = false;
        const char *prop = NULL;
        for (char *save = NULL, *o = parts[2] ? strtok_r(parts[2], ",", &save) : NULL; o;
             o = strtok_r(NULL, ",", &save)) {
                if (STREQ(o, "ro") || STREQ(o, "rw"))
                        ro = STREQ(o, "ro");
                else if (is_propagation(o))
                        prop = o;
                else if (!STREQ(o, "z") && !STREQ(o, "Z") && !STREQ(o, "nocopy"))
                        return err_set(err, -EINVAL, "invalid mount config: invalid mode: %s", o);
        }
        int r = ensure_source(parts[0], true, err);
        if (r < 0)
                return r;
        *ret = mount_new(dest, "bind", parts[0], bind_options(ro, prop, true));
        return 0;
}

/* Tmpfs {"/run": "size=64m,exec"}: docker's noexec,nosuid,nodev unless the user says otherwise. */
static json_t *tmpfs_options(const char *user_opts)
{
        bool exec = false, suid = false, dev = false;
        json_t *extra = json_array();
        _cleanup_free_ char *copy = strdup(user_opts ? user_opts : "");
        for (char *save = NULL, *o = copy ? strtok_r(copy, ",", &save) : NULL; o; o = strtok_r(NULL, ",", &save)) {
                if (STREQ(o, "exec") || STREQ(o, "noexec"))
                        exec = STREQ(o, "exec");
                else if (STREQ(o, "suid") || STREQ(o, "nosuid"))
                        suid = STREQ(o, "suid");
                else if (STREQ(o, "dev") || STREQ(o, "nodev"))
                        dev = STREQ(o, "dev");
                else
                        json_array_append_new(extra, json_string(o));
        }
        json_t *opts = json_pack("[s,s,s]", exec ? "exec" : "noexec", suid ? "suid" : "nosuid", dev ? "dev" : "nodev");
        json_array_extend(opts, extra);
        json_decref(extra);
        return opts;
}

static int parse_mount_entry(const json_t *m, json_t **ret, struct pouch_err *err)
{
        const char *type = json_get_str(m, "Type", "");
        const char *target = json_get_str(m, "Target", NULL);
        const char *source = json_get_str(m, "Source", "");
        bool ro = json_get_bool(m, "ReadOnly", false);
        _cleanup_free_ char *dest = NULL;
        if (STREQ(type, "volume"))
                return err_set(err, -ENOTSUP, "volume mounts are not supported yet");
        if (clean_target(target, &dest) < 0)
                return err_set(err, -EINVAL, "invalid mount config for type \"%s\": invalid mount path: '%s'", type,
                               target ? target : "");
        if (STREQ(type, "bind")) {
                json_t *bo = json_object_get(m, "BindOptions");
                if (source[0] != '/')
                        return err_set(err, -EINVAL,
                                       "invalid mount config for type \"bind\": invalid mount path: '%s' "
                                       "mount path must be absolute",
                                       source);
                int r = ensure_source(source, json_get_bool(bo, "CreateMountpoint", false), err);
                if (r < 0)
                        return r;
                const char *prop = json_get_str(bo, "Propagation", NULL);
                if (prop && *prop && !is_propagation(prop))
                        return err_set(err, -EINVAL, "invalid mount config: invalid propagation mode: %s", prop);
                *ret = mount_new(dest, "bind", source,
                                 bind_options(ro, prop && *prop ? prop : NULL,
                                              !json_get_bool(bo, "NonRecursive", false)));
                return 0;
        }
        if (STREQ(type, "tmpfs")) {
                if (*source)
                        return err_set(err, -EINVAL, "invalid mount config for type \"tmpfs\": must not set Source");
                json_t *to = json_object_get(m, "TmpfsOptions");
                json_t *opts = tmpfs_options(NULL);
                int64_t size = json_get_int(to, "SizeBytes", 0), mode = json_get_int(to, "Mode", 0);
                char buf[64];
                if (size > 0) {
                        snprintf(buf, sizeof(buf), "size=%lld", (long long) size);
                        json_array_append_new(opts, json_string(buf));
                }
                if (mode > 0) {
                        snprintf(buf, sizeof(buf), "mode=%llo", (unsigned long long) mode);
                        json_array_append_new(opts, json_string(buf));
                }
                if (ro)
                        json_array_append_new(opts, json_string("ro"));
                *ret = mount_new(dest, "tmpfs", "tmpfs", opts);
                return 0;
        }
        return err_set(err, -EINVAL, "invalid mount config: mount type unknown: \"%s\"", type);
}

static bool has_destination(const json_t *mounts, const char *dest)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m)
                if (STREQ(json_get_str(m, "destination", ""), dest))
                        return true;
        return false;
}

static int add_user_mount(json_t *user, json_t *m, struct pouch_err *err)
{
        if (!m)
                return err_set(err, -ENOMEM, "out of memory");
        const char *dest = json_get_str(m, "destination", "");
        if (has_destination(user, dest)) {
                int r = err_set(err, -EINVAL, "Duplicate mount point: %s", dest);
                json_decref(m);
                return r;
        }
        json_array_append_new(user, m);
        return 0;
}

static int user_mounts(const json_t *hc, json_t *user, struct pouch_err *err)
{
        size_t i;
        json_t *v;
        int r;
        json_array_foreach(json_object_get(hc, "Binds"), i, v) {
                json_t *m = NULL;
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "invalid mount config: Binds entries must be strings");
                if ((r = parse_bind(json_string_value(v), &m, err)) < 0 || (r = add_user_mount(user, m, err)) < 0)
                        return r;
        }
        const char *key;
        json_object_foreach((json_t *) json_object_get(hc, "Tmpfs"), key, v) {
                _cleanup_free_ char *dest = NULL;
                if (clean_target(key, &dest) < 0)
                        return err_set(err, -EINVAL, "invalid mount config: invalid tmpfs path: '%s'", key);
                if ((r = add_user_mount(user, mount_new(dest, "tmpfs", "tmpfs", tmpfs_options(json_string_value(v))),
                                        err)) < 0)
                        return r;
        }
        json_array_foreach(json_object_get(hc, "Mounts"), i, v) {
                json_t *m = NULL;
                if ((r = parse_mount_entry(v, &m, err)) < 0 || (r = add_user_mount(user, m, err)) < 0)
                        return r;
        }
        return 0;
}

static size_t depth(const json_t *m)
{
        size_t n = 0;
        for (const char *p = json_get_str(m, "destination", ""); *p; p++)
                n += *p == '/';
        return n;
}

/* Parents before children, otherwise in the order given (stable insertion sort). */
static void sort_by_depth(json_t *a)
{
        for (size_t i = 1; i < json_array_size(a); i++) {
                json_t *m = json_incref(json_array_get(a, i));
                size_t j = i;
                while (j > 0 && depth(json_array_get(a, j - 1)) > depth(m))
                        j--;
                if (j != i) {
                        json_array_remove(a, i);
                        json_array_insert(a, j, m);
                }
                json_decref(m);
        }
}

static json_t *shm_mount(const struct spec_input *in)
{
        if (STREQ(json_get_str(in->host_config, "IpcMode", ""), "host"))
                return mount_new("/dev/shm", "bind", "/dev/shm", bind_options(false, NULL, true));
        if (in->shm_path)
                return mount_new("/dev/shm", "bind", in->shm_path, bind_options(false, NULL, true));
        int64_t size = json_get_int(in->host_config, "ShmSize", 0);
        char opt[64];
        snprintf(opt, sizeof(opt), "size=%lld", (long long) (size > 0 ? size : DEFAULT_SHM_SIZE));
        return mount_new("/dev/shm", "tmpfs", "shm",
                         json_pack("[s,s,s,s,s]", "nosuid", "noexec", "nodev", "mode=1777", opt));
}

static json_t *default_mounts(const struct spec_input *in)
{
        const json_t *hc = in->host_config;
        /* --privileged gets a writable /sys unless the whole rootfs is read-only. */
        bool sys_rw = json_get_bool(hc, "Privileged", false) && !json_get_bool(hc, "ReadonlyRootfs", false);
        const char *sys_mode = sys_rw ? "rw" : "ro";
        return json_pack("[o,o,o,o,o,o,o]",
                         mount_new("/proc", "proc", "proc", json_pack("[s,s,s]", "nosuid", "noexec", "nodev")),
                         mount_new("/dev", "tmpfs", "tmpfs",
                                   json_pack("[s,s,s,s]", "nosuid", "strictatime", "mode=755", "size=65536k")),
                         mount_new("/dev/pts", "devpts", "devpts",
                                   json_pack("[s,s,s,s,s,s]", "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                             "mode=0620", "gid=5")),
                         mount_new("/sys", "sysfs", "sysfs",
                                   json_pack("[s,s,s,s]", sys_mode, "nosuid", "noexec", "nodev")),
                         mount_new("/sys/fs/cgroup", "cgroup", "cgroup",
                                   json_pack("[s,s,s,s]", sys_mode, "nosuid", "noexec", "nodev")),
                         mount_new("/dev/mqueue", "mqueue", "mqueue",
                                   json_pack("[s,s,s]", "nosuid", "noexec", "nodev")),
                         shm_mount(in));
}

int mounts_build(const struct spec_input *in, json_t **ret, struct pouch_err *err)
{
        _cleanup_json_ json_t *user = json_array();
        int r = user_mounts(in->host_config, user, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *defaults = default_mounts(in);
        if (!user || !defaults)
                return err_set(err, -ENOMEM, "out of memory");
        _cleanup_json_ json_t *out = json_array();
        bool user_dev = has_destination(user, "/dev");
        size_t i;
        json_t *m;
        json_array_foreach(defaults, i, m) {
                const char *d = json_get_str(m, "destination", "");
                /* A user mount replaces the default at the same place (and all of /dev's). */
                if (has_destination(user, d) || (user_dev && strncmp(d, "/dev/", 5) == 0))
                        continue;
                json_array_append(out, m);
        }
        const struct {
                const char *path, *dest;
        } etc[] = {
                { in->resolv_conf_path, "/etc/resolv.conf" },
                { in->hostname_path, "/etc/hostname" },
                { in->hosts_path, "/etc/hosts" },
        };
        for (size_t k = 0; k < ARRAY_SIZE(etc); k++)
                if (etc[k].path && !has_destination(user, etc[k].dest))
                        json_array_append_new(user, mount_new(etc[k].dest, "bind", etc[k].path,
                                                              bind_options(false, NULL, true)));
        sort_by_depth(user);
        json_array_extend(out, user);
        *ret = TAKE_PTR(out);
        return 0;
}
