/* One supervised service: start, watch, restart with back-off, stop. */
#include "service.h"

#include "lib/cleanup.h"
#include "notify.h"
#include "reaper.h"
#include "service-exec.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define STOP_GIVE_UP_MS 1000 /* after SIGKILL: forget processes that still did not go */

const char *svc_state_name(enum svc_state st)
{
        static const char *const names[] = {
                [SVC_WAITING] = "waiting",       [SVC_STARTING] = "starting", [SVC_RUNNING] = "running",
                [SVC_RESTARTING] = "restarting", [SVC_FAILED] = "failed",     [SVC_STOPPED] = "stopped",
                [SVC_STOPPING] = "stopping",     [SVC_SKIPPED] = "skipped",
        };
        return (unsigned) st < ARRAY_SIZE(names) ? names[st] : "unknown";
}

static void set_state(struct service *s, const struct child_ctx *ctx, enum svc_state st)
{
        if (s->state != st)
                s->since = time(NULL);
        s->state = st;
        *ctx->dirty = true;
}

int service_init(struct service *s, struct unit *u)
{
        memset(s, 0, sizeof(*s));
        s->out_r = s->out_w = s->notify_fd = -1;
        s->unit = *u;
        memset(u, 0, sizeof(*u));
        backoff_init(&s->backoff, s->unit.restart_sec_ms);
        s->since = time(NULL);
        if (s->unit.skip_reason) {
                s->state = SVC_SKIPPED;
                s->reason = strdup(s->unit.skip_reason);
                return s->reason ? 0 : -ENOMEM;
        }
        int r = line_prefixer_init(&s->out, s->unit.name);
        if (r < 0)
                return r;
        s->out.ring = &s->log;
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

static void close_notify(struct service *s)
{
        if (s->notify_fd >= 0)
                close(s->notify_fd);
        s->notify_fd = -1;
        if (s->notify_path)
                unlink(s->notify_path);
        free(s->notify_path);
        s->notify_path = NULL;
}

void service_free(struct service *s)
{
        service_attempt_reset(s);
        close_notify(s);
        unit_free(&s->unit);
        line_prefixer_free(&s->out);
        log_ring_free(&s->log);
        free(s->error);
        free(s->reason);
        free(s->after);
        free(s->requires);
        if (s->out_r >= 0)
                close(s->out_r);
        if (s->out_w >= 0)
                close(s->out_w);
        memset(s, 0, sizeof(*s));
        s->out_r = s->out_w = s->notify_fd = -1;
}

/* Send sig to the main process as KillMode= says (final: the last, SIGKILL round). */
static void kill_main(struct service *s, int sig, bool final)
{
        if (s->pid <= 0)
                return;
        switch (s->unit.kill_mode) {
        case KILL_NONE:
                return;
        case KILL_PROCESS:
                kill(s->pid, sig);
                return;
        case KILL_MIXED:
                if (!final) {
                        kill(s->pid, sig);
                        return;
                }
                /* fall through */
        case KILL_CONTROL_GROUP:
                /* the session it started in: its own children too */
                if (kill(-s->pid, sig) < 0)
                        kill(s->pid, sig);
                return;
        }
}

static void kill_ctl(struct service *s, int sig)
{
        if (s->ctl_pid > 0 && kill(-s->ctl_pid, sig) < 0)
                kill(s->ctl_pid, sig);
}

/* Whether a main process that ended with wstatus (or a failed attempt: wstatus -1, timeout
 * when it timed out) is restarted, as Restart= says. */
static bool should_restart(const struct unit *u, int wstatus, bool timeout)
{
        bool signaled = wstatus != -1 && WIFSIGNALED(wstatus);
        int sig = signaled ? WTERMSIG(wstatus) : 0;
        bool clean_sig = sig == SIGHUP || sig == SIGINT || sig == SIGTERM || sig == SIGPIPE;
        bool clean = wstatus != -1 && !timeout &&
                     ((WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0) || (signaled && clean_sig));
        switch (u->restart) {
        case RESTART_ALWAYS:
                return true;
        case RESTART_ON_SUCCESS:
                return clean;
        case RESTART_ON_FAILURE:
                return !clean;
        case RESTART_ON_ABNORMAL:
                return timeout || (signaled && !clean_sig);
        case RESTART_ON_ABORT:
                return signaled && !clean_sig;
        default:
                return false;
        }
}

/* The attempt or the run is over: restart later, or end in failed / stopped. */
static void finish_run(struct service *s, const struct child_ctx *ctx, int64_t now, int wstatus, bool timeout,
                       bool clean, const char *what)
{
        if (s->pid > 0)
                kill_main(s, SIGKILL, true);
        kill_ctl(s, SIGKILL);
        s->pid = s->ctl_pid = 0;
        s->step = STEP_NONE;
        s->timeout_at = 0;
        close_notify(s);
        if (s->stopping) {
                set_state(s, ctx, SVC_STOPPED);
                return;
        }
        /* "service web exited with code 1", "service web: ExecStartPre=... failed" */
        const char *sep = strncmp(what, "exited", 6) == 0 ? " " : ": ";
        if (should_restart(&s->unit, wstatus, timeout)) {
                int64_t delay = backoff_next(&s->backoff, s->started_at ? now - s->started_at : 0);
                s->restart_at = now + delay;
                fprintf(stderr, "pouch-init: service %s%s%s; restarting in %lld ms\n", s->unit.name, sep, what,
                        (long long) delay);
                set_state(s, ctx, SVC_RESTARTING);
                return;
        }
        fprintf(stderr, "pouch-init: service %s%s%s\n", s->unit.name, sep, what);
        set_state(s, ctx, clean ? SVC_STOPPED : SVC_FAILED);
}

static void attempt_failed(struct service *s, const struct child_ctx *ctx, int64_t now, bool timeout)
{
        /* a failed start is a failure: wstatus 1 << 8 is "exit 1" */
        finish_run(s, ctx, now, timeout ? -1 : 1 << 8, timeout, false, s->error ? s->error : "start failed");
}

static void step(struct service *s, const struct child_ctx *ctx, int64_t now);

/* The start job is over: the dependents may go. */
static void started(struct service *s, const struct child_ctx *ctx)
{
        s->step = STEP_NONE;
        s->timeout_at = 0;
        s->ever_started = true;
        free(s->error);
        s->error = NULL;
        if (s->unit.type == UNIT_ONESHOT && !s->unit.remain_after_exit) {
                s->has_last_exit = true;
                s->last_exit = 0;
                set_state(s, ctx, SVC_STOPPED);
                return;
        }
        set_state(s, ctx, SVC_RUNNING);
}

/* Run command c of the current step as the control process; false when it cannot start (then the
 * attempt has been dealt with, unless c is '-' prefixed: then the step just moves on). */
static bool run_ctl(struct service *s, const struct child_ctx *ctx, const char *key, const struct exec_cmd *c,
                    int64_t now)
{
        char mainpid[32];
        snprintf(mainpid, sizeof(mainpid), "MAINPID=%d", (int) s->pid);
        if (service_spawn(s, ctx, key, c, s->pid > 0 ? mainpid : NULL, &s->ctl_pid) >= 0) {
                *ctx->dirty = true;
                return true;
        }
        s->ctl_pid = 0;
        if (c->ignore_failure) {
                s->step_idx++;
                step(s, ctx, now);
        } else {
                attempt_failed(s, ctx, now, false);
        }
        return false;
}

static void start_main(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        _cleanup_free_ char *sock = NULL;
        if (s->unit.type == UNIT_NOTIFY) {
                close_notify(s);
                int fd = notify_open(ctx->state_dir, s->index, &s->notify_path);
                if (fd < 0) {
                        service_set_error(s, "cannot create the notify socket: %s", strerror(-fd));
                        attempt_failed(s, ctx, now, false);
                        return;
                }
                s->notify_fd = fd;
                if (asprintf(&sock, "NOTIFY_SOCKET=%s", s->notify_path) < 0)
                        sock = NULL;
        }
        if (service_spawn(s, ctx, "ExecStart", &s->unit.start, sock, &s->pid) < 0) {
                s->pid = 0;
                attempt_failed(s, ctx, now, false);
                return;
        }
        s->started_at = now;
        *ctx->dirty = true;
        if (s->unit.type == UNIT_NOTIFY)
                return; /* READY=1 moves it on */
        s->step = STEP_POST;
        s->step_idx = 0;
        step(s, ctx, now);
}

/* Move the start on from s->step / s->step_idx. */
static void step(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        const struct unit *u = &s->unit;
        if (s->step == STEP_PRE) {
                if (s->step_idx < u->n_pre) {
                        run_ctl(s, ctx, "ExecStartPre", &u->pre[s->step_idx], now);
                        return;
                }
                s->step = STEP_START;
                s->step_idx = 0;
                if (u->type != UNIT_FORKING && u->type != UNIT_ONESHOT) {
                        start_main(s, ctx, now);
                        return;
                }
        }
        if (s->step == STEP_START) {
                size_t n = 1 + (u->type == UNIT_ONESHOT ? u->start_more.n : 0);
                if (s->step_idx < n) {
                        if (s->step_idx == 0)
                                s->started_at = now;
                        run_ctl(s, ctx, "ExecStart", s->step_idx ? &u->start_more.v[s->step_idx - 1] : &u->start, now);
                        return;
                }
                s->step = STEP_POST;
                s->step_idx = 0;
        }
        if (s->step == STEP_POST) {
                if (s->step_idx < u->post.n) {
                        run_ctl(s, ctx, "ExecStartPost", &u->post.v[s->step_idx], now);
                        return;
                }
                started(s, ctx);
        }
}

bool service_dep_done(const struct service *d)
{
        return d->ever_started || d->state == SVC_FAILED || d->state == SVC_STOPPED || d->state == SVC_SKIPPED;
}

/* StartLimitBurst=/StartLimitIntervalSec=: whether this start goes over the limit. */
static bool start_limit_hit(struct service *s, int64_t now)
{
        if (!s->unit.start_limit_burst || !s->unit.start_limit_interval_ms)
                return false;
        if (!s->limit_starts || now - s->limit_window >= s->unit.start_limit_interval_ms) {
                s->limit_window = now;
                s->limit_starts = 0;
        }
        return ++s->limit_starts > s->unit.start_limit_burst;
}

void service_start(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        if (s->stopping || s->unit.error || s->state == SVC_SKIPPED)
                return;
        if (start_limit_hit(s, now)) {
                service_set_error(s, "start limit hit (StartLimitBurst=%u within %lld ms)", s->unit.start_limit_burst,
                                  (long long) s->unit.start_limit_interval_ms);
                fprintf(stderr, "pouch-init: service %s: %s\n", s->unit.name, s->error);
                set_state(s, ctx, SVC_FAILED);
                return;
        }
        _cleanup_free_ char *unmet = NULL;
        int r = service_conditions_check(s, &unmet);
        if (r > 0) {
                free(s->reason);
                s->reason = TAKE_PTR(unmet);
                set_state(s, ctx, SVC_SKIPPED);
                return;
        }
        set_state(s, ctx, SVC_STARTING);
        s->step = STEP_PRE;
        s->step_idx = 0;
        s->started_at = 0;
        s->timeout_at = s->unit.timeout_start_ms ? now + s->unit.timeout_start_ms : 0;
        if (service_attempt_prepare(s, ctx) < 0) {
                attempt_failed(s, ctx, now, false);
                return;
        }
        step(s, ctx, now);
}

void service_fail(struct service *s, const struct child_ctx *ctx, const char *msg)
{
        service_set_error(s, "%s", msg);
        fprintf(stderr, "pouch-init: service %s: %s\n", s->unit.name, msg);
        set_state(s, ctx, SVC_FAILED);
}

/* The forking ExecStart= exited 0: the main process is in PIDFile=. */
static void forked(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        if (s->unit.pid_file) {
                _cleanup_free_ char *text = NULL;
                unsigned long long pid = 0;
                int r = read_file(s->unit.pid_file, 64, &text, NULL);
                if (r >= 0)
                        text[strcspn(text, " \t\n")] = '\0';
                if (r < 0 || !parse_uint(text, 4194304, &pid) || pid < 2 || kill((pid_t) pid, 0) < 0) {
                        service_set_error(s, "PIDFile=%s: %s", s->unit.pid_file,
                                          r < 0 ? strerror(-r) : "no running process named in it");
                        attempt_failed(s, ctx, now, false);
                        return;
                }
                s->pid = (pid_t) pid;
        }
        s->step = STEP_POST;
        s->step_idx = 0;
        step(s, ctx, now);
}

static void stop_step(struct service *s, const struct child_ctx *ctx, int64_t now);

/* The next ExecReload= command, or the end of the reload. */
static void reload_step(struct service *s, const struct child_ctx *ctx)
{
        const struct exec_list *l = &s->unit.reload;
        char mainpid[32];
        snprintf(mainpid, sizeof(mainpid), "MAINPID=%d", (int) s->pid);
        while (s->step == STEP_RELOAD && s->step_idx < l->n) {
                if (service_spawn(s, ctx, "ExecReload", &l->v[s->step_idx], s->pid > 0 ? mainpid : NULL, &s->ctl_pid) >=
                    0)
                        return;
                s->ctl_pid = 0;
                s->reload_failed = s->reload_failed || !l->v[s->step_idx].ignore_failure;
                s->step_idx++;
        }
        s->step = STEP_NONE;
        *ctx->dirty = true;
}

int service_reload(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        (void) now;
        if (!s->unit.reload.n)
                return -EOPNOTSUPP;
        if (s->state != SVC_RUNNING || s->ctl_pid > 0 || s->step != STEP_NONE)
                return -EBUSY;
        s->reload_failed = false;
        s->step = STEP_RELOAD;
        s->step_idx = 0;
        reload_step(s, ctx);
        return 0;
}

void service_ctl_start(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        s->start_after_stop = false;
        if (s->unit.error || s->unit.skip_reason || s->state == SVC_RUNNING || s->state == SVC_STARTING ||
            s->state == SVC_STOPPING)
                return;
        s->stopping = false;
        s->stop_begun = false;
        s->killed = false;
        s->limit_starts = 0;
        backoff_init(&s->backoff, s->unit.restart_sec_ms);
        free(s->reason);
        s->reason = NULL;
        s->state = SVC_WAITING; /* a skipped one checks its conditions again */
        service_start(s, ctx, now);
}

/* The command of the current step exited. */
static void ctl_exited(struct service *s, const struct child_ctx *ctx, int wstatus, int64_t now)
{
        int code = exit_code_of(wstatus);
        const struct unit *u = &s->unit;
        const struct exec_cmd *c = NULL;
        const char *key = "";
        switch (s->step) {
        case STEP_PRE:
                c = &u->pre[s->step_idx], key = "ExecStartPre";
                break;
        case STEP_START:
                c = s->step_idx ? &u->start_more.v[s->step_idx - 1] : &u->start, key = "ExecStart";
                break;
        case STEP_POST:
                c = &u->post.v[s->step_idx], key = "ExecStartPost";
                break;
        case STEP_STOP:
                s->step_idx++;
                stop_step(s, ctx, now);
                return;
        case STEP_RELOAD:
                s->reload_failed = s->reload_failed || (code != 0 && !u->reload.v[s->step_idx].ignore_failure);
                s->step_idx++;
                reload_step(s, ctx);
                return;
        default:
                /* a start cut short by the stop */
                if (s->state == SVC_STOPPING && s->pid <= 0)
                        finish_run(s, ctx, now, wstatus, false, true, "stopped");
                return;
        }
        if (code != 0 && !c->ignore_failure) {
                s->has_last_exit = true;
                s->last_exit = code;
                service_set_error(s, "%s=%s exited with code %d", key, c->path, code);
                attempt_failed(s, ctx, now, false);
                return;
        }
        if (s->step == STEP_START && u->type == UNIT_FORKING) {
                forked(s, ctx, now);
                return;
        }
        s->step_idx++;
        step(s, ctx, now);
}

/* The main process exited. */
static void main_exited(struct service *s, const struct child_ctx *ctx, int wstatus, int64_t now)
{
        int code = exit_code_of(wstatus);
        s->pid = 0;
        s->has_last_exit = true;
        s->last_exit = code;
        service_flush_output(s, ctx->out_fd);
        if (s->state == SVC_STOPPING) {
                if (s->ctl_pid <= 0)
                        finish_run(s, ctx, now, wstatus, false, true, "stopped");
                return;
        }
        bool clean = !should_restart(&(struct unit){ .restart = RESTART_ON_FAILURE }, wstatus, false);
        if (s->state == SVC_STARTING && s->unit.type == UNIT_NOTIFY && s->step == STEP_START) {
                service_set_error(s, "exited with code %d before it was ready (READY=1)", code);
                attempt_failed(s, ctx, now, false);
                return;
        }
        char what[64];
        snprintf(what, sizeof(what), "exited with code %d", code);
        if (!clean)
                service_set_error(s, "%s", what);
        finish_run(s, ctx, now, wstatus, false, clean, what);
}

bool service_handle_exit(struct service *s, const struct child_ctx *ctx, pid_t pid, int wstatus, int64_t now)
{
        if (pid <= 0 || (s->pid != pid && s->ctl_pid != pid))
                return false;
        service_read_output(s, ctx->out_fd);
        *ctx->dirty = true;
        if (pid == s->ctl_pid) {
                s->ctl_pid = 0;
                ctl_exited(s, ctx, wstatus, now);
        } else {
                main_exited(s, ctx, wstatus, now);
        }
        return true;
}

void service_read_notify(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        struct notify_msg m;
        while (s->notify_fd >= 0 && notify_read(s->notify_fd, &m) > 0) {
                if (m.main_pid > 0 && m.main_pid != s->pid && !s->stopping) {
                        s->pid = m.main_pid;
                        *ctx->dirty = true;
                }
                if (m.ready && s->state == SVC_STARTING && s->step == STEP_START && s->unit.type == UNIT_NOTIFY) {
                        s->step = STEP_POST;
                        s->step_idx = 0;
                        step(s, ctx, now);
                }
        }
}

/* Stopping: the next ExecStop= command, then the kill signal. */
static void stop_step(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        const struct unit *u = &s->unit;
        char mainpid[32];
        snprintf(mainpid, sizeof(mainpid), "MAINPID=%d", (int) s->pid);
        while (s->step == STEP_STOP && s->step_idx < u->stop.n) {
                if (service_spawn(s, ctx, "ExecStop", &u->stop.v[s->step_idx], s->pid > 0 ? mainpid : NULL,
                                  &s->ctl_pid) >= 0)
                        return;
                s->ctl_pid = 0;
                fprintf(stderr, "pouch-init: service %s: %s\n", u->name, s->error ? s->error : "ExecStop= failed");
                s->step_idx++;
        }
        s->step = STEP_NONE;
        if (u->kill_mode == KILL_NONE)
                s->pid = 0; /* left alone, as asked */
        kill_main(s, u->kill_signal, false);
        if (s->pid > 0 && u->kill_signal != SIGKILL)
                kill_main(s, SIGCONT, false);
        if (s->pid <= 0 && s->ctl_pid <= 0)
                finish_run(s, ctx, now, 0, false, true, "stopped");
}

void service_stop(struct service *s, const struct child_ctx *ctx, bool begin_stop, int64_t now)
{
        s->stopping = true;
        s->stop_begun = s->stop_begun || begin_stop;
        if (s->state == SVC_WAITING || s->state == SVC_RESTARTING) {
                set_state(s, ctx, SVC_STOPPED);
                return;
        }
        if (!begin_stop || s->state == SVC_STOPPING)
                return;
        if (s->state == SVC_STARTING) {
                /* an unfinished start: no ExecStop=, the processes get the signal */
                kill_ctl(s, SIGTERM);
                s->step = STEP_NONE;
        } else if (s->state != SVC_RUNNING) {
                return;
        }
        set_state(s, ctx, SVC_STOPPING);
        s->timeout_at = now + (s->unit.timeout_stop_ms ? s->unit.timeout_stop_ms : 24 * 3600 * 1000LL);
        if (s->ctl_pid <= 0 && s->unit.stop.n) {
                s->step = STEP_STOP;
                s->step_idx = 0;
        }
        stop_step(s, ctx, now);
}

bool service_stopping(const struct service *s)
{
        return s->state == SVC_STOPPING;
}

static void tick_timeouts(struct service *s, const struct child_ctx *ctx, int64_t now)
{
        if (s->state == SVC_STARTING && now >= s->timeout_at) {
                service_set_error(s, "did not start within %lld ms (TimeoutStartSec=)",
                                  (long long) s->unit.timeout_start_ms);
                attempt_failed(s, ctx, now, true);
                return;
        }
        if (s->state != SVC_STOPPING)
                return;
        if (!s->killed) {
                fprintf(stderr, "pouch-init: service %s did not stop within %lld ms: SIGKILL\n", s->unit.name,
                        (long long) s->unit.timeout_stop_ms);
                kill_ctl(s, SIGKILL);
                kill_main(s, SIGKILL, true);
                s->killed = true;
                s->timeout_at = now + STOP_GIVE_UP_MS;
                return;
        }
        finish_run(s, ctx, now, 0, false, true, "stopped");
}

void service_tick(struct service *s, const struct child_ctx *ctx, int64_t now, int64_t *next_deadline)
{
        if (s->timeout_at && (s->state == SVC_STARTING || s->state == SVC_STOPPING)) {
                if (now >= s->timeout_at)
                        tick_timeouts(s, ctx, now);
                if (s->timeout_at && (s->state == SVC_STARTING || s->state == SVC_STOPPING) &&
                    s->timeout_at < *next_deadline)
                        *next_deadline = s->timeout_at;
        }
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

bool service_alive(const struct service *s)
{
        return s->pid > 0 || s->ctl_pid > 0;
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
        if (s->out.prefix)
                line_prefixer_flush(&s->out, out_fd);
}
