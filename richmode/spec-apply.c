/* rich_apply: rewrite a container's OCI spec for its rich mode. */
#include "richmode.h"

#include "console.h"
#include "cpus.h"
#include "identity.h"
#include "init-units.h"
#include "rootfs-files.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char *const system_mount_dests[] = { "/proc",       "/dev", "/dev/pts",      "/dev/shm",
                                                  "/dev/mqueue", "/sys", "/sys/fs/cgroup" };

static json_t *bind_mount(const char *src, const char *dst, bool ro)
{
        return json_pack("{s:s,s:s,s:s,s:[s,s,s,s]}", "destination", dst, "type", "bind", "source", src, "options",
                         "rbind", ro ? "ro" : "rw", "nosuid", "nodev");
}

/* Drop mounts at dst, return the index after the last system mount (where /run tmpfs goes). */
static size_t remove_mount(json_t *mounts, const char *dst)
{
        for (size_t i = 0; i < json_array_size(mounts);) {
                if (strcmp(json_get_str(json_array_get(mounts, i), "destination", ""), dst) == 0)
                        json_array_remove(mounts, i);
                else
                        i++;
        }
        size_t after = 0;
        for (size_t i = 0; i < json_array_size(mounts); i++) {
                const char *d = json_get_str(json_array_get(mounts, i), "destination", "");
                for (size_t k = 0; k < sizeof(system_mount_dests) / sizeof(system_mount_dests[0]); k++)
                        if (strcmp(d, system_mount_dests[k]) == 0)
                                after = i + 1;
        }
        return after;
}

/* tmpfs /run, /run/lock and /tmp, right after the system mounts, as a real init expects. */
static void add_init_tmpfs(json_t *mounts)
{
        static const struct {
                const char *dst, *opts;
        } t[] = { { "/run", "mode=755,size=65536k" },
                  { "/run/lock", "mode=1777,size=5120k" },
                  { "/tmp", "mode=1777" } };
        for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
                size_t at = remove_mount(mounts, t[i].dst) + i;
                json_t *m = json_pack("{s:s,s:s,s:s,s:[s,s,s]}", "destination", t[i].dst, "type", "tmpfs", "source",
                                      "tmpfs", "options", "nosuid", "nodev", t[i].opts);
                if (at > json_array_size(mounts))
                        at = json_array_size(mounts);
                json_array_insert_new(mounts, at, m);
        }
}

/* The container's own cgroup writable (runc binds only the container's cgroup under cgroupfs). */
static void cgroup_rw(json_t *mounts)
{
        size_t i;
        json_t *m;
        json_array_foreach(mounts, i, m) {
                if (strcmp(json_get_str(m, "destination", ""), "/sys/fs/cgroup") != 0)
                        continue;
                size_t k;
                json_t *o;
                json_array_foreach(json_object_get(m, "options"), k, o)
                        if (json_string_value(o) && strcmp(json_string_value(o), "ro") == 0)
                                json_array_set_new(json_object_get(m, "options"), k, json_string("rw"));
        }
}

static void env_set_default(json_t *process, const char *kv)
{
        json_t *env = json_object_get(process, "env");
        if (!env) {
                env = json_array();
                json_object_set_new(process, "env", env);
        }
        size_t klen = strchr(kv, '=') - kv + 1;
        size_t i;
        json_t *v;
        json_array_foreach(env, i, v)
                if (json_string_value(v) && strncmp(json_string_value(v), kv, klen) == 0)
                        return;
        json_array_append_new(env, json_string(kv));
}

static int ensure_machine_id(const char *rootfs, const char *id)
{
        _cleanup_close_ int fd = rootfs_open(rootfs, "/etc/machine-id", O_RDONLY, 0);
        char buf[40];
        if (fd >= 0 && read(fd, buf, sizeof(buf)) >= 32)
                return 0;
        char mid[34];
        snprintf(mid, sizeof(mid), "%.32s\n", id);
        return rootfs_write_file(rootfs, "/etc/machine-id", mid, strlen(mid), 0444);
}

/* The init's argv: pouch-init --exec first when an initscript must run before it. */
static json_t *exec_through_init(const struct rich_opts *o, json_t *argv)
{
        if (!o->initscript)
                return argv;
        json_t *a = json_pack("[s,s,s,s,s,s]", RICH_INIT_BIN, "--stop-timeout", "0", "--initscript", o->initscript,
                              "--exec");
        char t[16];
        snprintf(t, sizeof(t), "%d", o->stop_timeout);
        json_array_set_new(a, 2, json_string(t));
        json_array_append_new(a, json_string("--"));
        json_array_extend(a, argv);
        json_decref(argv);
        return a;
}

/* systemd (or sbin-init resolving to it): unit for the command, machine-id, signals. */
static int prepare_systemd(json_t *spec, const struct rich_opts *o, const char *init, struct pouch_err *err)
{
        json_t *process = json_object_get(spec, "process");
        int r = ensure_machine_id(o->rootfs, o->container_id);
        if (r < 0)
                return err_set(err, r, "cannot write /etc/machine-id in the container: %s", strerror(-r));
        json_t *args = json_object_get(process, "args");
        if (o->command_given && json_array_size(args) > 0) {
                _cleanup_json_ json_t *cmd = json_deep_copy(args);
                _cleanup_free_ char *exe = rootfs_find_command(o->rootfs, json_string_value(json_array_get(cmd, 0)));
                if (!exe)
                        return err_set(err, -ENOENT, "%s: executable file not found in the container's PATH",
                                       json_string_value(json_array_get(cmd, 0)));
                json_array_set_new(cmd, 0, json_string(exe));
                json_t *user = json_object_get(process, "user");
                _cleanup_free_ char *unit = systemd_command_unit(cmd, json_object_get(process, "env"),
                                                                 json_get_str(process, "cwd", "/"),
                                                                 (unsigned) json_get_int(user, "uid", 0),
                                                                 (unsigned) json_get_int(user, "gid", 0));
                if (!unit)
                        return -ENOMEM;
                r = rootfs_write_file(o->rootfs, "/etc/systemd/system/pouch-command.service", unit, strlen(unit), 0644);
                if (r >= 0)
                        r = rootfs_symlink(o->rootfs, "/etc/systemd/system/pouch-command.service",
                                           "/etc/systemd/system/multi-user.target.wants/pouch-command.service");
                if (r < 0)
                        return err_set(err, r, "cannot install the command's unit in the container: %s", strerror(-r));
        }
        /* an image's sshd has no host keys until something makes them (a VM's installer did) */
        if (rootfs_exists(o->rootfs, "/usr/bin/ssh-keygen") &&
            rootfs_exists(o->rootfs, "/lib/systemd/system/ssh.service")) {
                static const char dropin[] =
                        "# Generated by pouch: make missing SSH host keys, as a VM's installer did.\n"
                        "[Service]\nExecStartPre=\nExecStartPre=-/usr/bin/ssh-keygen -A\n"
                        "ExecStartPre=/usr/sbin/sshd -t\n";
                r = rootfs_write_file(o->rootfs, "/etc/systemd/system/ssh.service.d/pouch-host-keys.conf", dropin,
                                      sizeof(dropin) - 1, 0644);
                if (r < 0)
                        return err_set(err, r, "cannot write the ssh.service drop-in: %s", strerror(-r));
        }
        json_object_set_new(process, "args", exec_through_init(o, json_pack("[s]", init)));
        /* systemd needs a writable tree of its own cgroup and starts as root */
        cgroup_rw(json_object_get(spec, "mounts"));
        /* its boot status and journal on a console, which the container's log records (console.h) */
        env_set_default(process, "TERM=xterm");
        env_set_default(process, "SYSTEMD_COLORS=0");
        return rich_console_apply(spec, o->state_dir, err);
}

/* busybox or sysvinit /sbin/init: the command becomes a `once` entry of /etc/inittab. */
static int prepare_inittab(json_t *spec, const struct rich_opts *o, bool busybox, struct pouch_err *err)
{
        json_t *process = json_object_get(spec, "process");
        json_t *args = json_object_get(process, "args");
        if (o->command_given && json_array_size(args) > 0) {
                _cleanup_free_ char *cmd = inittab_command(args);
                _cleanup_free_ char *tab = NULL;
                int n;
                if (busybox) {
                        bool rcs = rootfs_exists(o->rootfs, "/etc/init.d/rcS");
                        n = asprintf(&tab,
                                     "# Generated by pouch for a sbin-init rich container.\n%s::once:%s\n"
                                     "::ctrlaltdel:/sbin/reboot\n",
                                     rcs ? "::sysinit:/etc/init.d/rcS\n" : "", cmd ? cmd : "");
                } else {
                        _cleanup_free_ char *old = NULL;
                        size_t len = 0;
                        _cleanup_close_ int fd = rootfs_open(o->rootfs, "/etc/inittab", O_RDONLY, 0);
                        if (fd >= 0) {
                                old = calloc(1, 1 << 16);
                                len = old ? (size_t) read_full(fd, old, (1 << 16) - 1) : 0;
                        }
                        n = asprintf(&tab, "%.*spc:2345:once:%s\n", (int) len, old ? old : "", cmd ? cmd : "");
                }
                if (n < 0)
                        return -ENOMEM;
                int r = rootfs_write_file(o->rootfs, "/etc/inittab", tab, strlen(tab), 0644);
                if (r < 0)
                        return err_set(err, r, "cannot write /etc/inittab in the container: %s", strerror(-r));
        }
        json_object_set_new(process, "args", exec_through_init(o, json_pack("[s]", "/sbin/init")));
        return 0;
}

/* systemctl and service inside reach pouch-init: its binary bound read-only over the image's own
 * (argv[0] tells it what it is run as), only where the image has them, so the image's files stay
 * as they are. A bind mount, not a PATH entry: ssh, su -, cron and scripts with a fixed PATH all
 * find it. /bin and /sbin are skipped when they link to /usr (one mount is enough). */
static void bind_ctl_clients(json_t *mounts, const struct rich_opts *o)
{
        static const char *const tools[] = { "/usr/bin/systemctl", "/bin/systemctl", "/usr/sbin/service",
                                             "/sbin/service" };
        for (size_t i = 0; i < sizeof(tools) / sizeof(tools[0]); i++) {
                if (strncmp(tools[i], "/usr/", 5) != 0) {
                        char top[8];
                        snprintf(top, sizeof(top), "%.*s", (int) (strchr(tools[i] + 1, '/') - tools[i]), tools[i]);
                        _cleanup_free_ char *link = rootfs_readlink(o->rootfs, top);
                        if (link)
                                continue;
                }
                if (rootfs_exists(o->rootfs, tools[i]))
                        json_array_append_new(mounts, bind_mount(o->init_path, tools[i], true));
        }
}

static int apply_pouch_init(json_t *spec, const struct rich_opts *o)
{
        bind_ctl_clients(json_object_get(spec, "mounts"), o);
        json_t *process = json_object_get(spec, "process");
        json_t *args = json_object_get(process, "args");
        char t[16];
        snprintf(t, sizeof(t), "%d", o->stop_timeout);
        json_t *a = json_pack("[s,s,s]", RICH_INIT_BIN, "--stop-timeout", t);
        if (o->initscript) {
                json_array_append_new(a, json_string("--initscript"));
                json_array_append_new(a, json_string(o->initscript));
        }
        if (o->services) {
                json_array_append_new(a, json_string("--rich-services"));
                json_array_append_new(a, json_string(o->services));
        }
        if (json_array_size(args) > 0) {
                json_array_append_new(a, json_string("--"));
                json_array_extend(a, args);
        }
        json_object_set_new(process, "args", a);
        return 0;
}

static int apply_dumb_init(json_t *spec, const struct rich_opts *o, struct pouch_err *err)
{
        json_t *process = json_object_get(spec, "process");
        static const char *const in_image[] = { "/usr/bin/dumb-init", "/usr/local/bin/dumb-init", "/sbin/dumb-init",
                                                "/bin/dumb-init" };
        const char *exe = NULL;
        for (size_t i = 0; i < sizeof(in_image) / sizeof(in_image[0]) && !exe; i++)
                if (rootfs_exists(o->rootfs, in_image[i]))
                        exe = in_image[i];
        if (!exe) {
                const char *host = o->dumb_init_host ? o->dumb_init_host : "/usr/bin/dumb-init";
                if (access(host, X_OK) < 0)
                        return err_set(err, -ENOENT,
                                       "rich mode dumb-init: the image has no dumb-init and neither has "
                                       "the host (install Debian's dumb-init package)");
                /* Debian's dumb-init is linked against glibc: the image must have its loader */
                if (!rootfs_exists(o->rootfs, "/lib64/ld-linux-x86-64.so.2") &&
                    !rootfs_exists(o->rootfs, "/lib/ld-linux-aarch64.so.1"))
                        return err_set(err, -EINVAL,
                                       "rich mode dumb-init: the image has no dumb-init, and the host's "
                                       "needs glibc, which the image lacks");
                exe = RICH_INIT_DIR "/dumb-init";
                char mp[4096];
                snprintf(mp, sizeof(mp), "%s/dumb-init", o->state_dir);
                int r = write_file_atomic(mp, "", 0, 0755);
                if (r < 0)
                        return err_set(err, r, "cannot create %s: %s", mp, strerror(-r));
                json_array_append_new(json_object_get(spec, "mounts"), bind_mount(host, exe, true));
        }
        json_t *argv = json_pack("[s,s]", exe, "--");
        json_array_extend(argv, json_object_get(process, "args"));
        json_object_set_new(process, "args", exec_through_init(o, argv));
        return 0;
}

/* Whether the container's init makes missing SSH host keys itself (identity.h). */
static bool init_makes_keys(const struct rich_opts *o)
{
        if (o->mode == RICH_MODE_POUCH_INIT) {
                static const char *const keygens[] = { "/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen",
                                                       "/bin/ssh-keygen", "/usr/sbin/ssh-keygen" };
                for (size_t i = 0; i < sizeof(keygens) / sizeof(keygens[0]); i++)
                        if (rootfs_exists(o->rootfs, keygens[i]))
                                return true;
                return false;
        }
        _cleanup_free_ char *target = rootfs_readlink(o->rootfs, "/sbin/init");
        bool systemd = o->mode == RICH_MODE_SYSTEMD ||
                       (o->mode == RICH_MODE_SBIN_INIT && target && strstr(target, "systemd"));
        /* the ssh.service drop-in of prepare_systemd() */
        return systemd && rootfs_exists(o->rootfs, "/usr/bin/ssh-keygen") &&
               rootfs_exists(o->rootfs, "/lib/systemd/system/ssh.service");
}

int rich_apply(json_t *spec, const struct rich_opts *o, const char **ret_stop_signal, struct pouch_err *err)
{
        if (ret_stop_signal)
                *ret_stop_signal = NULL;
        /* pouch-init runs in its own mode, and before the image's init when there is an initscript */
        bool need_init = o->mode == RICH_MODE_POUCH_INIT || o->initscript;
        if (need_init && (!o->init_path || access(o->init_path, X_OK) < 0))
                return err_set(err, -ENOENT, "rich containers need pouch-init, which is not installed next to pouchd");
        json_t *process = json_object_get(spec, "process");
        json_t *mounts = json_object_get(spec, "mounts");
        if (!json_is_object(process) || !json_is_array(mounts))
                return err_set(err, -EINVAL, "internal error: spec without process or mounts");
        rm_rf(o->state_dir);
        int r = mkdir_p(o->state_dir, 0755);
        char mp[4096];
        snprintf(mp, sizeof(mp), "%s/pouch-init", o->state_dir);
        if (r >= 0)
                r = write_file_atomic(mp, "", 0, 0755);
        if (r < 0)
                return err_set(err, r, "cannot prepare %s: %s", o->state_dir, strerror(-r));
        if (o->identity_marker) {
                struct rich_identity_opts io = { .rootfs = o->rootfs,
                                                 .marker = o->identity_marker,
                                                 .hostname = o->hostname,
                                                 .image_makes_keys = init_makes_keys(o) };
                r = rich_identity_apply(&io, spec, err);
                if (r < 0)
                        return r;
        }
        r = rich_apply_cpuset(spec, o->container_id);
        if (r < 0)
                return err_set(err, r, "cannot choose the container's CPUs: %s", strerror(-r));
        env_set_default(process, "container=pouch");
        /* first the state dir, then what is bound inside it (the binaries) */
        json_array_append_new(mounts, bind_mount(o->state_dir, RICH_INIT_DIR, false));
        if (need_init)
                json_array_append_new(mounts, bind_mount(o->init_path, RICH_INIT_BIN, true));
        switch (o->mode) {
        case RICH_MODE_POUCH_INIT:
                r = apply_pouch_init(spec, o);
                break;
        case RICH_MODE_DUMB_INIT:
                r = apply_dumb_init(spec, o, err);
                break;
        case RICH_MODE_SYSTEMD:
        case RICH_MODE_SBIN_INIT: {
                add_init_tmpfs(mounts);
                const char *init = NULL;
                _cleanup_free_ char *target = rootfs_readlink(o->rootfs, "/sbin/init");
                bool is_systemd = o->mode == RICH_MODE_SYSTEMD || (target && strstr(target, "systemd"));
                if (is_systemd) {
                        static const char *const cand[] = { "/lib/systemd/systemd", "/usr/lib/systemd/systemd",
                                                            "/sbin/init" };
                        for (size_t i = 0; i < sizeof(cand) / sizeof(cand[0]) && !init; i++)
                                if (rootfs_exists(o->rootfs, cand[i]))
                                        init = cand[i];
                        if (!init)
                                return err_set(err, -ENOENT,
                                               "rich mode %s: the image has no systemd "
                                               "(/lib/systemd/systemd)",
                                               rich_mode_to_string(o->mode));
                        r = prepare_systemd(spec, o, init, err);
                        if (ret_stop_signal)
                                *ret_stop_signal = "SIGRTMIN+3";
                } else {
                        if (!rootfs_exists(o->rootfs, "/sbin/init"))
                                return err_set(err, -ENOENT, "rich mode sbin-init: the image has no /sbin/init");
                        r = prepare_inittab(spec, o, target && strstr(target, "busybox"), err);
                }
                break;
        }
        default:
                return err_set(err, -EINVAL, "unknown rich mode");
        }
        return r < 0 ? (err->code ? err->code : r) : 0;
}
