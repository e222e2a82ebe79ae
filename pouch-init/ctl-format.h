/* What the control requests print, in systemctl's words: `status NAME`, `list-units`, and the
 * active/sub states of pouch-init's service states. */
#pragma once

#include "buf.h"
#include "log-ring.h"

#include <stdbool.h>
#include <sys/types.h>
#include <time.h>

/* One service as the answers show it. */
struct ctl_unit_view {
        const char *name;
        const char *description; /* NULL: none */
        const char *path;        /* the unit file or script, NULL for built-ins */
        const char *source;      /* "systemd", "sysv", "services.d", "builtin" */
        const char *enabled;     /* "enabled", "disabled", "static" */
        const char *state;       /* pouch-init's (svc_state_name) */
        pid_t pid;               /* 0: none */
        time_t since;            /* when the state last changed */
        unsigned restarts;
        bool has_last_exit;
        int last_exit;
        const char *error;          /* NULL: none */
        const char *reason;         /* why skipped, NULL: not */
        const struct log_ring *log; /* NULL: none */
};

/* systemctl's ActiveState= for a pouch-init state: active, activating, deactivating, inactive,
 * failed. has_pid tells a running process ("running") from a finished oneshot or SysV script. */
const char *ctl_active_state(const char *state);
/* SubState=: running, exited, start, auto-restart, stop, dead, failed. */
const char *ctl_sub_state(const char *state, bool has_pid);

/* "● NAME.service - DESC", Loaded:, Active:, Main PID:, restarts, the last output lines. The
 * exit code of `systemctl status`: 0 active, 3 not. 0..3, or -ENOMEM. */
int ctl_format_status(struct buf *b, const struct ctl_unit_view *v, time_t now);
/* The header and one line per unit of `systemctl list-units`: 0 or -ENOMEM. */
int ctl_format_list_header(struct buf *b);
int ctl_format_list_line(struct buf *b, const struct ctl_unit_view *v);
/* "5s", "2min 3s", "1h 4min", "2 days": how long ago t was. */
void ctl_format_ago(char *out, size_t size, time_t t, time_t now);
