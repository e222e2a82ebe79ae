/* pouch-init's event loop: one poll() over the signalfd and the output pipes, with timers for
 * restarts and the stop sequence, driving the phases
 *
 *   initscript ─▶ starting (services, in dependency order) ─▶ running (the main process)
 *        │                                                       │ main exits (no --keep-running)
 *        ▼                                                       ▼ or SIGTERM / SIGINT
 *      failed (exit with the script's code)               stopping ─▶ exited
 *
 * Stopping: SIGTERM (SIGINT when that is what came) to the main process, SIGKILL after
 * max(stop-timeout - 2, 1) s; then the services are stopped in reverse start order, each once
 * the services ordered after it are down (ExecStop=, KillSignal=, SIGKILL after TimeoutStopSec=:
 * service.h); exit with the main process's code (128 + signal when a signal ended it). All mutable state lives in one
 * struct supervisor, inside loop.c. */
#pragma once

#include <stdbool.h>

#define DEFAULT_SERVICES_DIR "/etc/pouch/services.d"
#define DEFAULT_STATE_DIR "/run/pouch-init"
#define DEFAULT_STOP_TIMEOUT 10
#define SERVICE_STOP_GRACE_MS 2000

struct init_options {
        const char *initscript; /* NULL: none */
        bool keep_running;      /* keep the services after the main process exited */
        const char *services_dir;
        const char *state_dir;
        int stop_timeout; /* seconds */
        bool no_sshd;
        bool no_cron;
        unsigned services_mask;    /* SERVICES_* of service-set.h: where services come from */
        bool exec;                 /* run the initscript, then exec cmd in our place (no services) */
        const char *syslog_socket; /* bound when no syslog daemon runs */
        char **cmd;                /* NULL-terminated; NULL or empty: no main process */
};

/* Run pouch-init to the end: the exit code for the container. */
int init_run(const struct init_options *o);
