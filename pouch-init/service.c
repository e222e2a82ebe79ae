/* One supervised service: start, watch, restart with back-off, stop. */
#include "service.h"

#include "lib/cleanup.h"
#include "reaper.h"
#include "unit-envfile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *svc_state_name(enum svc_state st)
{
        static const char *const names[] = {
                [SVC_WAITING] = "waiting",       [SVC_STARTING] = "starting", [SVC_RUNNING] = "running",
                [SVC_RESTARTING] = "restarting", [SVC_FAILED] = "failed",     [SVC_STOPPED] = "stopped",
        };
        return (unsigned) st < ARRAY_SIZE(names) ? names[st] : "unknown";
}

static void set_state(struct service *s, const struct child_ctx *ctx, enum svc_state st)
{
        s->state = st;
        *ctx->dirty = true;
}

static void set_error(struct service *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_error(struct service *s, const char *fmt, ...)
{
        free(s->error);
        s->error = NULL;
        va_list ap;
        va_start(ap, fmt);
        if (vasprintf(&s->error, fmt, ap) < 0)
                s->error = NULL;
        va_end(ap);
}

int service_init(struct service *s, struct unit *u)
{
        memset(s, 0, sizeof(*s));
        s->out_r = s->out_w = -1;
        s->unit = *u;
        memset(u, 0, sizeof(*u));
        backoff_init(&s->backoff, s->unit.restart_sec_ms);
        int r = line_prefixer_init(&s->out, s->unit.name);
        if (r < 0)
                return r;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        s->out_r = p[0];
        s->out_w = p[1];
        /* only our end is non-blocking: the services write blocking, as to any pipe */
        fcntl(s->out_r, F_SETFL, O_NONBLOCK);
        if (s->unit.error) {
                s->state = SVC_FAILED;
                s->error = strdup(s->unit.error);
                if (!s->error)
                        return -ENOMEM;
        }
        return 0;
}

static void attempt_reset(struct service *s)
{
        strv_free(&s->run_env);
        credentials_free(&s->creds);
        s->has_creds = false;
        free(s->cwd);
        s->cwd = NULL;
}

void service_free(struct service *s)
{
        attempt_reset(s);
        unit_free(&s->unit);
        line_prefixer_free(&s->out);
        free(s->error);
        free(s->after);
        free(s->requires);
        if (s->out_r >= 0)
                close(s->out_r);
        if (s->out_w >= 0)
                close(s->out_w);
        memset(s, 0, sizeof(*s));
        s->out_r = s->out_w = -1;
}

/* The attempt did not get to a running ExecStart=: restart later or fail. */
static void attempt_failed(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        s->pid = 0;
        s->in_pre = false;
        if (s->stopping) {
                set_state(s, ctx, SVC_STOPPED);
                return;
        }
        if (s->unit.restart != RESTART_NO) {
                int64_t delay = backoff_next(&s->backoff, 0);
                s->restart_at = now + delay;
                fprintf(stderr, "pouch-init: service %s: %s; restarting in %lld ms\n", s->unit.name,
                        s->error ? s->error : "start failed", (long long) delay);
                set_state(s, ctx, SVC_RESTARTING);
        } else {
                fprintf(stderr, "pouch-init: service %s: %s\n", s->unit.name, s->error ? s->error : "start failed");
                set_state(s, ctx, SVC_FAILED);
        }
}

/* Environment, credentials and working directory of an attempt. 0, or -errno with s->error. */
static int attempt_prepare(struct service *s, const struct child_ctx *ctx)
{
        attempt_reset(s);
        const struct unit *u = &s->unit;
        int r = strv_extend(&s->run_env, ctx->env);
        for (size_t i = 0; r >= 0 && i < u->environment.n; i++)
                r = strv_env_put(&s->run_env, u->environment.v[i]);
        if (r < 0)
                goto oom;
        for (size_t i = 0; i < u->n_env_files; i++) {
                _cleanup_free_ char *text = NULL;
                r = read_file(u->env_files[i].path, 4 << 20, &text, NULL);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0) {
                        if (u->env_files[i].optional && r == -ENOENT)
                                continue;
                        set_error(s, "EnvironmentFile=%s: %s", u->env_files[i].path, strerror(-r));
                        return r;
                }
                unsigned line = 0;
                r = envfile_parse(text, &s->run_env, &line);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0) {
                        set_error(s, "EnvironmentFile=%s:%u: invalid line", u->env_files[i].path, line);
                        return r;
                }
        }
        if (u->user || u->group) {
                const char *err = NULL;
                r = credentials_resolve_system(u->user, u->group, &s->creds, &err);
                if (r == -ENOMEM)
                        goto oom;
                if (r < 0) {
                        if (strstr(err, "group"))
                                set_error(s, "Group=%s: %s", u->group, err);
                        else
                                set_error(s, "User=%s: %s", u->user, err);
                        return r;
                }
                s->has_creds = true;
                if (u->user) {
                        /* as systemd does for User= */
                        if (s->creds.home)
                                r = strv_env_set(&s->run_env, "HOME", s->creds.home);
                        if (r >= 0 && s->creds.shell)
                                r = strv_env_set(&s->run_env, "SHELL", s->creds.shell);
                        if (r >= 0 && s->creds.name)
                                r = strv_env_set(&s->run_env, "USER", s->creds.name);
                        if (r >= 0 && s->creds.name)
                                r = strv_env_set(&s->run_env, "LOGNAME", s->creds.name);
                        if (r < 0)
                                goto oom;
                }
        }
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
        set_error(s, "out of memory");
        return -ENOMEM;
}

static int spawn_cmd(struct service *s, const struct child_ctx *ctx, const char *key, const struct exec_cmd *c)
{
        _cleanup_free_ char *exe = NULL;
        int r = find_executable(c->path, strv_env_get(&s->run_env, "PATH"), &exe);
        if (r < 0) {
                set_error(s, "%s=%s: %s", key, c->path, r == -ENOENT ? "command not found" : strerror(-r));
                return r;
        }
        struct spawn_opts o = {
                .path = exe,
                .argv = c->argv.v,
                .envp = s->run_env.v,
                .cwd = s->cwd,
                .cwd_optional = s->unit.working_dir_optional || !s->unit.working_dir,
                .creds = s->has_creds ? &s->creds : NULL,
                .fd_in = ctx->devnull,
                .fd_out = s->out_w,
                .fd_err = s->out_w,
                .session = SPAWN_SETSID,
                .sigs = ctx->sigs,
        };
        r = spawn_process(&o, &s->pid);
        if (r < 0)
                set_error(s, "%s=%s: cannot fork: %s", key, c->path, strerror(-r));
        return r;
}

/* Run the next ExecStartPre=, or ExecStart= when they are done. */
static void attempt_step(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        if (s->next_pre < s->unit.n_pre) {
                const struct exec_cmd *c = &s->unit.pre[s->next_pre];
                if (spawn_cmd(s, ctx, "ExecStartPre", c) < 0) {
                        if (c->ignore_failure) {
                                s->next_pre++;
                                attempt_step(s, ctx, now);
                                return;
                        }
                        attempt_failed(s, ctx, now);
                        return;
                }
                s->in_pre = true;
                *ctx->dirty = true;
                return;
        }
        s->in_pre = false;
        if (spawn_cmd(s, ctx, "ExecStart", &s->unit.start) < 0) {
                attempt_failed(s, ctx, now);
                return;
        }
        s->started_at = now;
        s->ever_started = true;
        free(s->error);
        s->error = NULL;
        set_state(s, ctx, SVC_RUNNING);
}

void service_start(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        if (s->stopping || s->unit.error)
                return;
        set_state(s, ctx, SVC_STARTING);
        s->next_pre = 0;
        if (attempt_prepare(s, ctx) < 0) {
                attempt_failed(s, ctx, now);
                return;
        }
        attempt_step(s, ctx, now);
}

void service_fail(struct service *s, const struct child_ctx *ctx, const char *msg)
{
        set_error(s, "%s", msg);
        fprintf(stderr, "pouch-init: service %s: %s\n", s->unit.name, msg);
        set_state(s, ctx, SVC_FAILED);
}

bool service_handle_exit(struct service *s, const struct child_ctx *ctx, pid_t pid, int wstatus, int64_t now)
{
        if (pid <= 0 || s->pid != pid)
                return false;
        service_read_output(s, ctx->out_fd);
        int code = exit_code_of(wstatus);
        s->pid = 0;
        *ctx->dirty = true;
        if (s->in_pre) {
                const struct exec_cmd *c = &s->unit.pre[s->next_pre];
                s->in_pre = false;
                if (s->stopping) {
                        set_state(s, ctx, SVC_STOPPED);
                        return true;
                }
                if (code != 0 && !c->ignore_failure) {
                        s->has_last_exit = true;
                        s->last_exit = code;
                        set_error(s, "ExecStartPre=%s exited with code %d", c->path, code);
                        attempt_failed(s, ctx, now);
                        return true;
                }
                s->next_pre++;
                attempt_step(s, ctx, now);
                return true;
        }
        s->has_last_exit = true;
        s->last_exit = code;
        service_flush_output(s, ctx->out_fd);
        if (s->stopping) {
                set_state(s, ctx, SVC_STOPPED);
                return true;
        }
        bool failure = code != 0;
        bool restart = s->unit.restart == RESTART_ALWAYS || (s->unit.restart == RESTART_ON_FAILURE && failure);
        if (restart) {
                int64_t delay = backoff_next(&s->backoff, now - s->started_at);
                s->restart_at = now + delay;
                fprintf(stderr, "pouch-init: service %s exited with code %d; restarting in %lld ms\n", s->unit.name,
                        code, (long long) delay);
                set_state(s, ctx, SVC_RESTARTING);
                return true;
        }
        fprintf(stderr, "pouch-init: service %s exited with code %d\n", s->unit.name, code);
        set_state(s, ctx, failure ? SVC_FAILED : SVC_STOPPED);
        return true;
}

void service_tick(struct service *s, const struct child_ctx *ctx, int64_t now, int64_t *next_deadline)
{
        if (s->state != SVC_RESTARTING || s->stopping)
                return;
        if (now >= s->restart_at) {
                s->restarts++;
                service_start(s, ctx, now);
                /* a failed attempt may have scheduled the next one already */
                if (s->state != SVC_RESTARTING)
                        return;
        }
        if (s->restart_at < *next_deadline)
                *next_deadline = s->restart_at;
}

void service_stop(struct service *s, const struct child_ctx *ctx, int sig)
{
        s->stopping = true;
        if (s->pid > 0) {
                if (sig == SIGKILL)
                        s->killed = true;
                /* the whole session it started in: its own children too */
                if (kill(-s->pid, sig) < 0)
                        kill(s->pid, sig);
                return;
        }
        if (s->state == SVC_WAITING || s->state == SVC_RESTARTING || s->state == SVC_STARTING)
                set_state(s, ctx, SVC_STOPPED);
}

bool service_alive(const struct service *s)
{
        return s->pid > 0;
}

struct feed_target {
        struct service *s;
        int out_fd;
};

static void feed(void *ud, const char *data, size_t n)
{
        struct feed_target *t = ud;
        line_prefixer_feed(&t->s->out, t->out_fd, data, n);
}

void service_read_output(struct service *s, int out_fd)
{
        struct feed_target t = { s, out_fd };
        if (s->out_r >= 0)
                drain_fd(s->out_r, 64, feed, &t);
}

void service_flush_output(struct service *s, int out_fd)
{
        service_read_output(s, out_fd);
        line_prefixer_flush(&s->out, out_fd);
}
