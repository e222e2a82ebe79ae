/* The answers to control requests about the supervised services. */
#include "service-ctl.h"

#include "ctl-format.h"
#include "unit-enable.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The built-ins' other names: `systemctl status sshd` finds Debian's ssh, and the reverse. */
static struct service *find(struct ctl_target *t, const char *name)
{
        static const char *const alias[][2] = {
                { "sshd", "ssh" }, { "ssh", "sshd" }, { "crond", "cron" }, { "cron", "crond" }
        };
        for (size_t i = 0; i < t->n; i++)
                if (strcmp(t->svc[i].unit.name, name) == 0)
                        return &t->svc[i];
        for (size_t a = 0; a < sizeof(alias) / sizeof(alias[0]); a++)
                if (strcmp(name, alias[a][0]) == 0)
                        for (size_t i = 0; i < t->n; i++)
                                if (strcmp(t->svc[i].unit.name, alias[a][1]) == 0)
                                        return &t->svc[i];
        return NULL;
}

static const char *enabled_state(struct ctl_target *t, const struct service *s)
{
        switch (s->unit.source) {
        case SOURCE_SYSTEMD:
                return unit_is_enabled(t->root, s->unit.name) ? "enabled" : "disabled";
        case SOURCE_SYSV:
                return "enabled"; /* its rcN.d links made it run */
        default:
                return "static"; /* services.d units and built-ins always run */
        }
}

static struct ctl_unit_view view_of(struct ctl_target *t, const struct service *s)
{
        return (struct ctl_unit_view){
                .name = s->unit.name,
                .description = s->unit.description,
                .path = s->unit.path,
                .source = unit_source_name(s->unit.source),
                .enabled = enabled_state(t, s),
                .state = svc_state_name(s->state),
                .pid = s->pid,
                .since = s->since,
                .restarts = s->restarts,
                .has_last_exit = s->has_last_exit,
                .last_exit = s->last_exit,
                .error = s->error,
                .reason = s->reason,
                .log = &s->log,
        };
}

static int answer(int *code, int *fd, int c, int f)
{
        *code = c;
        *fd = f;
        return 1;
}

/* How a start (or the start of a restart) ended: 1 with the answer, 0 not yet. */
static int start_result(const struct ctl_request *rq, struct service *s, struct buf *text, int *code, int *fd)
{
        if (s->start_after_stop || s->state == SVC_STARTING || s->state == SVC_STOPPING || s->state == SVC_WAITING)
                return 0;
        if (s->state == SVC_RUNNING || s->state == SVC_SKIPPED || (s->state == SVC_STOPPED && !s->error))
                return answer(code, fd, 0, 1);
        buf_printf(text,
                   "Job for %s.service failed because the control process exited with error code.\n"
                   "See \"systemctl status %s.service\" for details.\n",
                   rq->name, rq->name);
        return answer(code, fd, 1, 2);
}

static int do_start(struct ctl_target *t, const struct ctl_request *rq, struct service *s, int64_t now,
                    struct buf *text, int *code, int *fd)
{
        if (t->shutting_down) {
                buf_printf(text, "Failed to %s %s.service: the container is stopping.\n", ctl_verb_name(rq->verb),
                           rq->name);
                return answer(code, fd, 1, 2);
        }
        if (s->unit.skip_reason || s->unit.error) {
                buf_printf(text, "Failed to %s %s.service: %s\n", ctl_verb_name(rq->verb), rq->name,
                           s->unit.error ? s->unit.error : s->unit.skip_reason);
                return answer(code, fd, 1, 2);
        }
        bool active = s->state == SVC_RUNNING || s->state == SVC_STARTING;
        if (rq->verb == CTL_TRY_RESTART && !active)
                return answer(code, fd, 0, 1);
        if ((rq->verb == CTL_RESTART || rq->verb == CTL_TRY_RESTART) && active) {
                service_stop(s, t->ctx, true, now);
                s->start_after_stop = true;
                service_ctl_tick(t, now); /* a stop that ended at once */
        } else if (s->state == SVC_STOPPING) {
                s->start_after_stop = true;
        } else {
                service_ctl_start(s, t->ctx, now);
        }
        return start_result(rq, s, text, code, fd);
}

static int do_reload(struct ctl_target *t, struct service *s, const struct ctl_request *rq, bool first, int64_t now,
                     struct buf *text, int *code, int *fd)
{
        if (!first) {
                if (s->step == STEP_RELOAD)
                        return 0;
                if (!s->reload_failed)
                        return answer(code, fd, 0, 1);
                buf_printf(text, "Job for %s.service failed: ExecReload= failed.\n", rq->name);
                return answer(code, fd, 1, 2);
        }
        int r = service_reload(s, t->ctx, now);
        if (r == -EOPNOTSUPP) {
                buf_printf(text,
                           "Failed to reload %s.service: Job type reload is not applicable for unit %s.service.\n",
                           rq->name, rq->name);
                return answer(code, fd, 1, 2);
        }
        if (r < 0) {
                buf_printf(text, "Failed to reload %s.service: it is not running.\n", rq->name);
                return answer(code, fd, CTL_EXIT_NOT_RUNNING, 2);
        }
        return do_reload(t, s, rq, false, now, text, code, fd);
}

static int do_enable(struct ctl_target *t, const struct ctl_request *rq, struct service *s, struct buf *text, int *code,
                     int *fd)
{
        if (s && s->unit.source == SOURCE_SYSV) {
                buf_printf(text, "%s is a SysV script: use update-rc.d %s %s\n", rq->name, rq->name,
                           ctl_verb_name(rq->verb));
                return answer(code, fd, 1, 2);
        }
        if (s && s->unit.source != SOURCE_SYSTEMD) {
                buf_printf(text, "%s.service always runs (source: %s): nothing to %s.\n", rq->name,
                           unit_source_name(s->unit.source), ctl_verb_name(rq->verb));
                return answer(code, fd, 0, 1);
        }
        if (rq->verb == CTL_DISABLE)
                return answer(code, fd, unit_disable(t->root, rq->name, text) < 0 ? 1 : 0, 1);
        char *path = s && s->unit.path ? strdup(s->unit.path) : unit_file_find(t->root, rq->name);
        if (!path) {
                buf_printf(text, "Failed to enable unit: Unit file %s.service does not exist.\n", rq->name);
                return answer(code, fd, 1, 2);
        }
        int r = unit_enable(t->root, rq->name, path, text);
        if (r >= 0 && !s)
                buf_printf(text, "%s.service runs from the next start of the container.\n", rq->name);
        free(path);
        return answer(code, fd, r < 0 ? 1 : 0, r < 0 ? 2 : 1);
}

static int unknown_unit(struct ctl_target *t, const struct ctl_request *rq, struct buf *text, int *code, int *fd)
{
        switch (rq->verb) {
        case CTL_IS_ACTIVE:
                buf_puts(text, "inactive\n");
                return answer(code, fd, CTL_EXIT_NOT_RUNNING, 1);
        case CTL_IS_FAILED:
                buf_puts(text, "inactive\n");
                return answer(code, fd, 1, 1);
        case CTL_ENABLE:
        case CTL_DISABLE:
                return do_enable(t, rq, NULL, text, code, fd);
        case CTL_IS_ENABLED:
                if (unit_is_enabled(t->root, rq->name)) {
                        buf_puts(text, "enabled\n");
                        return answer(code, fd, 0, 1);
                }
                buf_printf(text, "Failed to get unit file state for %s.service: No such file or directory\n", rq->name);
                return answer(code, fd, 1, 2);
        case CTL_STATUS:
                buf_printf(text, "Unit %s.service could not be found.\n", rq->name);
                return answer(code, fd, CTL_EXIT_NO_UNIT, 2);
        default:
                buf_printf(text, "Failed to %s %s.service: Unit %s.service not found.\n", ctl_verb_name(rq->verb),
                           rq->name, rq->name);
                return answer(code, fd, CTL_EXIT_NO_SUCH_UNIT, 2);
        }
}

static int system_state(struct ctl_target *t, struct buf *text, int *code, int *fd)
{
        bool failed = false;
        for (size_t i = 0; i < t->n; i++)
                failed = failed || t->svc[i].state == SVC_FAILED;
        const char *st = t->shutting_down ? "stopping" : t->starting ? "starting" : failed ? "degraded" : "running";
        buf_printf(text, "%s\n", st);
        return answer(code, fd, strcmp(st, "running") == 0 ? 0 : 1, 1);
}

static int list_units(struct ctl_target *t, struct buf *text, int *code, int *fd)
{
        ctl_format_list_header(text);
        size_t shown = 0;
        for (size_t i = 0; i < t->n; i++) {
                if (t->svc[i].state == SVC_SKIPPED)
                        continue;
                struct ctl_unit_view v = view_of(t, &t->svc[i]);
                ctl_format_list_line(text, &v);
                shown++;
        }
        buf_printf(text, "\n%zu loaded units listed (pouch-init; skipped units are in `pouch inspect`).\n", shown);
        return answer(code, fd, 0, 1);
}

/* Requests about one known service. */
static int unit_request(struct ctl_target *t, const struct ctl_request *rq, struct service *s, bool first, int64_t now,
                        struct buf *text, int *code, int *fd)
{
        struct ctl_unit_view v = view_of(t, s);
        const char *active = ctl_active_state(v.state);
        switch (rq->verb) {
        case CTL_START:
        case CTL_RESTART:
        case CTL_TRY_RESTART:
                return first ? do_start(t, rq, s, now, text, code, fd) : start_result(rq, s, text, code, fd);
        case CTL_STOP:
                if (first) {
                        s->start_after_stop = false;
                        service_stop(s, t->ctx, true, now);
                }
                return s->state == SVC_STOPPING ? 0 : answer(code, fd, 0, 1);
        case CTL_RELOAD:
                return do_reload(t, s, rq, first, now, text, code, fd);
        case CTL_STATUS: {
                int r = ctl_format_status(text, &v, time(NULL));
                return answer(code, fd, r < 0 ? 1 : r, 1);
        }
        case CTL_IS_ACTIVE:
                buf_printf(text, "%s\n", active);
                return answer(code, fd, strcmp(active, "active") == 0 ? 0 : CTL_EXIT_NOT_RUNNING, 1);
        case CTL_IS_FAILED:
                buf_printf(text, "%s\n", active);
                return answer(code, fd, strcmp(active, "failed") == 0 ? 0 : 1, 1);
        case CTL_IS_ENABLED:
                buf_printf(text, "%s\n", v.enabled);
                return answer(code, fd, strcmp(v.enabled, "disabled") == 0 ? 1 : 0, 1);
        case CTL_ENABLE:
        case CTL_DISABLE:
                return do_enable(t, rq, s, text, code, fd);
        default:
                return answer(code, fd, 1, 2);
        }
}

int service_ctl_handle(struct ctl_target *t, const struct ctl_request *rq, bool first, bool timed_out, int64_t now,
                       struct buf *text, int *code, int *fd)
{
        if (rq->verb == CTL_IS_SYSTEM_RUNNING)
                return system_state(t, text, code, fd);
        if (rq->verb == CTL_LIST_UNITS)
                return list_units(t, text, code, fd);
        if (rq->verb == CTL_DAEMON_RELOAD) {
                buf_puts(text, "pouch-init reads the unit files at the container's start: restart the container "
                               "to apply changed units.\n");
                return answer(code, fd, 0, 2);
        }
        struct service *s = find(t, rq->name);
        if (!s)
                return unknown_unit(t, rq, text, code, fd);
        int r = unit_request(t, rq, s, first, now, text, code, fd);
        if (r == 0 && timed_out) {
                buf_printf(text, "Job for %s.service timed out (it is %s).\n", rq->name, svc_state_name(s->state));
                return answer(code, fd, 1, 2);
        }
        return r;
}

void service_ctl_tick(struct ctl_target *t, int64_t now)
{
        for (size_t i = 0; i < t->n; i++) {
                struct service *s = &t->svc[i];
                if (!s->start_after_stop || s->state == SVC_STOPPING)
                        continue;
                if (t->shutting_down) {
                        s->start_after_stop = false;
                        continue;
                }
                service_ctl_start(s, t->ctx, now);
        }
}
