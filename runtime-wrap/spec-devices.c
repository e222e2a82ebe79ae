/* --device, --blkio-* device throttles and --sysctl: the parts of the spec that name host devices
 * or kernel parameters. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

static bool valid_cgroup_perms(const char *p)
{
        if (!*p || strlen(p) > 3)
                return false;
        for (; *p; p++)
                if (!strchr("rwm", *p))
                        return false;
        return true;
}

/* Docker HostConfig.Devices [{PathOnHost, PathInContainer, CgroupPermissions}]: device nodes in
 * linux.devices and allow rules after the default ones. */
int spec_devices(const json_t *hc, json_t *linux_obj, json_t *device_rules, struct pouch_err *err)
{
        json_t *devs = json_object_get(hc, "Devices");
        if (!json_array_size(devs))
                return 0;
        json_t *nodes = json_array();
        json_object_set_new(linux_obj, "devices", nodes);
        size_t i;
        json_t *d;
        json_array_foreach(devs, i, d) {
                const char *host = json_get_str(d, "PathOnHost", "");
                const char *ctr = json_get_str(d, "PathInContainer", "");
                const char *perms = json_get_str(d, "CgroupPermissions", "rwm");
                if (!*ctr)
                        ctr = host;
                if (host[0] != '/' || ctr[0] != '/')
                        return err_set(err, -EINVAL, "invalid device mapping: paths must be absolute: %s:%s", host,
                                       ctr);
                if (!valid_cgroup_perms(perms))
                        return err_set(err, -EINVAL, "invalid device mode: %s (a combination of r, w and m)", perms);
                struct stat st;
                if (stat(host, &st) < 0)
                        return err_set(err, -ENOENT,
                                       "error gathering device information while adding custom device "
                                       "\"%s\": no such file or directory",
                                       host);
                if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
                        return err_set(err, -EINVAL,
                                       "error gathering device information while adding custom device "
                                       "\"%s\": not a device node",
                                       host);
                const char *type = S_ISCHR(st.st_mode) ? "c" : "b";
                json_array_append_new(nodes,
                                      json_pack("{s:s,s:s,s:I,s:I,s:i,s:i,s:i}", "path", ctr, "type", type, "major",
                                                (json_int_t) major(st.st_rdev), "minor", (json_int_t) minor(st.st_rdev),
                                                "fileMode", (int) (st.st_mode & 07777), "uid", 0, "gid", 0));
                json_array_append_new(device_rules, json_pack("{s:b,s:s,s:I,s:I,s:s}", "allow", 1, "type", type,
                                                              "major", (json_int_t) major(st.st_rdev), "minor",
                                                              (json_int_t) minor(st.st_rdev), "access", perms));
        }
        return 0;
}

/* BlkioDeviceReadBps & co: [{Path, Rate}] -> blockIO.throttle*Device [{major, minor, rate}] */
int spec_blkio_throttles(const json_t *hc, json_t *resources, struct pouch_err *err)
{
        static const char *const map[][2] = {
                { "BlkioDeviceReadBps", "throttleReadBpsDevice" },
                { "BlkioDeviceWriteBps", "throttleWriteBpsDevice" },
                { "BlkioDeviceReadIOps", "throttleReadIOPSDevice" },
                { "BlkioDeviceWriteIOps", "throttleWriteIOPSDevice" },
        };
        for (size_t k = 0; k < sizeof(map) / sizeof(map[0]); k++) {
                json_t *list = json_object_get(hc, map[k][0]);
                if (!json_array_size(list))
                        continue;
                json_t *blk = json_object_get(resources, "blockIO");
                if (!blk) {
                        blk = json_object();
                        json_object_set_new(resources, "blockIO", blk);
                }
                json_t *out = json_array();
                json_object_set_new(blk, map[k][1], out);
                size_t i;
                json_t *e;
                json_array_foreach(list, i, e) {
                        const char *path = json_get_str(e, "Path", "");
                        json_int_t rate = json_get_int(e, "Rate", -1);
                        struct stat st;
                        if (rate < 0)
                                return err_set(err, -EINVAL, "invalid %s rate for %s", map[k][0], path);
                        if (stat(path, &st) < 0 || !S_ISBLK(st.st_mode))
                                return err_set(err, -EINVAL, "%s: %s is not a block device", map[k][0], path);
                        json_array_append_new(out, json_pack("{s:I,s:I,s:I}", "major", (json_int_t) major(st.st_rdev),
                                                             "minor", (json_int_t) minor(st.st_rdev), "rate", rate));
                }
        }
        return 0;
}

/* Docker's rule: only namespaced sysctls, and the network ones only with a private netns. */
int spec_sysctls(const json_t *hc, json_t *linux_obj, struct pouch_err *err)
{
        json_t *sys = json_object_get(hc, "Sysctls");
        if (!json_object_size(sys))
                return 0;
        bool host_net = !strcmp(json_get_str(hc, "NetworkMode", ""), "host");
        bool host_ipc = !strcmp(json_get_str(hc, "IpcMode", ""), "host");
        json_t *out = json_object();
        json_object_set_new(linux_obj, "sysctl", out);
        const char *k;
        json_t *v;
        json_object_foreach(sys, k, v) {
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "sysctl %s: the value must be a string", k);
                bool ipc = !strncmp(k, "kernel.msg", 10) || !strncmp(k, "kernel.shm", 10) || !strcmp(k, "kernel.sem") ||
                           !strncmp(k, "fs.mqueue.", 10);
                bool net = !strncmp(k, "net.", 4);
                if (!ipc && !net)
                        return err_set(err, -EINVAL,
                                       "sysctl '%s' is not allowed (only namespaced ones: kernel.msg*, "
                                       "kernel.shm*, kernel.sem, fs.mqueue.*, net.*)",
                                       k);
                if ((net && host_net) || (ipc && host_ipc))
                        return err_set(err, -EINVAL, "sysctl '%s' is not allowed in the host's %s namespace", k,
                                       net ? "network" : "IPC");
                json_object_set(out, k, v);
        }
        return 0;
}
