/* pouch-init's event loop and phases: initscript, services, main process, stop sequence. */
#include "loop.h"

#include "ctl-server.h"
#include "env-file.h"
#include "initscript.h"
#include "lib/cleanup.h"
#include "mainproc.h"
#include "reaper.h"
#include "service-set.h"
#include "service-ctl.h"
#include "service.h"
#include "signals.h"
#include "status.h"
#include "strv.h"
#include "syslog-sink.h"
#include "unit-order.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

extern char **environ;

enum phase {
        PHASE_INITSCRIPT,
        PHASE_STARTING,
        PHASE_RUNNING,
        PHASE_STOPPING,
        PHASE_FAILED,
        PHASE_EXITED,
};

static const char *const phase_names[] = {
        [PHASE_INITSCRIPT] = "initscript", [PHASE_STARTING] = "starting", [PHASE_RUNNING] = "running",
        [PHASE_STOPPING] = "stopping",     [PHASE_FAILED] = "failed",     [PHASE_EXITED] = "exited",
};

/* Everything the loop changes. */
struct supervisor {
        const struct init_options *o;
        enum phase phase;
        int sfd;
        struct saved_signals sigs;
        struct strv env; /* ours without POUCH_INIT_*: for every child */
        int devnull;
        bool dirty; /* status.json is behind */
        bool status_warned;
        struct child_ctx ctx;
        bool has_cmd;
        bool has_initscript;
        struct initscript is;
        struct main_proc main;
        struct service *svc;
        size_t n_svc;
        size_t *order;         /* start order: indexes into svc */
        struct ctl_server ctl; /* systemctl inside */
        int syslog_fd;         /* /dev/log when no syslog daemon runs, else -1 */
        /* the stop sequence */
        int stop_signal;       /* what started it: SIGTERM, SIGINT, or 0 (the main process exited) */
        int64_t main_deadline; /* SIGKILL the main process (or initscript) then */
        bool main_killed;
        int64_t give_up_at; /* processes that survive SIGKILL this long are left behind */
        bool finished;
        int exit_code;
};

/* --- status.json --------------------------------------------------------------------------- */

static void write_status(struct supervisor *s)
{
        _cleanup_free_ struct status_service *ss = calloc(s->n_svc ? s->n_svc : 1, sizeof(*ss));
        if (!ss)
                return;
        for (size_t i = 0; i < s->n_svc; i++) {
                const struct service *sv = &s->svc[s->order[i]];
                ss[i] = (struct status_service){
                        .name = sv->unit.name,
                        .state = svc_state_name(sv->state),
                        .pid = sv->pid > 0 ? sv->pid : sv->ctl_pid,
                        .restarts = sv->restarts,
                        .has_last_exit = sv->has_last_exit,
                        .last_exit = sv->last_exit,
                        .error = sv->error,
                        .reason = sv->reason,
                        .source = unit_source_name(sv->unit.source),
                        .warnings = sv->unit.warnings.v,
                        .n_warnings = sv->unit.warnings.n,
                };
        }
        struct status_doc d = {
                .phase = phase_names[s->phase],
                .pid = getpid(),
                .has_initscript = s->has_initscript,
                .initscript_path = s->o->initscript,
                .initscript_done = s->is.done,
                .initscript_exit = s->is.exit_code,
                .initscript_output = s->is.tail.data,
                .initscript_output_len = s->is.tail.len,
                .has_main = s->has_cmd && !s->o->exec,
                .main_pid = s->main.pid,
                .main_running = s->main.pid > 0,
                .main_done = s->main.done,
                .main_exit = s->main.exit_code,
                .services = ss,
                .n_services = s->n_svc,
        };
        int r = status_write(s->o->state_dir, &d);
        if (r < 0 && !s->status_warned) {
                fprintf(stderr, "pouch-init: warning: cannot write %s/%s: %s\n", s->o->state_dir, STATUS_FILE,
                        strerror(-r));
                s->status_warned = true;
        }
        s->dirty = false;
}

static void set_phase(struct supervisor *s, enum phase p)
{
        s->phase = p;
        s->dirty = true;
}

/* --- services ------------------------------------------------------------------------------ */

static void print_unit_notes(const struct unit *units, size_t n)
{
        for (size_t i = 0; i < n; i++) {
                for (size_t k = 0; k < units[i].warnings.n; k++)
                        fprintf(stderr, "pouch-init: warning: %s\n", units[i].warnings.v[k]);
                if (units[i].error)
                        fprintf(stderr, "pouch-init: %s\n", units[i].error);
                if (units[i].skip_reason)
                        fprintf(stderr, "pouch-init: skipped %s: %s\n", units[i].name, units[i].skip_reason);
        }
}

static void add_after(struct service *sv, size_t j)
{
        for (size_t k = 0; k < sv->n_after; k++)
                if (sv->after[k] == j)
                        return;
        sv->after[sv->n_after++] = j;
}

/* Each service's after/requires lists from the unit names: only those placed before it count, so
 * a cycle's back edge is dropped. */
static int link_services(struct supervisor *s, const struct order_item *items, const size_t *pos)
{
        size_t n = s->n_svc;
        for (size_t i = 0; i < n; i++) {
                s->svc[i].after = calloc(n + 1, sizeof(size_t));
                s->svc[i].requires = calloc(n + 1, sizeof(size_t));
                if (!s->svc[i].after || !s->svc[i].requires)
                        return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++) {
                struct service *sv = &s->svc[i];
                const struct strv *lists[] = { &sv->unit.after, &sv->unit.requires, &sv->unit.before };
                for (size_t l = 0; l < 3; l++)
                        for (size_t k = 0; k < lists[l]->n; k++) {
                                ssize_t j = order_lookup(items, n, lists[l]->v[k]);
                                if (j < 0 || (size_t) j == i)
                                        continue;
                                if (l == 2) { /* Before=: j comes after i */
                                        if (pos[i] < pos[j])
                                                add_after(&s->svc[j], i);
                                        continue;
                                }
                                if (pos[j] < pos[i])
                                        add_after(sv, (size_t) j);
                                if (l == 1 && sv->n_requires < n)
                                sv->requires[sv->n_requires++] = (size_t) j;
                        }
        }
        return 0;
}

static int load_services(struct supervisor *s)
{
        struct unit *units = NULL;
        size_t n = 0;
        struct service_set_opts so = {
                .root = "",
                .services_dir = s->o->services_dir,
                .mask = s->o->services_mask,
                .sshd = !s->o->no_sshd,
                .cron = !s->o->no_cron,
        };
        int r = service_set_load(&so, &units, &n);
        if (r < 0)
                return r;
        print_unit_notes(units, n);
        _cleanup_free_ struct order_item *items = calloc(n ? n : 1, sizeof(*items));
        s->order = calloc(n ? n : 1, sizeof(size_t));
        s->svc = calloc(n ? n : 1, sizeof(*s->svc));
        _cleanup_strv_ struct strv warnings = { 0 };
        if (!items || !s->order || !s->svc) {
                units_free(units, n);
                return -ENOMEM;
        }
        for (size_t i = 0; i < n; i++)
                items[i] = (struct order_item){ units[i].name, &units[i].after, &units[i].requires, &units[i].before };
        r = order_compute(items, n, s->order, &warnings);
        for (size_t k = 0; k < warnings.n; k++)
                fprintf(stderr, "pouch-init: %s\n", warnings.v[k]);
        /* where each one is in the order */
        _cleanup_free_ size_t *pos = calloc(n ? n : 1, sizeof(size_t));
        if (r < 0 || !pos) {
                units_free(units, n);
                return -ENOMEM;
        }
        for (size_t k = 0; k < n; k++)
                pos[s->order[k]] = k;
        /* the services take the units over (names included: items still points at them) */
        for (size_t i = 0; i < n && r >= 0; i++) {
                r = service_init(&s->svc[i], &units[i]);
                s->svc[i].index = i;
                s->n_svc = i + 1;
        }
        if (r >= 0)
                r = link_services(s, items, pos);
        units_free(units, n); /* emptied by service_init, or not taken over on an error */
        return r;
}

/* Start every waiting service whose dependencies have started. */
static void schedule(struct supervisor *s, int64_t now)
{
        for (size_t k = 0; k < s->n_svc; k++) {
                struct service *sv = &s->svc[s->order[k]];
                if (sv->state != SVC_WAITING || sv->stopping)
                        continue;
                bool ready = true;
                for (size_t j = 0; j < sv->n_requires && ready; j++) {
                        const struct service *d = &s->svc[sv->requires[j]];
                        if (!d->ever_started && (d->state == SVC_FAILED || d->state == SVC_STOPPED)) {
                                char msg[512];
                                snprintf(msg, sizeof(msg), "required service %s failed to start", d->unit.name);
                                service_fail(sv, &s->ctx, msg);
                                ready = false;
                        }
                }
                for (size_t j = 0; j < sv->n_after && ready; j++)
                        ready = service_dep_done(&s->svc[sv->after[j]]);
                if (ready && sv->state == SVC_WAITING)
                        service_start(sv, &s->ctx, now);
        }
}

/* Whether the start of the services is over, as far as the main process is concerned: nothing
 * is running its ExecStartPre= commands, and what still waits, waits for a service that is
 * restarting without ever having started (that may take long; the main process does not wait). */
static bool services_settled(const struct supervisor *s)
{
        _cleanup_free_ bool *stuck = calloc(s->n_svc ? s->n_svc : 1, sizeof(bool));
        if (!stuck)
                return true;
        for (size_t k = 0; k < s->n_svc; k++) {
                size_t i = s->order[k];
                const struct service *sv = &s->svc[i];
                if (sv->state == SVC_STARTING)
                        return false;
                if (sv->state != SVC_WAITING)
                        continue;
                for (size_t j = 0; j < sv->n_after && !stuck[i]; j++) {
                        const struct service *d = &s->svc[sv->after[j]];
                        stuck[i] = stuck[sv->after[j]] || (d->state == SVC_RESTARTING && !d->ever_started);
                }
                if (!stuck[i])
                        return false;
        }
        return true;
}

/* --- phases -------------------------------------------------------------------------------- */

static void finish(struct supervisor *s, int code)
{
        s->exit_code = code;
        s->finished = true;
}

/* --exec: the initscript went well, the image's init takes our place. */
static void exec_cmd(struct supervisor *s)
{
        set_phase(s, PHASE_RUNNING);
        write_status(s);
        _cleanup_free_ char *exe = NULL;
        int r = find_executable(s->o->cmd[0], strv_env_get(&s->env, "PATH"), &exe);
        if (r >= 0) {
                initscript_close(&s->is);
                signals_restore(&s->sigs);
                execve(exe, s->o->cmd, s->env.v);
                r = -errno;
                sigset_t all;
                sigfillset(&all);
                sigprocmask(SIG_BLOCK, &all, NULL);
        }
        fprintf(stderr, "pouch-init: exec %s: %s\n", s->o->cmd[0], strerror(-r));
        finish(s, r == -ENOENT ? 127 : 126);
}

static void free_services(struct supervisor *s)
{
        for (size_t i = 0; i < s->n_svc; i++) {
                service_flush_output(&s->svc[i], STDOUT_FILENO);
                service_free(&s->svc[i]);
        }
        free(s->svc);
        free(s->order);
        s->svc = NULL;
        s->order = NULL;
        s->n_svc = 0;
}

/* /dev/log, unless one of the services is a syslog daemon (it binds it itself, as on the VM). */
static void open_syslog(struct supervisor *s)
{
        bool daemon = false;
        for (size_t i = 0; i < s->n_svc; i++)
                daemon = daemon || (s->svc[i].state != SVC_SKIPPED && syslog_daemon_name(s->svc[i].unit.name));
        if (!daemon) {
                s->syslog_fd = syslog_sink_open(s->o->syslog_socket);
                if (s->syslog_fd < 0)
                        fprintf(stderr, "pouch-init: warning: cannot listen on %s for syslog messages: %s\n",
                                s->o->syslog_socket, strerror(-s->syslog_fd));
        }
        /* StandardOutput=syslog: through the daemon, or as the lines pouch-init writes for /dev/log */
        for (size_t i = 0; i < s->n_svc; i++)
                if (s->svc[i].unit.stdout_syslog && s->svc[i].out.prefix)
                        line_prefixer_to_syslog(&s->svc[i].out, s->svc[i].unit.name,
                                                daemon ? s->o->syslog_socket : NULL);
}

/* --- the control socket -------------------------------------------------------------------- */

static struct ctl_target ctl_target_of(struct supervisor *s)
{
        return (struct ctl_target){
                .svc = s->svc,
                .n = s->n_svc,
                .ctx = &s->ctx,
                .root = "",
                .starting = s->phase == PHASE_STARTING,
                .shutting_down = s->phase != PHASE_STARTING && s->phase != PHASE_RUNNING,
        };
}

static int on_ctl_request(void *ud, const struct ctl_request *rq, bool first, bool timed_out, struct buf *text,
                          int *code, int *fd)
{
        struct supervisor *s = ud;
        struct ctl_target t = ctl_target_of(s);
        return service_ctl_handle(&t, rq, first, timed_out, mono_ms(), text, code, fd);
}

static void enter_starting(struct supervisor *s)
{
        set_phase(s, PHASE_STARTING);
        int r = load_services(s);
        if (r < 0) {
                fprintf(stderr, "pouch-init: cannot load the services: %s\n", strerror(-r));
                free_services(s);
        }
        r = ctl_server_open(&s->ctl, s->o->state_dir);
        if (r < 0)
                fprintf(stderr, "pouch-init: warning: no control socket in %s: %s\n", s->o->state_dir, strerror(-r));
        open_syslog(s);
}

static void start_main(struct supervisor *s)
{
        set_phase(s, PHASE_RUNNING);
        if (!s->has_cmd)
                return;
        if (main_start(&s->main, s->o->cmd, &s->ctx) < 0) {
                /* as if it had failed to exec */
                s->main.started = true;
                s->main.done = true;
                s->main.exit_code = 126;
        }
}

static int stop_wait_ms(const struct supervisor *s)
{
        int t = s->o->stop_timeout - 2;
        return (t < 1 ? 1 : t) * 1000;
}

/* SIGTERM or SIGINT (sig), or the main process's exit (sig 0): begin the stop sequence. */
static void begin_stop(struct supervisor *s, int sig, int64_t now)
{
        if (s->phase == PHASE_STOPPING || s->finished)
                return;
        set_phase(s, PHASE_STOPPING);
        s->stop_signal = sig;
        s->main_deadline = now + stop_wait_ms(s);
        /* no more starts: the services are stopped once the main process is gone */
        for (size_t i = 0; i < s->n_svc; i++)
                service_stop(&s->svc[i], &s->ctx, false, now);
        int fwd = sig == SIGINT ? SIGINT : SIGTERM;
        if (s->main.pid > 0)
                kill(s->main.pid, fwd);
        if (s->is.pid > 0 && kill(-s->is.pid, fwd) < 0)
                kill(s->is.pid, fwd);
}

static int stop_exit_code(const struct supervisor *s)
{
        if (s->main.done)
                return s->main.exit_code;
        if (s->main.started)
                return 128 + SIGKILL;
        if (s->has_initscript && s->is.done && s->is.exit_code != 0)
                return s->is.exit_code;
        /* stopped before the command ran: as if the signal had ended it */
        return s->has_cmd && s->stop_signal ? 128 + s->stop_signal : 0;
}

/* Whether every service ordered after service i is stopped (or never ran). */
static bool dependents_down(const struct supervisor *s, size_t i)
{
        for (size_t j = 0; j < s->n_svc; j++) {
                const struct service *d = &s->svc[j];
                enum svc_state st = d->state;
                if (st != SVC_RUNNING && st != SVC_STARTING && st != SVC_STOPPING)
                        continue;
                for (size_t k = 0; k < d->n_after; k++)
                        if (d->after[k] == i)
                                return false;
        }
        return true;
}

static void advance_stop(struct supervisor *s, int64_t now, int64_t *next)
{
        if (s->main.pid > 0 || s->is.pid > 0) {
                if (!s->main_killed && now >= s->main_deadline) {
                        fprintf(stderr, "pouch-init: the main process did not exit within %d ms: SIGKILL\n",
                                stop_wait_ms(s));
                        if (s->main.pid > 0)
                                kill(s->main.pid, SIGKILL);
                        if (s->is.pid > 0 && kill(-s->is.pid, SIGKILL) < 0)
                                kill(s->is.pid, SIGKILL);
                        s->main_killed = true;
                        s->give_up_at = now + 2000;
                }
                if (!s->main_killed || now < s->give_up_at) {
                        *next = s->main_killed ? s->give_up_at : s->main_deadline;
                        return;
                }
        }
        /* in reverse start order, each once the services ordered after it are down: what a
         * service needs outlives it (SysV stop scripts run in reverse too) */
        for (size_t k = s->n_svc; k-- > 0;) {
                size_t i = s->order[k];
                if (!s->svc[i].stop_begun && dependents_down(s, i))
                        service_stop(&s->svc[i], &s->ctx, true, now);
        }
        /* each service enforces its own TimeoutStopSec= (service_tick) */
        bool waiting = false;
        for (size_t i = 0; i < s->n_svc; i++) {
                service_tick(&s->svc[i], &s->ctx, now, next);
                waiting = waiting || service_stopping(&s->svc[i]) || !s->svc[i].stop_begun;
        }
        if (waiting)
                return;
        finish(s, stop_exit_code(s));
}

/* Move the phases on; *next is lowered to the next timer. */
static void advance(struct supervisor *s, int64_t now, int64_t *next)
{
        if (s->phase == PHASE_INITSCRIPT && s->is.done) {
                if (s->is.exit_code != 0) {
                        fprintf(stderr, "pouch-init: initscript %s failed with exit code %d\n", s->o->initscript,
                                s->is.exit_code);
                        set_phase(s, PHASE_FAILED);
                        finish(s, s->is.exit_code);
                        return;
                }
                if (s->o->exec) {
                        exec_cmd(s);
                        return;
                }
                enter_starting(s);
        }
        if (s->phase == PHASE_STARTING || s->phase == PHASE_RUNNING || s->phase == PHASE_STOPPING) {
                for (size_t i = 0; i < s->n_svc; i++)
                        service_tick(&s->svc[i], &s->ctx, now, next);
        }
        if (s->phase == PHASE_STARTING || s->phase == PHASE_RUNNING || s->phase == PHASE_STOPPING) {
                struct ctl_target t = ctl_target_of(s);
                service_ctl_tick(&t, now);
        }
        if (s->phase == PHASE_STARTING || s->phase == PHASE_RUNNING) {
                schedule(s, now);
                /* what schedule() started may have a start timeout: count it in *next */
                for (size_t i = 0; i < s->n_svc; i++)
                        service_tick(&s->svc[i], &s->ctx, now, next);
        }
        if (s->phase == PHASE_STARTING && services_settled(s))
                start_main(s);
        if (s->phase == PHASE_RUNNING && s->main.done && !s->main.pid && s->has_cmd) {
                if (!s->o->keep_running) {
                        begin_stop(s, 0, now);
                } else if (s->main.started) {
                        fprintf(stderr,
                                "pouch-init: the main process exited with code %d; the services keep "
                                "running (--keep-running)\n",
                                s->main.exit_code);
                        s->main.started = false; /* say it once */
                }
        }
        if (s->phase == PHASE_STOPPING)
                advance_stop(s, now, next);
}

/* --- events -------------------------------------------------------------------------------- */

static void on_child_exit(void *ud, pid_t pid, int wstatus)
{
        struct supervisor *s = ud;
        int64_t now = mono_ms();
        if (main_handle_exit(&s->main, pid, wstatus)) {
                s->dirty = true;
                return;
        }
        if (s->has_initscript && initscript_handle_exit(&s->is, pid, wstatus, STDOUT_FILENO)) {
                s->dirty = true;
                return;
        }
        for (size_t i = 0; i < s->n_svc; i++)
                if (service_handle_exit(&s->svc[i], &s->ctx, pid, wstatus, now))
                        return;
        /* an orphan: reaped, nothing else to do */
}

static void on_signal(struct supervisor *s, int sig)
{
        if (sig == SIGCHLD) {
                reap_children(on_child_exit, s);
                return;
        }
        if ((sig == SIGTERM || sig == SIGINT) && s->phase != PHASE_STOPPING) {
                begin_stop(s, sig, mono_ms());
                return;
        }
        if (signal_forwarded(sig) && s->main.pid > 0)
                kill(s->main.pid, sig);
}

static void wait_events(struct supervisor *s, int64_t next)
{
        size_t cap = 3 + 2 * s->n_svc + 1 + CTL_CLIENTS_MAX;
        _cleanup_free_ struct pollfd *fds = calloc(cap, sizeof(*fds));
        _cleanup_free_ struct service **owner = calloc(cap, sizeof(*owner));
        _cleanup_free_ bool *is_notify = calloc(cap, sizeof(bool));
        if (!fds || !owner || !is_notify) {
                poll(NULL, 0, 100);
                return;
        }
        size_t n = 0;
        fds[n++] = (struct pollfd){ .fd = s->sfd, .events = POLLIN };
        size_t is_slot = (size_t) -1;
        if (s->is.out_r >= 0) {
                is_slot = n;
                fds[n++] = (struct pollfd){ .fd = s->is.out_r, .events = POLLIN };
        }
        for (size_t i = 0; i < s->n_svc; i++)
                if (s->svc[i].out_r >= 0) {
                        owner[n] = &s->svc[i];
                        fds[n++] = (struct pollfd){ .fd = s->svc[i].out_r, .events = POLLIN };
                }
        for (size_t i = 0; i < s->n_svc; i++)
                if (s->svc[i].notify_fd >= 0) {
                        owner[n] = &s->svc[i];
                        is_notify[n] = true;
                        fds[n++] = (struct pollfd){ .fd = s->svc[i].notify_fd, .events = POLLIN };
                }
        size_t syslog_slot = (size_t) -1;
        if (s->syslog_fd >= 0) {
                syslog_slot = n;
                fds[n++] = (struct pollfd){ .fd = s->syslog_fd, .events = POLLIN };
        }
        size_t ctl_first = n;
        n += ctl_server_pollfds(&s->ctl, fds + n);
        int timeout = -1;
        if (next != INT64_MAX) {
                int64_t d = next - mono_ms();
                timeout = d < 0 ? 0 : d > 60000 ? 60000 : (int) d;
        }
        int r = poll(fds, n, timeout);
        if (r <= 0)
                return;
        /* output first: what a process wrote before it exited comes before its exit's effects */
        for (size_t k = 1; k < ctl_first; k++) {
                if (!fds[k].revents)
                        continue;
                if (k == syslog_slot)
                        syslog_sink_read(s->syslog_fd, STDOUT_FILENO);
                else if (k == is_slot)
                        initscript_read_output(&s->is, STDOUT_FILENO);
                else if (!is_notify[k])
                        service_read_output(owner[k], STDOUT_FILENO);
        }
        /* readiness after output, before exits */
        for (size_t k = 1; k < ctl_first; k++) {
                if (fds[k].revents && is_notify[k])
                        service_read_notify(owner[k], &s->ctx, mono_ms());
        }
        if (fds[0].revents) {
                int sig;
                while ((sig = signals_read(s->sfd)) > 0)
                        on_signal(s, sig);
        }
        /* requests last: they see the state the events above made */
        ctl_server_dispatch(&s->ctl, fds + ctl_first, n - ctl_first, on_ctl_request, s, mono_ms());
}

/* --- setup and teardown -------------------------------------------------------------------- */

static int open_devnull(void)
{
        int fd = open("/dev/null", O_RDWR | O_CLOEXEC);
        if (fd >= 0)
                return fd;
        /* no /dev/null in the image: a pipe with no writer reads as empty just the same */
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return -errno;
        close(p[1]);
        return p[0];
}

static int setup(struct supervisor *s)
{
        for (char **e = environ; e && *e; e++)
                if (!env_is_internal(*e) && strv_push_dup(&s->env, *e) < 0)
                        return -ENOMEM;
        if (strv_terminate(&s->env) < 0)
                return -ENOMEM;
        s->sfd = signals_setup(&s->sigs);
        if (s->sfd < 0) {
                fprintf(stderr, "pouch-init: cannot set up signal handling: %s\n", strerror(-s->sfd));
                return s->sfd;
        }
        int r = reaper_setup();
        if (r < 0)
                fprintf(stderr, "pouch-init: warning: cannot become a child subreaper: %s\n", strerror(-r));
        s->devnull = open_devnull();
        if (s->devnull < 0) {
                fprintf(stderr, "pouch-init: cannot open /dev/null: %s\n", strerror(-s->devnull));
                return s->devnull;
        }
        s->ctx = (struct child_ctx){
                .env = s->env.v,
                .devnull = s->devnull,
                .out_fd = STDOUT_FILENO,
                .sigs = &s->sigs,
                .dirty = &s->dirty,
                .state_dir = s->o->state_dir,
        };
        mkdir(s->o->state_dir, 0755);
        return 0;
}

static void teardown(struct supervisor *s)
{
        ctl_server_close(&s->ctl);
        if (s->syslog_fd >= 0) {
                close(s->syslog_fd);
                unlink(s->o->syslog_socket);
        }
        free_services(s);
        initscript_close(&s->is);
        if (s->devnull >= 0)
                close(s->devnull);
        if (s->sfd >= 0)
                close(s->sfd);
        strv_free(&s->env);
}

int init_run(const struct init_options *o)
{
        struct supervisor s = {
                .o = o,
                .sfd = -1,
                .devnull = -1,
                .syslog_fd = -1,
                .has_cmd = o->cmd && o->cmd[0],
                .has_initscript = o->initscript != NULL,
        };
        s.is.out_r = -1;
        ctl_server_init(&s.ctl);
        int r = setup(&s);
        if (r < 0) {
                teardown(&s);
                return 125;
        }
        env_files_write(s.env.v, "");
        if (s.has_initscript) {
                set_phase(&s, PHASE_INITSCRIPT);
                write_status(&s);
                if (initscript_start(&s.is, o->initscript, &s.ctx) < 0) {
                        s.is.done = true;
                        s.is.exit_code = 126;
                }
        } else if (o->exec) {
                exec_cmd(&s);
        } else {
                enter_starting(&s);
        }
        while (!s.finished) {
                int64_t next = INT64_MAX;
                advance(&s, mono_ms(), &next);
                ctl_server_tick(&s.ctl, on_ctl_request, &s, mono_ms(), &next);
                if (s.dirty)
                        write_status(&s);
                if (s.finished)
                        break;
                wait_events(&s, next);
        }
        if (s.phase != PHASE_FAILED)
                set_phase(&s, PHASE_EXITED);
        write_status(&s);
        int code = s.exit_code;
        teardown(&s);
        return code;
}
