/* One supervised service: a state machine per unit, in the shape of runit's runsv and
 * s6-supervise (start, watch, restart with back-off, stop), driven by the event loop.
 *
 *   waiting ──start──▶ starting ──▶ running ──exit──▶ restarting (Restart= says so; after the
 *                                                      back-off delay: starting again)
 *                                               └──▶ stopped (a clean exit) / failed
 *   starting runs, in order: ExecStartPre= commands; ExecStart= (simple, exec, idle: the process
 *   is started; notify: until READY=1; forking: until the command exits, the main process then
 *   read from PIDFile=; oneshot: every ExecStart= command to its end); ExecStartPost= commands.
 *   A oneshot without RemainAfterExit= ends in stopped. A failed start attempt (a command not
 *   found, an unknown User=, a command failing, TimeoutStartSec= passing) goes to restarting or
 *   failed the same way. An unmet Condition*= makes it skipped.
 *   stopping: ExecStop= commands (with $MAINPID), then KillSignal= to what is left (KillMode=),
 *   SIGKILL after TimeoutStopSec=; ends in stopped.
 * Each process runs in its own session, stdin /dev/null, stdout and stderr into a pipe whose
 * lines pouch-init prints with a "[NAME] " prefix (or /dev/null: StandardOutput=null). */
#pragma once

#include "backoff.h"
#include "log-ring.h"
#include "output.h"
#include "spawn.h"
#include "strv.h"
#include "unit-parse.h"
#include "users.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

enum svc_state {
        SVC_WAITING,
        SVC_STARTING,
        SVC_RUNNING,
        SVC_RESTARTING,
        SVC_FAILED,
        SVC_STOPPED,
        SVC_STOPPING,
        SVC_SKIPPED,
};

/* What the command being waited for (ctl_pid) is. */
enum svc_step {
        STEP_NONE,
        STEP_PRE,    /* ExecStartPre= */
        STEP_START,  /* ExecStart= (forking, oneshot), or waiting for READY=1 (notify) */
        STEP_POST,   /* ExecStartPost= */
        STEP_STOP,   /* ExecStop= */
        STEP_RELOAD, /* ExecReload= (a running service) */
};

struct service {
        struct unit unit;
        enum svc_state state;
        size_t index;  /* in the supervisor's list (names the notify socket) */
        pid_t pid;     /* the main process, 0 when none (or unknown) */
        pid_t ctl_pid; /* the command of the current step, 0 when none */
        enum svc_step step;
        size_t step_idx;    /* which command of the step */
        int64_t timeout_at; /* starting: TimeoutStartSec=; stopping: TimeoutStopSec= (0: none) */
        int notify_fd;      /* Type=notify: the socket, else -1 */
        char *notify_path;
        int64_t limit_window;  /* StartLimitIntervalSec= window start */
        unsigned limit_starts; /* starts in that window */
        char *reason;          /* why it is skipped */
        int out_r;             /* the output pipe: we read out_r, children write out_w */
        int out_w;
        struct line_prefixer out;
        unsigned restarts;
        bool has_last_exit;
        int last_exit;
        char *error;
        struct backoff backoff;
        int64_t started_at;    /* when ExecStart= was started */
        int64_t restart_at;    /* in restarting: when to start again */
        bool ever_started;     /* a start attempt got through (the dependents may go) */
        bool stopping;         /* no more starts; every exit ends in stopped */
        bool stop_begun;       /* service_stop() with begin_stop was called */
        bool killed;           /* SIGKILL was sent */
        bool start_after_stop; /* a restart request: start again once stopped */
        bool reload_failed;    /* the last ExecReload= command failed */
        time_t since;          /* when the state last changed (wall clock) */
        struct log_ring log;   /* its last output lines */
        /* the current attempt's environment, credentials and working directory */
        struct strv run_env;
        struct credentials creds;
        bool has_creds;
        char *cwd;
        /* filled by the supervisor from the start order */
        size_t *after; /* services this one starts after (all earlier in the order) */
        size_t n_after;
        size_t *requires; /* services it Requires= */
        size_t n_requires;
};

const char *svc_state_name(enum svc_state st);

/* Take over *u (zeroed afterwards). A unit with a parse error starts out failed with that
 * error. 0 or -errno (the output pipe). */
int service_init(struct service *s, struct unit *u);
void service_free(struct service *s);

/* Begin a start attempt: resolve what the unit needs, run the ExecStartPre= commands one by one
 * (each exit comes back through service_handle_exit), then ExecStart=. */
void service_start(struct service *s, const struct child_ctx *ctx, int64_t now);
/* Whether the service counts as started for the services ordered after it. */
bool service_dep_done(const struct service *s);
/* Give up on it without starting it (e.g. a Requires= failed): failed, with the message. */
void service_fail(struct service *s, const struct child_ctx *ctx, const char *msg);
/* A child exited: true when pid was this service's (its state then moves on). */
bool service_handle_exit(struct service *s, const struct child_ctx *ctx, pid_t pid, int wstatus, int64_t now);
/* Start again when a restart is due, enforce the start and stop timeouts; lower *next_deadline to
 * when the next one is. */
void service_tick(struct service *s, const struct child_ctx *ctx, int64_t now, int64_t *next_deadline);
/* No more (re)starts (begin_stop false: only that). With begin_stop: run ExecStop=, then signal
 * what is left (see above). */
void service_stop(struct service *s, const struct child_ctx *ctx, bool begin_stop, int64_t now);
/* A start asked for by the control socket (`systemctl start`): a stopped, failed, skipped (an
 * unmet condition) or restarting service starts now, its start limit and back-off reset. */
void service_ctl_start(struct service *s, const struct child_ctx *ctx, int64_t now);
/* Run the ExecReload= commands of a running service: 0, -EBUSY (not running, or a command of
 * it is under way), -EOPNOTSUPP (no ExecReload=). Done when s->step is no longer STEP_RELOAD. */
int service_reload(struct service *s, const struct child_ctx *ctx, int64_t now);
/* Whether the service still has a stop to finish (stopping). */
bool service_stopping(const struct service *s);
/* Whether a process of the service is still running. */
bool service_alive(const struct service *s);
/* Read what the notify socket has. */
void service_read_notify(struct service *s, const struct child_ctx *ctx, int64_t now);
/* Copy what its pipe holds to out_fd, line by line with the prefix. */
void service_read_output(struct service *s, int out_fd);
/* The same, then a held partial line. */
void service_flush_output(struct service *s, int out_fd);
