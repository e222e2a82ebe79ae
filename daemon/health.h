/* A container's health record: Docker's State.Health ({"Status", "FailingStreak", "Log"}), how an
 * observation changes it, and the words `ps` shows for it.
 *
 * An observation (struct health_probe) says what one look at the container found. For rich
 * containers it comes from pouch-init's status.json or from systemd's own state (health-watch.c);
 * a HEALTHCHECK runner would make one from its command's exit code and output, and feed the same
 * record through health_apply(). Everything here works on JSON values only (no daemon state). */
#pragma once

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

enum health_status {
        HEALTH_NONE, /* nothing to say (no health, or the container is stopping) */
        HEALTH_STARTING,
        HEALTH_HEALTHY,
        HEALTH_UNHEALTHY,
        _HEALTH_STATUS_MAX,
};

/* Docker keeps the last five results. */
#define HEALTH_LOG_MAX 5
/* A service waiting to be restarted after this many restarts is crash-looping: unhealthy. */
#define HEALTH_CRASHLOOP_RESTARTS 3
/* Docker truncates a probe's output to 4 KiB. */
#define HEALTH_OUTPUT_MAX 4096

struct health_probe {
        enum health_status status;
        int exit_code;    /* of the log entry: 0 fine, 1 unhealthy (docker's meaning) */
        int failed;       /* services (units) that failed */
        int crashlooping; /* services restarting after HEALTH_CRASHLOOP_RESTARTS restarts */
        char output[HEALTH_OUTPUT_MAX];
};

/* "none", "starting", "healthy", "unhealthy" */
const char *health_status_to_string(enum health_status s);
enum health_status health_status_from_string(const char *s);

/* pouch-init's status.json (may be NULL: not written yet) as an observation: starting during the
 * initscript and while services are waiting or starting; unhealthy when the initscript or a
 * service failed or a service is crash-looping; healthy when every service that is not skipped
 * runs (or stopped after a successful run). Stopping or exited: HEALTH_NONE. */
void health_probe_rich(const json_t *status, struct health_probe *ret);

/* systemd's state (`systemctl is-system-running`'s word) and failed units (`systemctl --failed
 * --plain --no-legend` lines, may be NULL): running healthy, initializing/starting starting,
 * degraded/maintenance unhealthy with the failed units; anything else (stopping, offline, unknown,
 * nothing) HEALTH_NONE. */
void health_probe_systemd(const char *system_state, const char *failed_units, struct health_probe *ret);

/* At each start: Status "starting", FailingStreak 0; the Log is kept (as docker does). */
void health_reset(json_t *state);

#define HEALTH_CHANGED_STATUS 1
#define HEALTH_CHANGED_LOG 2

/* Apply one observation to state's "Health" (created when missing): Status follows the
 * observation, FailingStreak counts consecutive unhealthy ones (0 otherwise), and a Log entry
 * {Start, End, ExitCode, Output} is added when the status or the output changed, keeping the last
 * HEALTH_LOG_MAX. start and end are RFC 3339 times. HEALTH_NONE changes nothing. Returns the
 * HEALTH_CHANGED_* bits. */
int health_apply(json_t *state, const struct health_probe *p, const char *start, const char *end);

/* The current status of state's Health ("" when there is none). */
const char *health_status_of(const json_t *state);

/* pouch's detail for ps: "1 failed", "2 failed, 1 crash-looping", or "" when nothing failed. */
void health_detail(const struct health_probe *p, char *buf, size_t len);

/* What `ps` appends to "Up 5 minutes": docker's " (healthy)", " (health: starting)",
 * " (unhealthy)", then pouch's " (degraded: DETAIL)" when detail is not empty; "" without health. */
void health_ps_suffix(const json_t *state, const char *detail, char *buf, size_t len);
