#include "daemon/network/cni-exec.h"

#include "daemon/network/cni-conf.h"
#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int env_push(char ***env, const char *key, const char *value)
{
        char *s = NULL;
        if (asprintf(&s, "%s=%s", key, value ? value : "") < 0)
                return -ENOMEM;
        return strv_consume(env, s);
}

int cni_exec(const struct cni_rt *rt, const char *cmd, json_t *conf, json_t **ret_result, struct pouch_err *err)
{
        const char *type = json_get_str(conf, "type", NULL);
        if (!type || !*type || strchr(type, '/') || strcmp(type, ".") == 0 || strcmp(type, "..") == 0)
                return err_set(err, -EINVAL, "invalid CNI plugin type \"%s\"", type ? type : "");
        _cleanup_free_ char *path = NULL;
        if (asprintf(&path, "%s/%s", rt->plugin_dir, type) < 0)
                return -ENOMEM;
        if (access(path, X_OK) < 0)
                return err_set(err, -ENOEXEC, "failed to find plugin \"%s\" in path [%s]", type, rt->plugin_dir);

        _cleanup_strv_free_ char **env = strv_new();
        if (!env || env_push(&env, "CNI_COMMAND", cmd) < 0 || env_push(&env, "CNI_CONTAINERID", rt->container_id) < 0 ||
            env_push(&env, "CNI_NETNS", rt->netns) < 0 || env_push(&env, "CNI_IFNAME", rt->ifname) < 0 ||
            env_push(&env, "CNI_ARGS", rt->args) < 0 || env_push(&env, "CNI_PATH", rt->plugin_dir) < 0 ||
            /* plugins run iptables, ip6tables, modprobe... from PATH */
            env_push(&env, "PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin") < 0)
                return -ENOMEM;

        _cleanup_free_ char *input = json_dumps(conf, JSON_COMPACT);
        if (!input)
                return -ENOMEM;
        char *argv[] = { path, NULL };
        struct spawn_result res = { 0 };
        int r = spawn_capture(argv, env, input, strlen(input), &res);
        if (r < 0)
                return err_set(err, r, "cannot run CNI plugin %s: %s", path, strerror(-r));
        log_debug("cni %s %s (container %.12s, %s): exit %d", cmd, type, rt->container_id, rt->ifname, res.status);

        if (res.status != 0) {
                json_error_t jerr;
                _cleanup_json_ json_t *e = json_loads(res.out ? res.out : "", 0, &jerr);
                const char *msg = json_get_str(e, "msg", NULL), *details = json_get_str(e, "details", NULL);
                if (msg)
                        r = err_set(err, -EIO, "plugin type=\"%s\" failed (%s): %s%s%s", type, cmd, msg,
                                    details && *details ? ": " : "", details ? details : "");
                else
                        r = err_set(err, -EIO, "plugin type=\"%s\" failed (%s) with exit status %d: %s", type, cmd,
                                    res.status,
                                    res.err && *res.err ? res.err
                                    : res.out           ? res.out
                                                        : "");
                spawn_result_done(&res);
                return r;
        }
        if (ret_result) {
                json_error_t jerr;
                json_t *j = json_loads(res.out ? res.out : "", 0, &jerr);
                if (!json_is_object(j)) {
                        json_decref(j);
                        r = err_set(err, -EIO, "plugin type=\"%s\" (%s) printed no valid result: %s", type, cmd,
                                    jerr.text);
                        spawn_result_done(&res);
                        return r;
                }
                *ret_result = j;
        }
        spawn_result_done(&res);
        return 0;
}

/* portmap does nothing without port mappings (its ADD passes the previous result on, its DEL has
 * nothing to remove): skipping it saves a fork+exec at every start and stop. */
static bool plugin_idle(json_t *conflist, size_t idx, json_t *runtime_config)
{
        json_t *plugin = json_array_get(json_object_get(conflist, "plugins"), idx);
        if (strcmp(json_get_str(plugin, "type", ""), "portmap") != 0)
                return false;
        return json_array_size(json_object_get(runtime_config, "portMappings")) == 0;
}

int cni_list_add(const struct cni_rt *rt, json_t *conflist, json_t *runtime_config, json_t **ret_result,
                 struct pouch_err *err)
{
        *ret_result = NULL;
        json_t *plugins = json_object_get(conflist, "plugins");
        if (!json_is_array(plugins) || json_array_size(plugins) == 0)
                return err_set(err, -EINVAL, "CNI configuration list without plugins");
        json_t *prev = NULL;
        for (size_t i = 0; i < json_array_size(plugins); i++) {
                if (plugin_idle(conflist, i, runtime_config))
                        continue;
                _cleanup_json_ json_t *conf = cni_plugin_conf(conflist, i, prev, runtime_config);
                if (!conf) {
                        *ret_result = prev;
                        return -ENOMEM;
                }
                json_t *res = NULL;
                int r = cni_exec(rt, "ADD", conf, &res, err);
                if (r < 0) {
                        *ret_result = prev;
                        return r;
                }
                json_decref(prev);
                prev = res;
        }
        *ret_result = prev;
        return 0;
}

int cni_list_del(const struct cni_rt *rt, json_t *conflist, json_t *runtime_config, json_t *prev_result,
                 struct pouch_err *err)
{
        json_t *plugins = json_object_get(conflist, "plugins");
        int first = 0;
        for (size_t i = json_array_size(plugins); i-- > 0;) {
                if (plugin_idle(conflist, i, runtime_config))
                        continue;
                _cleanup_json_ json_t *conf = cni_plugin_conf(conflist, i, prev_result, runtime_config);
                if (!conf)
                        return -ENOMEM;
                struct pouch_err e = { 0 };
                int r = cni_exec(rt, "DEL", conf, NULL, &e);
                if (r < 0) {
                        log_warn("CNI DEL of %s for container %.12s: %s", json_get_str(conf, "type", "?"),
                                 rt->container_id, e.msg);
                        if (first == 0) {
                                first = r;
                                err_set(err, r, "%s", e.msg);
                        }
                }
        }
        return first;
}
