/* POST /containers/create: validate, merge the image's defaults, write the record. */
#include "image/image.h"
#include "lifecycle.h"
#include "names.h"
#include "container-quota.h"
#include "container-lxcfs.h"
#include "events.h"

#include "richmode/richmode.h"
#include "runtime-wrap/spec.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Env: image values first, the user's override by key (KEY=... or bare KEY). */
static json_t *merge_env(const json_t *image_env, const json_t *user_env)
{
        json_t *out = json_array();
        size_t i;
        json_t *v;
        json_array_foreach(image_env, i, v) {
                if (!json_is_string(v))
                        continue;
                const char *s = json_string_value(v);
                size_t klen = strcspn(s, "=");
                bool overridden = false;
                size_t j;
                json_t *u;
                json_array_foreach(user_env, j, u) {
                        const char *us = json_string_value(u);
                        if (us && strncmp(us, s, klen) == 0 && (us[klen] == '=' || us[klen] == '\0'))
                                overridden = true;
                }
                if (!overridden)
                        json_array_append(out, v);
        }
        json_array_foreach(user_env, i, v)
                if (json_is_string(v) && strchr(json_string_value(v), '='))
                        json_array_append(out, v);
        return out;
}

static bool nonempty_array(const json_t *a)
{
        return json_is_array(a) && json_array_size(a) > 0;
}

/* Fill Config from the image config the way docker does. */
static void merge_image_config(json_t *config, const json_t *img)
{
        json_t *user_entry = json_object_get(config, "Entrypoint");
        json_t *user_cmd = json_object_get(config, "Cmd");
        if (!json_is_array(user_entry) || json_array_size(user_entry) == 0) {
                bool entry_overridden = json_is_array(user_entry); /* --entrypoint "" clears it */
                if (!entry_overridden && json_is_array(json_object_get(img, "Entrypoint")))
                        json_object_set(config, "Entrypoint", json_object_get(img, "Entrypoint"));
                else
                        json_object_set_new(config, "Entrypoint", json_null());
                if (!nonempty_array(user_cmd) && !entry_overridden && json_object_get(img, "Cmd"))
                        json_object_set(config, "Cmd", json_object_get(img, "Cmd"));
        }
        json_object_set_new(config, "Env", merge_env(json_object_get(img, "Env"), json_object_get(config, "Env")));
        const char *keys[] = { "WorkingDir", "User", "StopSignal" };
        for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
                const char *v = json_get_str(config, keys[i], "");
                if (!*v && json_get_str(img, keys[i], NULL))
                        json_object_set(config, keys[i], json_object_get(img, keys[i]));
        }
        json_t *labels = json_object_get(config, "Labels");
        if (!json_is_object(labels)) {
                labels = json_object();
                json_object_set_new(config, "Labels", labels);
        }
        json_t *il = json_object_get(img, "Labels");
        if (json_is_object(il)) {
                const char *k;
                json_t *v;
                json_object_foreach(il, k, v)
                        if (!json_object_get(labels, k))
                                json_object_set(labels, k, v);
        }
        json_t *ports = json_object_get(img, "ExposedPorts");
        if (json_is_object(ports)) {
                json_t *mine = json_object_get(config, "ExposedPorts");
                if (!json_is_object(mine))
                        json_object_set(config, "ExposedPorts", ports);
                else
                        json_object_update_missing(mine, ports);
        }
        json_t *vols = json_object_get(img, "Volumes");
        if (json_is_object(vols) && !json_is_object(json_object_get(config, "Volumes")))
                json_object_set(config, "Volumes", vols);
}

static int validate_host_config(json_t *hc, struct pouch_err *err)
{
        json_t *rp = json_object_get(hc, "RestartPolicy");
        const char *pol = json_get_str(rp, "Name", "");
        if (*pol && strcmp(pol, "no") && strcmp(pol, "always") && strcmp(pol, "on-failure") &&
            strcmp(pol, "unless-stopped"))
                return err_set(err, -EINVAL, "invalid restart policy '%s'", pol);
        if (json_get_int(rp, "MaximumRetryCount", 0) < 0)
                return err_set(err, -EINVAL, "invalid restart policy: maximum retry count cannot be negative");
        if (json_get_int(rp, "MaximumRetryCount", 0) > 0 && strcmp(pol, "on-failure") != 0)
                return err_set(err, -EINVAL,
                               "invalid restart policy: maximum retry count can only be used with 'on-failure'");
        if (json_get_bool(hc, "AutoRemove", false) && *pol && strcmp(pol, "no") != 0)
                return err_set(err, -EINVAL, "conflicting options: cannot specify both --restart and --rm");
        const char *num_keys[] = { "Memory",    "MemorySwap", "MemoryReservation", "NanoCpus",
                                   "CpuShares", "CpuPeriod",  "CpuQuota",          "ShmSize" };
        for (size_t i = 0; i < sizeof(num_keys) / sizeof(num_keys[0]); i++) {
                json_t *v = json_object_get(hc, num_keys[i]);
                if (v && !json_is_null(v) && !json_is_integer(v))
                        return err_set(err, -EINVAL, "invalid HostConfig.%s: an integer was expected", num_keys[i]);
                if (json_is_integer(v) && json_integer_value(v) < 0 && strcmp(num_keys[i], "MemorySwap") != 0 &&
                    strcmp(num_keys[i], "CpuQuota") != 0)
                        return err_set(err, -EINVAL, "invalid HostConfig.%s: must not be negative", num_keys[i]);
        }
        json_t *m = json_object_get(hc, "Memory");
        if (json_is_integer(m) && json_integer_value(m) > 0 && json_integer_value(m) < 6 * 1024 * 1024)
                return err_set(err, -EINVAL, "Minimum memory limit allowed is 6MB");
        int r = spec_resources_validate(hc, err);
        if (r < 0)
                return r;
        return rich_validate(hc, err);
}

static int write_etc_files(struct pouchd *d, const char *id, const char *hostname, const json_t *hc)
{
        _cleanup_free_ char *hn = container_dir(d, id, "hostname");
        _cleanup_free_ char *hosts = container_dir(d, id, "hosts");
        _cleanup_free_ char *resolv = container_dir(d, id, "resolv.conf");
        _cleanup_free_ char *line = NULL;
        if (asprintf(&line, "%s\n", hostname) < 0)
                return -ENOMEM;
        int r = write_file_atomic(hn, line, strlen(line), 0644);
        if (r < 0)
                return r;
        char buf[8192];
        int n = snprintf(buf, sizeof(buf),
                         "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\n"
                         "ff00::0\tip6-mcastprefix\nff02::1\tip6-allnodes\nff02::2\tip6-allrouters\n127.0.1.1\t%s\n",
                         hostname);
        size_t i;
        json_t *v;
        json_array_foreach(json_object_get(hc, "ExtraHosts"), i, v) {
                const char *e = json_string_value(v);
                const char *colon = e ? strchr(e, ':') : NULL;
                if (colon && n < (int) sizeof(buf) - 256)
                        n += snprintf(buf + n, sizeof(buf) - (size_t) n, "%s\t%.*s\n", colon + 1, (int) (colon - e), e);
        }
        r = write_file_atomic(hosts, buf, strlen(buf), 0644);
        if (r < 0)
                return r;
        _cleanup_free_ char *host_resolv = NULL;
        size_t len = 0;
        if (read_file("/etc/resolv.conf", 1 << 16, &host_resolv, &len) < 0) {
                host_resolv = strdup("");
                len = 0;
        }
        return write_file_atomic(resolv, host_resolv, len, 0644);
}

static json_t *new_state(void)
{
        return json_pack("{s:s,s:b,s:b,s:b,s:b,s:b,s:i,s:i,s:s,s:s,s:s}", "Status", "created", "Running", 0, "Paused",
                         0, "Restarting", 0, "OOMKilled", 0, "Dead", 0, "Pid", 0, "ExitCode", 0, "Error", "",
                         "StartedAt", "0001-01-01T00:00:00Z", "FinishedAt", "0001-01-01T00:00:00Z");
}

static json_t *path_and_args(const json_t *config)
{
        json_t *all = json_array();
        json_array_extend(all, json_object_get(config, "Entrypoint"));
        json_array_extend(all, json_object_get(config, "Cmd"));
        return all;
}

int container_create(struct pouchd *d, const char *name, json_t *body, char ret_id[65], json_t **ret_warnings,
                     struct pouch_err *err)
{
        if (name && *name == '/')
                name++;
        if (name && *name && !container_name_valid(name))
                return err_set(err, -EINVAL, "Invalid container name (%s), only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed",
                               name);
        const char *image_name = json_get_str(body, "Image", "");
        if (!*image_name)
                return err_set(err, -EINVAL, "Config.Image is required");
        char image_id[80];
        int r = image_resolve(d->images, image_name, image_id, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *img_cfg = NULL;
        r = image_get_config(d->images, image_id, &img_cfg, err);
        if (r < 0)
                return r;

        json_t *hc = json_object_get(body, "HostConfig");
        if (!json_is_object(hc)) {
                hc = json_object();
                json_object_set_new(body, "HostConfig", hc);
        }
        r = validate_host_config(hc, err);
        if (r == 0)
                r = container_quota_check(d, hc, err);
        if (r == 0)
                r = container_lxcfs_check(d, hc, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *networks = NULL;
        r = container_network_prepare(d, hc, json_object_get(body, "NetworkingConfig"), &networks, err);
        if (r < 0)
                return r;
        _cleanup_json_ json_t *config = json_deep_copy(body);
        json_object_del(config, "HostConfig");
        json_object_del(config, "NetworkingConfig");
        /* sbin-init and systemd rich containers run a command only when the user names one */
        bool command_given = nonempty_array(json_object_get(config, "Cmd")) ||
                             nonempty_array(json_object_get(config, "Entrypoint"));
        merge_image_config(config, img_cfg);
        const char *stop_signal = rich_default_stop_signal(hc);
        if (stop_signal && !*json_get_str(config, "StopSignal", ""))
                json_object_set_new(config, "StopSignal", json_string(stop_signal));
        /* systemd writes its boot and journal only to a console: a terminal, recorded by the log */
        if (rich_wants_console(hc))
                json_object_set_new(config, "Tty", json_true());
        json_t *args = path_and_args(config);
        /* a rich container is a VM: with no command its init runs the services alone */
        if (json_array_size(args) == 0 && !rich_enabled(hc)) {
                json_decref(args);
                return err_set(err, -EINVAL, "No command specified");
        }

        char id[65];
        r = random_hex_id(id);
        if (r < 0)
                return err_set(err, r, "cannot generate an ID: %s", strerror(-r));
        const char *hostname = json_get_str(config, "Hostname", "");
        char short_id[13];
        snprintf(short_id, sizeof(short_id), "%.12s", id);
        if (!*hostname) {
                hostname = short_id;
                json_object_set_new(config, "Hostname", json_string(short_id));
        }

        _cleanup_free_ char *dir = container_dir(d, id, NULL);
        _cleanup_free_ char *diff = container_dir(d, id, "diff");
        _cleanup_free_ char *work = container_dir(d, id, "work");
        _cleanup_free_ char *rootfs = container_dir(d, id, "rootfs");
        _cleanup_free_ char *logpath = NULL;
        if (!dir || !diff || !work || !rootfs || asprintf(&logpath, "%s/%s-json.log", dir, id) < 0) {
                json_decref(args);
                return -ENOMEM;
        }
        if ((r = mkdir_p(dir, 0700)) < 0 || (r = mkdir_p(diff, 0755)) < 0 || (r = mkdir_p(work, 0700)) < 0 ||
            (r = mkdir_p(rootfs, 0755)) < 0 || (r = write_etc_files(d, id, hostname, hc)) < 0) {
                json_decref(args);
                rm_rf(dir);
                return err_set(err, r, "cannot prepare container directory %s: %s", dir, strerror(-r));
        }

        struct timespec now = now_realtime();
        char created[48];
        format_rfc3339nano(&now, created, sizeof(created));
        json_t *path = json_array_size(args) ? json_incref(json_array_get(args, 0)) : json_string("");
        json_array_remove(args, 0);
        _cleanup_free_ char *hn = container_dir(d, id, "hostname");
        _cleanup_free_ char *hosts = container_dir(d, id, "hosts");
        _cleanup_free_ char *resolv = container_dir(d, id, "resolv.conf");
        _cleanup_strv_free_ char **lower = NULL;
        if (image_layer_dirs(d->images, image_id, &lower, NULL) < 0)
                lower = strv_new();
        /* docker shows LowerDir as one colon-separated string */
        size_t llen = 1;
        for (char **l = lower; l && *l; l++)
                llen += strlen(*l) + 1;
        _cleanup_free_ char *lowerstr = calloc(1, llen);
        for (char **l = lower; l && *l && lowerstr; l++) {
                if (*lowerstr)
                        strcat(lowerstr, ":");
                strcat(lowerstr, *l);
        }
        json_t *lowers = json_string(lowerstr ? lowerstr : "");
        json_t *doc = json_pack(
                "{s:s,s:s,s:o,s:o,s:o,s:s,s:s,s:s,s:s,s:s,s:i,s:s,s:s,s:s,s:s,s:s,s:n,s:O,s:{s:{s:o,s:s,s:s,s:s},s:s},"
                "s:[],s:O,s:{s:s,s:s,s:b,s:{},s:{},s:s,s:i,s:s,s:i,s:{}}}",
                "Id", id, "Created", created, "Path", path, "Args", args, "State", new_state(), "Image", image_id,
                "ResolvConfPath", resolv, "HostnamePath", hn, "HostsPath", hosts, "LogPath", logpath, "RestartCount", 0,
                "Driver", "overlay2", "Platform", "linux", "MountLabel", "", "ProcessLabel", "", "AppArmorProfile", "",
                "ExecIDs", "HostConfig", hc, "GraphDriver", "Data", "LowerDir", lowers, "MergedDir", rootfs, "UpperDir",
                diff, "WorkDir", work, "Name", "overlay2", "Mounts", "Config", config, "NetworkSettings", "Bridge", "",
                "SandboxID", "", "HairpinMode", 0, "Ports", "Networks", "Gateway", "", "IPPrefixLen", 0, "IPAddress",
                "", "GlobalIPv6PrefixLen", 0, "Labels");
        if (!doc) {
                rm_rf(dir);
                return err_set(err, -ENOMEM, "cannot build the container record");
        }
        json_t *net_modes = json_object_get(doc, "NetworkSettings");
        json_object_set(net_modes, "Networks", networks);
        json_object_set_new(net_modes, "Labels", json_null());

        if (rich_enabled(hc))
                json_object_set_new(doc, "RichCommandGiven", json_boolean(command_given));
        json_t *mounts = NULL;
        r = container_volumes_prepare(d, config, hc, &mounts, err);
        if (r < 0) {
                json_decref(doc);
                rm_rf(dir);
                return r;
        }
        json_object_set_new(doc, "Mounts", mounts);
        r = container_quota_setup(d, id, hc, mounts, doc, NULL, err);
        if (r < 0) {
                json_decref(doc);
                rm_rf(dir);
                return r;
        }
        struct container *c = container_new(id, doc);
        if (!c) {
                json_decref(doc);
                container_quota_release(d, id);
                rm_rf(dir);
                return -ENOMEM;
        }
        pthread_mutex_lock(&d->lock);
        char generated[64];
        if (!name || !*name) {
                for (unsigned attempt = 0;; attempt++) {
                        random_container_name(generated, sizeof(generated), attempt);
                        if (container_name_reserve_locked(d, generated, NULL) == 0)
                                break;
                }
                name = generated;
        } else if ((r = container_name_reserve_locked(d, name, err)) < 0) {
                pthread_mutex_unlock(&d->lock);
                container_free(c);
                container_quota_release(d, id);
                rm_rf(dir);
                return r;
        }
        /* the whole name, however long: the duplicate check compares it */
        json_object_set_new(doc, "Name", json_sprintf("/%s", name));
        c->status = CONTAINER_CREATED;
        r = container_save_locked(d, c);
        if (r < 0) {
                pthread_mutex_unlock(&d->lock);
                container_free(c);
                container_quota_release(d, id);
                rm_rf(dir);
                return err_set(err, r, "cannot save the container record: %s", strerror(-r));
        }
        container_list_add_locked(d, c);
        pthread_mutex_unlock(&d->lock);

        event_publish(d->events, "container", "create", id, json_pack("{s:s,s:s}", "image", image_name, "name", name));
        memcpy(ret_id, id, 65);
        if (ret_warnings)
                *ret_warnings = json_array();
        return 0;
}
