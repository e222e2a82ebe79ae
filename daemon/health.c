/* The health record (docker's State.Health) and the observations that change it. */
#include "health.h"

#include "lib/jsonutil.h"
#include "lib/utf8.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const status_names[_HEALTH_STATUS_MAX] = {
        [HEALTH_NONE] = "none",
        [HEALTH_STARTING] = "starting",
        [HEALTH_HEALTHY] = "healthy",
        [HEALTH_UNHEALTHY] = "unhealthy",
};

const char *health_status_to_string(enum health_status s)
{
        return s >= 0 && s < _HEALTH_STATUS_MAX ? status_names[s] : "none";
}

enum health_status health_status_from_string(const char *s)
{
        for (int i = 0; s && i < _HEALTH_STATUS_MAX; i++)
                if (strcmp(s, status_names[i]) == 0)
                        return i;
        return HEALTH_NONE;
}

/* Append to the probe's output, "; " between parts; silently truncated. */
static void out_add(struct health_probe *p, const char *fmt, ...)
{
        size_t n = strlen(p->output);
        if (n + 3 >= sizeof(p->output))
                return;
        if (n > 0) {
                memcpy(p->output + n, "; ", 3);
                n += 2;
        }
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(p->output + n, sizeof(p->output) - n, fmt, ap);
        va_end(ap);
}

static void probe_init(struct health_probe *p, enum health_status s)
{
        memset(p, 0, sizeof(*p));
        p->status = s;
}

static void exit_text(const json_t *svc, char *buf, size_t len)
{
        json_t *code = json_object_get(svc, "lastExitCode");
        if (json_is_integer(code))
                snprintf(buf, len, " (last exit code %lld)", (long long) json_integer_value(code));
        else
                buf[0] = '\0';
}

/* One service into the probe; returns true while it is still on its way up. */
static bool rich_service(struct health_probe *p, const json_t *svc)
{
        const char *name = json_get_str(svc, "name", "?"), *state = json_get_str(svc, "state", "");
        const char *why = json_get_str(svc, "error", "");
        long long restarts = json_get_int(svc, "restarts", 0);
        char code[48];
        exit_text(svc, code, sizeof(code));
        if (strcmp(state, "skipped") == 0)
                return false;
        if (strcmp(state, "failed") == 0) {
                p->failed++;
                out_add(p, "%s failed%s%s%s", name, code, *why ? ": " : "", why);
        } else if (strcmp(state, "restarting") == 0 && restarts >= HEALTH_CRASHLOOP_RESTARTS) {
                p->crashlooping++;
                out_add(p, "%s crash-looping, %lld restarts%s", name, restarts, code);
        } else if (strcmp(state, "stopped") == 0) {
                out_add(p, "%s stopped%s", name, code);
        } else if (strcmp(state, "restarting") == 0) {
                out_add(p, "%s restarting%s", name, code);
        } else {
                /* running; stopping (its ExecStop= under way) and states unknown here are neither
                 * a failure nor a start in progress */
                out_add(p, "%s %s", name, state);
                return strcmp(state, "waiting") == 0 || strcmp(state, "starting") == 0;
        }
        return false;
}

void health_probe_rich(const json_t *status, struct health_probe *ret)
{
        const char *phase = json_get_str(status, "phase", "");
        json_t *is = json_object_get(status, "initscript");
        probe_init(ret, HEALTH_STARTING);
        if (!status) {
                out_add(ret, "pouch-init has not reported yet");
                return;
        }
        if (strcmp(phase, "stopping") == 0 || strcmp(phase, "exited") == 0) {
                ret->status = HEALTH_NONE;
                return;
        }
        if (strcmp(phase, "initscript") == 0) {
                out_add(ret, "initscript %s running", json_get_str(is, "path", "?"));
                return;
        }
        if (strcmp(phase, "failed") == 0) {
                ret->status = HEALTH_UNHEALTHY;
                ret->exit_code = 1;
                ret->failed = 1;
                out_add(ret, "initscript %s failed with exit code %lld", json_get_str(is, "path", "?"),
                        (long long) json_get_int(is, "exitCode", -1));
                return;
        }
        bool pending = strcmp(phase, "running") != 0;
        size_t i, n = 0;
        json_t *svc;
        json_array_foreach(json_object_get(status, "services"), i, svc) {
                pending |= rich_service(ret, svc);
                n += strcmp(json_get_str(svc, "state", ""), "skipped") != 0;
        }
        if (n == 0)
                out_add(ret, "no services");
        if (ret->failed || ret->crashlooping) {
                ret->status = HEALTH_UNHEALTHY;
                ret->exit_code = 1;
        } else {
                ret->status = pending ? HEALTH_STARTING : HEALTH_HEALTHY;
        }
}

/* The first word of each line, ", " between them. */
static void add_units(struct health_probe *p, const char *lines)
{
        char units[HEALTH_OUTPUT_MAX] = "";
        size_t n = 0;
        for (const char *s = lines; s && *s;) {
                s += strspn(s, " \t\n");
                size_t w = strcspn(s, " \t\n");
                if (w > 0 && n + w + 3 < sizeof(units)) {
                        n += (size_t) snprintf(units + n, sizeof(units) - n, "%s%.*s", n ? ", " : "", (int) w, s);
                        p->failed++;
                }
                s += w;
                s += strcspn(s, "\n");
        }
        out_add(p, "failed units: %s", p->failed ? units : "none");
}

void health_probe_systemd(const char *system_state, const char *failed_units, struct health_probe *ret)
{
        char word[32] = "";
        if (system_state)
                sscanf(system_state, " %31s", word);
        probe_init(ret, HEALTH_NONE);
        if (strcmp(word, "running") == 0) {
                ret->status = HEALTH_HEALTHY;
        } else if (strcmp(word, "initializing") == 0 || strcmp(word, "starting") == 0) {
                ret->status = HEALTH_STARTING;
        } else if (strcmp(word, "degraded") == 0 || strcmp(word, "maintenance") == 0) {
                ret->status = HEALTH_UNHEALTHY;
                ret->exit_code = 1;
        } else {
                return;
        }
        out_add(ret, "systemd %s", word);
        if (ret->status == HEALTH_UNHEALTHY)
                add_units(ret, failed_units);
}

void health_reset(json_t *state)
{
        json_t *old = json_object_get(json_object_get(state, "Health"), "Log");
        json_t *log = json_is_array(old) ? json_incref(old) : json_array();
        json_object_set_new(state, "Health",
                            json_pack("{s:s,s:i,s:o}", "Status", "starting", "FailingStreak", 0, "Log", log));
}

const char *health_status_of(const json_t *state)
{
        return json_get_str(json_object_get(state, "Health"), "Status", "");
}

static json_t *log_of(json_t *h)
{
        json_t *log = json_object_get(h, "Log");
        if (!json_is_array(log)) {
                log = json_array();
                json_object_set_new(h, "Log", log);
        }
        return log;
}

int health_apply(json_t *state, const struct health_probe *p, const char *start, const char *end)
{
        if (p->status <= HEALTH_NONE || p->status >= _HEALTH_STATUS_MAX)
                return 0;
        json_t *h = json_object_get(state, "Health");
        if (!json_is_object(h)) {
                h = json_object();
                json_object_set_new(state, "Health", h);
        }
        const char *now = health_status_to_string(p->status);
        int changed = strcmp(json_get_str(h, "Status", ""), now) != 0 ? HEALTH_CHANGED_STATUS : 0;
        json_object_set_new(h, "Status", json_string(now));
        int64_t streak = p->status == HEALTH_UNHEALTHY ? json_get_int(h, "FailingStreak", 0) + 1 : 0;
        json_object_set_new(h, "FailingStreak", json_integer(streak));
        json_t *log = log_of(h);
        json_t *last = json_array_get(log, json_array_size(log) - 1);
        if (!changed && last && strcmp(json_get_str(last, "Output", ""), p->output) == 0)
                return 0;
        json_t *out = json_stringn_utf8(p->output, strnlen(p->output, sizeof(p->output)));
        json_array_append_new(log, json_pack("{s:s,s:s,s:i,s:o}", "Start", start, "End", end, "ExitCode", p->exit_code,
                                             "Output", out ? out : json_string("")));
        while (json_array_size(log) > HEALTH_LOG_MAX)
                json_array_remove(log, 0);
        return changed | HEALTH_CHANGED_LOG;
}

void health_detail(const struct health_probe *p, char *buf, size_t len)
{
        size_t n = 0;
        buf[0] = '\0';
        if (p->failed)
                n = (size_t) snprintf(buf, len, "%d failed", p->failed);
        if (p->crashlooping && n < len)
                snprintf(buf + n, len - n, "%s%d crash-looping", n ? ", " : "", p->crashlooping);
}

void health_ps_suffix(const json_t *state, const char *detail, char *buf, size_t len)
{
        const char *s = health_status_of(state);
        buf[0] = '\0';
        if (strcmp(s, "starting") == 0)
                snprintf(buf, len, " (health: starting)");
        else if (strcmp(s, "healthy") == 0 || strcmp(s, "unhealthy") == 0)
                snprintf(buf, len, " (%s)", s);
        else
                return;
        size_t n = strlen(buf);
        if (detail && *detail && n < len)
                snprintf(buf + n, len - n, " (degraded: %s)", detail);
}
