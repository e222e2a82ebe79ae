/* What a service's start attempt needs, and starting one of its commands. */
#include "service-exec.h"

#include "exec-expand.h"
#include "lib/cleanup.h"
#include "unit-envfile.h"
#include "util.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void service_set_error(struct service *s, const char *fmt, ...)
{
        free(s->error);
        s->error = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s->error, fmt, ap) < 0)
                s->error = NULL;
        va_end(ap);
}

void service_attempt_reset(struct service *s)
{
        strv_free(&s->run_env);
        credentials_free(&s->creds);
        s->has_creds = false;
        free(s->cwd);
        s->cwd = NULL;
}

static int read_env_files(struct service *s)
{
        const struct unit *u = &s->unit;
        for (size_t i = 0; i < u->n_env_files; i++) {
                _cleanup_free_ char *text = NULL;
                int r = read_file(u->env_files[i].path, 4 << 20, &text, NULL);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        if (u->env_files[i].optional && r == -ENOENT)
                                continue;
                        service_set_error(s, "EnvironmentFile=%s: %s", u->env_files[i].path, strerror(-r));
                        return r;
                }
                unsigned line = 0;
                r = envfile_parse(text, &s->run_env, &line);
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        service_set_error(s, "EnvironmentFile=%s:%u: invalid line", u->env_files[i].path, line);
                        return r;
                }
        }
        return 0;
}

/* SupplementaryGroups= on top of the user's groups. */
static int add_groups(struct service *s)
{
        const struct strv *names = &s->unit.supplementary_groups;
        if (!names->n)
                return 0;
        _cleanup_free_ char *text = NULL;
        int r = read_file("/etc/group", 4 << 20, &text, NULL);
        if (r == -ENOMEM)
                return r;
        for (size_t i = 0; i < names->n; i++) {
                gid_t gid;
                if (!text || group_find(text, names->v[i], &gid) < 0) {
                        unsigned long long num;
                        if (!parse_uint(names->v[i], 0xfffffffe, &num)) {
                                service_set_error(s, "SupplementaryGroups=%s: no such group", names->v[i]);
                                return -ENOENT;
                        }
                        gid = (gid_t) num;
                }
                gid_t *g = realloc(s->creds.groups, (s->creds.n_groups + 1) * sizeof(*g));
                if (!g)
                        return -ENOMEM;
                g[s->creds.n_groups++] = gid;
                s->creds.groups = g;
        }
        return 0;
}

static int resolve_creds(struct service *s)
{
        const struct unit *u = &s->unit;
        if (!u->user && !u->group && !u->supplementary_groups.n)
                return 0;
        const char *err = NULL;
        int r = credentials_resolve_system(u->user, u->group, &s->creds, &err);
        if (r == -ENOMEM)
                return r;
        if (r < 0) {
                if (strstr(err, "group"))
                        service_set_error(s, "Group=%s: %s", u->group, err);
                else
                        service_set_error(s, "User=%s: %s", u->user, err);
                return r;
        }
        s->has_creds = true;
        r = add_groups(s);
        if (r < 0 || !u->user)
                return r;
        /* as systemd does for User= */
        if (s->creds.home)
                r = strv_env_set(&s->run_env, "HOME", s->creds.home);
        if (r >= 0 && s->creds.shell)
                r = strv_env_set(&s->run_env, "SHELL", s->creds.shell);
        if (r >= 0 && s->creds.name)
                r = strv_env_set(&s->run_env, "USER", s->creds.name);
        if (r >= 0 && s->creds.name)
                r = strv_env_set(&s->run_env, "LOGNAME", s->creds.name);
        return r;
}

/* RuntimeDirectory=: /run/NAME, owned by the service's user. */
static int make_runtime_dirs(struct service *s)
{
        const struct unit *u = &s->unit;
        for (size_t i = 0; i < u->runtime_dirs.n; i++) {
                _cleanup_free_ char *path = NULL;
                if (asprintf(&path, "/run/%s", u->runtime_dirs.v[i]) < 0)
                        return -ENOMEM;
                int r = mkdir_p(path, u->runtime_dir_mode);
                if (r >= 0 && chmod(path, u->runtime_dir_mode) < 0)
                        r = -errno;
                if (r >= 0 && s->has_creds && chown(path, s->creds.uid, s->creds.gid) < 0)
                        r = -errno;
                if (r < 0) {
                        service_set_error(s, "RuntimeDirectory=%s: %s", u->runtime_dirs.v[i], strerror(-r));
                        return r;
                }
        }
        return 0;
}

int service_attempt_prepare(struct service *s, const struct child_ctx *ctx)
{
        service_attempt_reset(s);
        const struct unit *u = &s->unit;
        int r = strv_extend(&s->run_env, ctx->env);
        for (size_t i = 0; r >= 0 && i < u->environment.n; i++)
                r = strv_env_put(&s->run_env, u->environment.v[i]);
        if (r >= 0)
                r = read_env_files(s);
        if (r >= 0)
                r = resolve_creds(s);
        if (r >= 0)
                r = make_runtime_dirs(s);
        if (r == -ENOMEM)
                goto oom;
        if (r < 0)
                return r;
        if (!strv_env_get(&s->run_env, "PATH") && strv_env_set(&s->run_env, "PATH", DEFAULT_PATH) < 0)
                goto oom;
        if (strv_terminate(&s->run_env) < 0)
                goto oom;
        const char *wd = u->working_dir ? u->working_dir : "/";
        if (strcmp(wd, "~") == 0) {
                const char *home = s->has_creds && s->creds.home ? s->creds.home : strv_env_get(&s->run_env, "HOME");
                wd = home && *home ? home : "/";
        }
        s->cwd = strdup(wd);
        if (!s->cwd)
                goto oom;
        return 0;
oom:
        service_set_error(s, "out of memory");
        return -ENOMEM;
}

int service_conditions_check(const struct service *s, char **ret_reason)
{
        for (size_t i = 0; i < s->unit.n_conditions; i++) {
                const struct unit_condition *c = &s->unit.conditions[i];
                struct stat st;
                bool ok = stat(c->path, &st) == 0 && (!c->not_empty || (S_ISREG(st.st_mode) && st.st_size > 0));
                if (ok != c->negate)
                        continue;
                if (asprintf(ret_reason, "%s=%s%s is not met",
                             c->not_empty ? "ConditionFileNotEmpty" : "ConditionPathExists", c->negate ? "!" : "",
                             c->path) < 0)
                        return -ENOMEM;
                return 1;
        }
        return 0;
}

int service_spawn(struct service *s, const struct child_ctx *ctx, const char *key, const struct exec_cmd *c,
                  const char *extra, pid_t *ret)
{
        _cleanup_strv_ struct strv env = { 0 }, argv = { 0 };
        int r = strv_extend(&env, s->run_env.v);
        if (r >= 0 && extra)
                r = strv_env_put(&env, extra);
        if (r >= 0)
                r = strv_terminate(&env);
        if (r >= 0)
                r = exec_expand_argv(c->argv.v, &env, &argv);
        if (r < 0) {
                service_set_error(s, "out of memory");
                return r;
        }
        _cleanup_free_ char *exe = NULL;
        r = find_executable(c->path, strv_env_get(&env, "PATH"), &exe);
        if (r < 0) {
                service_set_error(s, "%s=%s: %s", key, c->path, r == -ENOENT ? "command not found" : strerror(-r));
                return r;
        }
        struct spawn_opts o = {
                .path = exe,
                .argv = argv.v,
                .envp = env.v,
                .cwd = s->cwd,
                .cwd_optional = s->unit.working_dir_optional || !s->unit.working_dir,
                .creds = s->has_creds ? &s->creds : NULL,
                .umask = s->unit.umask,
                .fd_in = ctx->devnull,
                .fd_out = s->unit.stdout_null ? ctx->devnull : s->out_w,
                .fd_err = s->unit.stderr_null ? ctx->devnull : s->out_w,
                .session = SPAWN_SETSID,
                .sigs = ctx->sigs,
        };
        r = spawn_process(&o, ret);
        if (r < 0)
                service_set_error(s, "%s=%s: cannot fork: %s", key, c->path, strerror(-r));
        return r;
}
