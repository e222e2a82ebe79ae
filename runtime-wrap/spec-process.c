/* The spec's "process" object, for the container and for `runc exec --process`. */
#include "runtime-wrap/spec-internal.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"

#include <stdio.h>
#include <string.h>

#define DEFAULT_PATH "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

static size_t key_len(const char *e)
{
        return strcspn(e, "=");
}

static ssize_t env_find(const json_t *env, const char *entry)
{
        size_t n = key_len(entry), i;
        json_t *v;
        json_array_foreach(env, i, v) {
                const char *s = json_string_value(v);
                if (s && key_len(s) == n && strncmp(s, entry, n) == 0)
                        return (ssize_t) i;
        }
        return -1;
}

int env_replace_or_append(json_t *base, const json_t *override)
{
        size_t i;
        json_t *v;
        json_array_foreach(override, i, v) {
                if (!json_is_string(v))
                        return -EINVAL;
                ssize_t k = env_find(base, json_string_value(v));
                if (k >= 0)
                        json_array_set(base, (size_t) k, v);
                else
                        json_array_append(base, v);
        }
        /* "KEY" without "=" unsets KEY. */
        for (size_t k = json_array_size(base); k-- > 0;)
                if (!strchr(json_string_value(json_array_get(base, k)), '='))
                        json_array_remove(base, k);
        return 0;
}

static int build_args(const json_t *config, bool allow_empty, json_t **ret, struct pouch_err *err)
{
        json_t *args = json_array();
        const char *keys[] = { "Entrypoint", "Cmd" };
        for (size_t k = 0; k < ARRAY_SIZE(keys); k++) {
                json_t *a = json_object_get(config, keys[k]), *v;
                size_t i;
                /* The API also accepts a plain string for both. */
                if (json_is_string(a))
                        json_array_append(args, a);
                json_array_foreach(a, i, v) {
                        if (!json_is_string(v)) {
                                json_decref(args);
                                return err_set(err, -EINVAL, "invalid %s: entries must be strings", keys[k]);
                        }
                        json_array_append(args, v);
                }
        }
        if (json_array_size(args) == 0 && !allow_empty) {
                json_decref(args);
                return err_set(err, -EINVAL, "no command specified");
        }
        *ret = args;
        return 0;
}

/* --group-add: numeric gids as given, names from the image's /etc/group. */
static int add_groups(const struct spec_input *in, json_t *user, struct pouch_err *err)
{
        json_t *groups = json_object_get(in->host_config, "GroupAdd");
        if (!json_array_size(groups))
                return 0;
        json_t *gids = json_object_get(user, "additionalGids");
        if (!gids) {
                gids = json_array();
                json_object_set_new(user, "additionalGids", gids);
        }
        size_t i;
        json_t *g;
        json_array_foreach(groups, i, g) {
                const char *name = json_string_value(g);
                if (!name || !*name)
                        return err_set(err, -EINVAL, "invalid GroupAdd entry");
                char *end = NULL;
                unsigned long n = strtoul(name, &end, 10);
                if (!*end) {
                        json_array_append_new(gids, json_integer((json_int_t) n));
                        continue;
                }
                char spec[300];
                snprintf(spec, sizeof(spec), "0:%s", name);
                unsigned uid, gid;
                _cleanup_free_ unsigned *extra = NULL;
                size_t nextra = 0;
                if (spec_resolve_user(in->rootfs, spec, &uid, &gid, &extra, &nextra, err) < 0)
                        return err_set(err, -EINVAL, "Unable to find group %s: no matching entries in group file",
                                       name);
                json_array_append_new(gids, json_integer(gid));
        }
        return 0;
}

static int build_env(const struct spec_input *in, json_t **ret, struct pouch_err *err)
{
        bool tty = json_get_bool(in->config, "Tty", false);
        _cleanup_json_ json_t *env = json_pack("[s]", DEFAULT_PATH);
        if (in->hostname) {
                char hostname[300];
                snprintf(hostname, sizeof(hostname), "HOSTNAME=%s", in->hostname);
                json_array_append_new(env, json_string(hostname));
        }
        if (tty)
                json_array_append_new(env, json_string("TERM=xterm"));
        if (env_replace_or_append(env, json_object_get(in->config, "Env")) < 0)
                return err_set(err, -EINVAL, "invalid Env: entries must be strings");
        *ret = TAKE_PTR(env);
        return 0;
}

static int check_cwd(const char *cwd, struct pouch_err *err)
{
        if (cwd[0] != '/')
                return err_set(err, -EINVAL, "the working directory '%s' is invalid, it needs to be an absolute path",
                               cwd);
        return 0;
}

int process_build(const struct spec_input *in, const json_t *caps, bool no_new_privileges, json_t **ret,
                  struct pouch_err *err)
{
        _cleanup_json_ json_t *args = NULL, *env = NULL, *user = NULL, *rlimits = NULL;
        int r = build_args(in->config, in->allow_empty_command, &args, err);
        if (r < 0)
                return r;
        if ((r = build_env(in, &env, err)) < 0)
                return r;
        const char *cwd = json_get_str(in->config, "WorkingDir", "");
        if (!*cwd)
                cwd = "/";
        if ((r = check_cwd(cwd, err)) < 0)
                return r;
        if ((r = user_object(in->rootfs, json_get_str(in->config, "User", ""), &user, err)) < 0)
                return r;
        if ((r = add_groups(in, user, err)) < 0)
                return r;
        if ((r = rlimits_for_host_config(in->host_config, in->nofile_default, &rlimits, err)) < 0)
                return r;
        bool oom_set = false;
        int oom = 0;
        if ((r = oom_score_adj_for_host_config(in->host_config, &oom_set, &oom, err)) < 0)
                return r;
        json_t *p = json_pack("{s:b,s:O,s:O,s:O,s:s,s:o,s:b,s:O}", "terminal", json_get_bool(in->config, "Tty", false),
                              "user", user, "args", args, "env", env, "cwd", cwd, "capabilities", caps_object(caps),
                              "noNewPrivileges", no_new_privileges, "rlimits", rlimits);
        if (!p)
                return err_set(err, -ENOMEM, "out of memory");
        if (oom_set)
                json_object_set_new(p, "oomScoreAdj", json_integer(oom));
        *ret = p;
        return 0;
}

static int exec_env(const json_t *container_process, const json_t *exec_config, json_t **ret, struct pouch_err *err)
{
        json_t *base = json_object_get(container_process, "env");
        _cleanup_json_ json_t *env = json_is_array(base) ? json_deep_copy(base) : json_array();
        if (json_get_bool(exec_config, "Tty", false)) {
                json_t *term = json_string("TERM=xterm");
                if (env_find(env, "TERM") < 0)
                        json_array_append(env, term);
                json_decref(term);
        }
        if (env_replace_or_append(env, json_object_get(exec_config, "Env")) < 0)
                return err_set(err, -EINVAL, "invalid Env: entries must be strings");
        *ret = TAKE_PTR(env);
        return 0;
}

int spec_build_exec_process(const json_t *container_spec, const json_t *exec_config, const char *rootfs,
                            json_t **ret_process, struct pouch_err *err)
{
        const json_t *cp = json_object_get(container_spec, "process");
        _cleanup_json_ json_t *args = json_array(), *env = NULL, *user = NULL, *caps = NULL;
        json_t *cmd = json_object_get(exec_config, "Cmd"), *v;
        size_t i;
        json_array_foreach(cmd, i, v) {
                if (!json_is_string(v))
                        return err_set(err, -EINVAL, "invalid Cmd: entries must be strings");
                json_array_append(args, v);
        }
        if (json_array_size(args) == 0)
                return err_set(err, -EINVAL, "No exec command specified");
        int r = exec_env(cp, exec_config, &env, err);
        if (r < 0)
                return r;
        const char *cwd = json_get_str(exec_config, "WorkingDir", "");
        if (!*cwd)
                cwd = json_get_str(cp, "cwd", "/");
        if ((r = check_cwd(cwd, err)) < 0)
                return r;
        const char *u = json_get_str(exec_config, "User", "");
        if (*u) {
                if ((r = user_object(rootfs, u, &user, err)) < 0)
                        return r;
        } else
                user = json_object_get(cp, "user") ? json_deep_copy(json_object_get(cp, "user"))
                                                   : json_pack("{s:i,s:i}", "uid", 0, "gid", 0);
        if (json_get_bool(exec_config, "Privileged", false)) {
                _cleanup_json_ json_t *all = spec_all_caps();
                caps = caps_object(all);
        } else if (json_object_get(cp, "capabilities"))
                caps = json_deep_copy(json_object_get(cp, "capabilities"));
        json_t *p = json_pack("{s:b,s:O,s:O,s:O,s:s,s:b}", "terminal", json_get_bool(exec_config, "Tty", false), "user",
                              user, "args", args, "env", env, "cwd", cwd, "noNewPrivileges",
                              json_get_bool(cp, "noNewPrivileges", false));
        if (!p)
                return err_set(err, -ENOMEM, "out of memory");
        if (caps)
                json_object_set(p, "capabilities", caps);
        if ((v = json_object_get(cp, "rlimits")))
                json_object_set(p, "rlimits", v);
        *ret_process = p;
        return 0;
}
