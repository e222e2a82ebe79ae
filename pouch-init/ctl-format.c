/* What the control requests print, in systemctl's words. */
#include "ctl-format.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

const char *ctl_active_state(const char *state)
{
        if (strcmp(state, "running") == 0)
                return "active";
        if (strcmp(state, "starting") == 0 || strcmp(state, "restarting") == 0)
                return "activating";
        if (strcmp(state, "stopping") == 0)
                return "deactivating";
        if (strcmp(state, "failed") == 0)
                return "failed";
        return "inactive";
}

const char *ctl_sub_state(const char *state, bool has_pid)
{
        if (strcmp(state, "running") == 0)
                return has_pid ? "running" : "exited";
        if (strcmp(state, "starting") == 0)
                return "start";
        if (strcmp(state, "restarting") == 0)
                return "auto-restart";
        if (strcmp(state, "stopping") == 0)
                return "stop";
        if (strcmp(state, "failed") == 0)
                return "failed";
        return "dead";
}

void ctl_format_ago(char *out, size_t size, time_t t, time_t now)
{
        long long d = now > t ? (long long) (now - t) : 0;
        if (d < 60)
                snprintf(out, size, "%llds", d);
        else if (d < 3600)
                snprintf(out, size, "%lldmin %llds", d / 60, d % 60);
        else if (d < 86400)
                snprintf(out, size, "%lldh %lldmin", d / 3600, d % 3600 / 60);
        else
                snprintf(out, size, "%lld day%s", d / 86400, d / 86400 == 1 ? "" : "s");
}

static void format_time(char *out, size_t size, time_t t)
{
        struct tm tm;
        if (!localtime_r(&t, &tm) || strftime(out, size, "%a %Y-%m-%d %H:%M:%S %Z", &tm) == 0)
                snprintf(out, size, "@%lld", (long long) t);
}

static int format_active(struct buf *b, const struct ctl_unit_view *v, time_t now)
{
        const char *active = ctl_active_state(v->state);
        const char *sub = ctl_sub_state(v->state, v->pid > 0);
        char when[64], ago[32];
        format_time(when, sizeof(when), v->since);
        ctl_format_ago(ago, sizeof(ago), v->since, now);
        int r = buf_printf(b, "     Active: %s (%s", active, sub);
        if (r >= 0 && strcmp(active, "failed") == 0)
                r = buf_printf(b, "%s", v->has_last_exit && v->last_exit ? "; Result: exit-code" : "");
        if (r >= 0)
                r = buf_printf(b, ") since %s; %s ago\n", when, ago);
        if (r >= 0 && v->reason)
                r = buf_printf(b, "  Condition: skipped: %s\n", v->reason);
        if (r >= 0 && v->pid > 0)
                r = buf_printf(b, "   Main PID: %d (%s)\n", (int) v->pid, v->name);
        if (r >= 0 && v->has_last_exit && v->pid <= 0)
                r = buf_printf(b, "  Last exit: code %d\n", v->last_exit);
        if (r >= 0)
                r = buf_printf(b, "   Restarts: %u\n", v->restarts);
        if (r >= 0 && v->error)
                r = buf_printf(b, "      Error: %s\n", v->error);
        return r;
}

int ctl_format_status(struct buf *b, const struct ctl_unit_view *v, time_t now)
{
        bool active = strcmp(ctl_active_state(v->state), "active") == 0;
        /* systemd's dot: green when active, red when failed, white otherwise; no colours here */
        int r = buf_printf(b, "%s %s.service", strcmp(v->state, "failed") == 0 ? "×" : "●", v->name);
        if (r >= 0 && v->description && *v->description)
                r = buf_printf(b, " - %s", v->description);
        if (r >= 0)
                r = buf_printf(b, "\n     Loaded: loaded (%s; %s; source: %s)\n", v->path ? v->path : "built in",
                               v->enabled, v->source);
        if (r >= 0)
                r = format_active(b, v, now);
        if (r >= 0 && v->log && v->log->n)
                r = buf_puts(b, "\n");
        for (size_t i = 0; r >= 0 && v->log && i < v->log->n; i++) {
                time_t at;
                const char *line = log_ring_get(v->log, i, &at);
                struct tm tm;
                char when[32] = "";
                if (localtime_r(&at, &tm))
                        strftime(when, sizeof(when), "%b %d %H:%M:%S", &tm);
                r = buf_printf(b, "%s %s: %s\n", when, v->name, line);
        }
        if (r < 0)
                return -ENOMEM;
        return active ? 0 : 3;
}

int ctl_format_list_header(struct buf *b)
{
        return buf_printf(b, "  %-32s %-8s %-12s %-12s %s\n", "UNIT", "LOAD", "ACTIVE", "SUB", "DESCRIPTION");
}

int ctl_format_list_line(struct buf *b, const struct ctl_unit_view *v)
{
        char unit[300];
        snprintf(unit, sizeof(unit), "%s.service", v->name);
        return buf_printf(b, "%s %-32s %-8s %-12s %-12s %s\n", strcmp(v->state, "failed") == 0 ? "●" : " ", unit,
                          "loaded", ctl_active_state(v->state), ctl_sub_state(v->state, v->pid > 0),
                          v->description ? v->description : "");
}
