/* One supervised service: a state machine per unit, in the shape of runit's runsv and
 * s6-supervise (start, watch, restart with back-off, stop), driven by the event loop.
 *
 *   waiting ──start──▶ starting (ExecStartPre= commands, in order) ──▶ running (ExecStart=)
 *   running ──exit──▶ restarting (Restart= says so; after the back-off delay: starting again)
 *                 └──▶ stopped (exit 0) / failed (non-zero or a signal)
 *   a failed start attempt (a command not found, an unknown User=, an ExecStartPre= failing)
 *   goes to restarting or failed the same way; stopping makes every state end in stopped.
 * Each process runs in its own session, stdin /dev/null, stdout and stderr into a pipe whose
 * lines pouch-init prints with a "[NAME] " prefix. */
#pragma once

#include "backoff.h"
#include "output.h"
#include "spawn.h"
#include "strv.h"
#include "unit-parse.h"
#include "users.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum svc_state {
        SVC_WAITING,
        SVC_STARTING,
        SVC_RUNNING,
        SVC_RESTARTING,
        SVC_FAILED,
        SVC_STOPPED,
};

struct service {
        struct unit unit;
        enum svc_state state;
        pid_t pid;       /* the running ExecStartPre= or ExecStart= process, 0 when none */
        bool in_pre;     /* pid is an ExecStartPre= command */
        size_t next_pre; /* the ExecStartPre= command to run next */
        int out_r;       /* the output pipe: we read out_r, children write out_w */
        int out_w;
        struct line_prefixer out;
        unsigned restarts;
        bool has_last_exit;
        int last_exit;
        char *error;
        struct backoff backoff;
        int64_t started_at; /* when ExecStart= was started */
        int64_t restart_at; /* in restarting: when to start again */
        bool ever_started;  /* ExecStart= has had a pid once */
        bool stopping;      /* no more starts; every exit ends in stopped */
        bool killed;        /* SIGKILL was sent */
        /* the current attempt's environment, credentials and working directory */
        struct strv run_env;
        struct credentials creds;
        bool has_creds;
        char *cwd;
        /* filled by the supervisor from the start order */
        size_t *after;    /* services this one starts after (all earlier in the order) */
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
/* Give up on it without starting it (e.g. a Requires= failed): failed, with the message. */
void service_fail(struct service *s, const struct child_ctx *ctx, const char *msg);
/* A child exited: true when pid was this service's (its state then moves on). */
bool service_handle_exit(struct service *s, const struct child_ctx *ctx, pid_t pid, int wstatus, int64_t now);
/* Start again when a restart is due; lower *next_deadline to when the next one is. */
void service_tick(struct service *s, const struct child_ctx *ctx, int64_t now, int64_t *next_deadline);
/* No more (re)starts; send sig to the process group of its process when there is one. */
void service_stop(struct service *s, const struct child_ctx *ctx, int sig);
/* Whether a process of the service is still running. */
bool service_alive(const struct service *s);
/* Copy what its pipe holds to out_fd, line by line with the prefix. */
void service_read_output(struct service *s, int out_fd);
/* The same, then a held partial line. */
void service_flush_output(struct service *s, int out_fd);
