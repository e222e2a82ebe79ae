/* Container endpoints: create, list, inspect, lifecycle verbs, wait, top. */
#include "api.h"
#include "container-filter.h"

#include "richmode/richmode.h"
#include "daemon/container-quota.h"

#include "lib/fsutil.h"

#include "daemon/events.h"
#include "daemon/health.h"
#include "daemon/health-watch.h"
#include "daemon/image/image.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/unixsock.h"
#include "lib/utf8.h"
#include "lib/util.h"

#include <ctype.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define WITH_CONTAINER(r, c)                                            \
        struct container *c = NULL;                                     \
        do {                                                            \
                struct pouch_err _e = { 0 };                            \
                if (container_get((r)->d, (r)->params[0], &c, &_e) < 0) \
                        return http_error((r), &_e);                    \
        } while (0)

enum MHD_Result api_container_create(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, false, &res);
        if (!body)
                return res;
        struct pouch_err err = { 0 };
        char id[65];
        json_t *warnings = NULL;
        if (container_create(r->d, http_query(r, "name"), body, id, &warnings, &err) < 0)
                return http_error(r, &err);
        return http_json(r, 201, json_pack("{s:s,s:o}", "Id", id, "Warnings", warnings));
}

static void status_text_locked(struct container *c, char *buf, size_t len)
{
        json_t *st = json_object_get(c->doc, "State");
        struct timespec now = now_realtime(), t;
        char human[64], health[192];
        switch (c->status) {
        case CONTAINER_RUNNING:
        case CONTAINER_PAUSED:
                parse_timestamp(json_get_str(st, "StartedAt", ""), &t);
                format_human_duration(now.tv_sec - t.tv_sec, human, sizeof(human));
                /* like docker: "(Paused)", or the health: "(healthy)", "(health: starting)" */
                health_ps_suffix(c->status == CONTAINER_RUNNING ? st : NULL,
                                 json_get_str(c->doc, HEALTH_DETAIL_KEY, ""), health, sizeof(health));
                snprintf(buf, len, "Up %s%s%s", human, c->status == CONTAINER_PAUSED ? " (Paused)" : "", health);
                break;
        case CONTAINER_RESTARTING:
                snprintf(buf, len, "Restarting (%d) Less than a second ago", (int) json_get_int(st, "ExitCode", 0));
                break;
        case CONTAINER_EXITED:
                parse_timestamp(json_get_str(st, "FinishedAt", ""), &t);
                format_human_duration(now.tv_sec - t.tv_sec, human, sizeof(human));
                snprintf(buf, len, "Exited (%d) %s ago", (int) json_get_int(st, "ExitCode", 0), human);
                break;
        case CONTAINER_REMOVING:
                snprintf(buf, len, "Removal In Progress");
                break;
        case CONTAINER_DEAD:
                snprintf(buf, len, "Dead");
                break;
        default:
                snprintf(buf, len, "Created");
        }
}

/* Docker's list form of the ports: published mappings, then exposed ports nobody publishes. */
static json_t *summary_ports(const json_t *doc)
{
        json_t *out = json_array();
        json_t *published = json_object_get(json_object_get(doc, "NetworkSettings"), "Ports");
        const char *key;
        json_t *v;
        json_object_foreach((json_t *) published, key, v) {
                char proto[8] = "tcp";
                int port = 0;
                if (sscanf(key, "%d/%7s", &port, proto) < 1)
                        continue;
                size_t i;
                json_t *b;
                json_array_foreach(v, i, b)
                        json_array_append_new(out,
                                              json_pack("{s:s,s:i,s:i,s:s}", "IP", json_get_str(b, "HostIp", "0.0.0.0"),
                                                        "PrivatePort", port, "PublicPort",
                                                        atoi(json_get_str(b, "HostPort", "0")), "Type", proto));
        }
        json_object_foreach(json_object_get(json_object_get(doc, "Config"), "ExposedPorts"), key, v) {
                char proto[8] = "tcp";
                int port = 0;
                if (sscanf(key, "%d/%7s", &port, proto) < 1 || json_array_size(json_object_get(published, key)))
                        continue;
                json_array_append_new(out, json_pack("{s:i,s:s}", "PrivatePort", port, "Type", proto));
        }
        return out;
}

json_t *api_container_summary_locked(struct pouchd *d, struct container *c)
{
        (void) d;
        json_t *doc = c->doc;
        json_t *config = json_object_get(doc, "Config");
        char command[4096];
        size_t n = (size_t) snprintf(command, sizeof(command), "%s", json_get_str(doc, "Path", ""));
        size_t i;
        json_t *a;
        json_array_foreach(json_object_get(doc, "Args"), i, a)
                if (n < sizeof(command) - 2)
                        n += (size_t) snprintf(command + n, sizeof(command) - n, " %s", json_string_value(a));
        struct timespec created = { 0, 0 };
        parse_timestamp(json_get_str(doc, "Created", ""), &created);
        char status[320];
        status_text_locked(c, status, sizeof(status));
        json_t *labels = json_object_get(config, "Labels");
        json_t *hc = json_object_get(doc, "HostConfig");
        json_t *sum = json_pack("{s:s,s:[s],s:s,s:s,s:s,s:I,s:[],s:O,s:s,s:s,s:{s:s},s:{s:O},s:[]}", "Id", c->id,
                                "Names", container_name(c), "Image", json_get_str(config, "Image", ""), "ImageID",
                                json_get_str(doc, "Image", ""), "Command", command, "Created",
                                (json_int_t) created.tv_sec, "Ports", "Labels", labels ? labels : json_object(),
                                "State", container_status_to_string(c->status), "Status", status, "HostConfig",
                                "NetworkMode",
                                json_get_str(json_object_get(doc, "HostConfig"), "NetworkMode", "default"),
                                "NetworkSettings", "Networks",
                                json_object_get(json_object_get(doc, "NetworkSettings"), "Networks"), "Mounts");
        /* pouch's own: rich containers are marked (docker clients ignore the extra fields) */
        if (sum)
                json_object_set_new(sum, "Ports", summary_ports(doc));
        if (sum && rich_enabled(hc)) {
                json_t *shc = json_object_get(sum, "HostConfig");
                json_object_set_new(shc, "Rich", json_true());
                json_object_set_new(shc, "RichMode",
                                    json_string(rich_mode_to_string(
                                            rich_mode_from_string(json_get_str(hc, "RichMode", "")))));
        }
        return sum;
}

enum MHD_Result api_container_list(struct http_req *r)
{
        struct pouch_err err = { 0 };
        _cleanup_filters_ struct filters *f = NULL;
        struct container_filter cf;
        if (http_filters(r, container_list_filter_keys, &f, &err) < 0 ||
            container_filter_prepare(r->d, f, &cf, &err) < 0)
                return http_error(r, &err);
        /* like dockerd: a status, before or since filter also lists stopped containers */
        bool all_implied = filters_has(f, "status") || cf.before_ns || cf.since_ns;
        bool all = http_query_bool(r, "all", false);
        int64_t limit = http_query_int(r, "limit", -1);
        json_t *out = json_array();
        pthread_mutex_lock(&r->d->lock);
        /* newest first, like docker */
        size_t n = 0;
        for (struct container *c = r->d->containers; c; c = c->next)
                n++;
        struct container **v = calloc(n + 1, sizeof(*v));
        size_t k = 0;
        for (struct container *c = r->d->containers; c; c = c->next)
                v[k++] = c;
        for (size_t i = 0; i < k; i++)
                for (size_t j = i + 1; j < k; j++)
                        if (strcmp(json_get_str(v[j]->doc, "Created", ""), json_get_str(v[i]->doc, "Created", "")) >
                            0) {
                                struct container *t = v[i];
                                v[i] = v[j];
                                v[j] = t;
                        }
        for (size_t i = 0; i < k; i++) {
                struct container *c = v[i];
                if (!all && !all_implied && c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED &&
                    c->status != CONTAINER_RESTARTING)
                        continue;
                if (!container_filter_match_locked(&cf, c))
                        continue;
                if (limit > 0 && (int64_t) json_array_size(out) >= limit)
                        break;
                json_array_append_new(out, api_container_summary_locked(r->d, c));
        }
        pthread_mutex_unlock(&r->d->lock);
        free(v);
        container_filter_done(&cf);
        return http_json(r, 200, out);
}

enum MHD_Result api_container_inspect(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        pthread_mutex_lock(&r->d->lock);
        json_t *doc = json_deep_copy(c->doc);
        bool running = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
        pthread_mutex_unlock(&r->d->lock);
        json_object_del(doc, "HasBeenManuallyStopped");
        json_object_del(doc, "RichCommandGiven");
        json_object_del(doc, HEALTH_DETAIL_KEY);
        json_t *hc = json_object_get(doc, "HostConfig");
        if (rich_enabled(hc)) {
                /* pouch's own: the rich mode, and pouch-init's view of its services while it runs */
                _cleanup_free_ char *state_dir = container_dir(r->d, c->id, "rich");
                json_t *st = running ? rich_status_read(state_dir) : NULL;
                json_object_set_new(doc, "Rich",
                                    json_pack("{s:s,s:o}", "Mode",
                                              rich_mode_to_string(
                                                      rich_mode_from_string(json_get_str(hc, "RichMode", ""))),
                                              "Status", st ? st : json_null()));
        }
        container_quota_inspect(r->d, c->id, doc);
        container_put(r->d, c);
        return http_json(r, 200, doc);
}

enum MHD_Result api_container_start(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_start(r->d, c, &err);
        if (rc < 0 && rc != -EALREADY) {
                /* like dockerd: a container that fails to start is removed when AutoRemove is set */
                pthread_mutex_lock(&r->d->lock);
                bool auto_remove = json_get_bool(json_object_get(c->doc, "HostConfig"), "AutoRemove", false);
                pthread_mutex_unlock(&r->d->lock);
                if (auto_remove)
                        container_remove(r->d, c, true, true, NULL);
        }
        container_put(r->d, c);
        if (rc == -EALREADY)
                return http_empty(r, 304);
        if (rc < 0)
                return http_error(r, &err);
        return http_empty(r, 204);
}

static int query_timeout(struct http_req *r)
{
        const char *t = http_query(r, "t");
        return t && *t ? atoi(t) : -1;
}

enum MHD_Result api_container_stop(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        pthread_mutex_lock(&r->d->lock);
        /* a container between policy restarts (or in the middle of one) is stopped for good */
        bool running = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED ||
                       c->status == CONTAINER_RESTARTING || c->restart_pending;
        pthread_mutex_unlock(&r->d->lock);
        if (!running) {
                container_put(r->d, c);
                return http_empty(r, 304);
        }
        struct pouch_err err = { 0 };
        int rc = container_stop(r->d, c, query_timeout(r), &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

enum MHD_Result api_container_restart(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_restart(r->d, c, query_timeout(r), &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

enum MHD_Result api_container_kill(struct http_req *r)
{
        const char *s = http_query(r, "signal");
        int sig = s && *s ? signal_from_string(s) : SIGKILL;
        if (sig <= 0)
                return http_errorf(r, 400, "Invalid signal: %s", s);
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_kill(r->d, c, sig, &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

static enum MHD_Result pause_common(struct http_req *r, bool pause)
{
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_pause(r->d, c, pause, &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

enum MHD_Result api_container_pause(struct http_req *r)
{
        return pause_common(r, true);
}

enum MHD_Result api_container_unpause(struct http_req *r)
{
        return pause_common(r, false);
}

enum MHD_Result api_container_rename(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_rename(r->d, c, http_query(r, "name"), &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

enum MHD_Result api_container_delete(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        struct pouch_err err = { 0 };
        int rc = container_remove(r->d, c, http_query_bool(r, "force", false), http_query_bool(r, "v", false), &err);
        container_put(r->d, c);
        return rc < 0 ? http_error(r, &err) : http_empty(r, 204);
}

/* ---- wait ---------------------------------------------------------------------------------- */

enum wait_cond { WAIT_NOT_RUNNING, WAIT_NEXT_EXIT, WAIT_REMOVED };

struct wait_job {
        struct pouchd *d;
        struct container *c;
        enum wait_cond cond;
        uint64_t gen;
};

static bool wait_done(struct container *c, void *ud)
{
        struct wait_job *j = ud;
        switch (j->cond) {
        case WAIT_REMOVED:
                return c->removed;
        case WAIT_NEXT_EXIT:
                return c->removed || c->exit_generation != j->gen;
        default:
                return c->removed || (c->status != CONTAINER_RUNNING && c->status != CONTAINER_PAUSED &&
                                      c->status != CONTAINER_RESTARTING && !c->restart_pending);
        }
}

static void wait_worker(void *p, int fd)
{
        struct wait_job *j = p;
        struct pouchd *d = j->d;
        pthread_mutex_lock(&d->lock);
        for (;;) {
                struct timespec now = now_realtime();
                if (container_wait_locked(d, wait_done, j->c, j, timespec_to_ns(&now) + 1000000000LL))
                        break;
                if (http_stream_client_gone(fd)) {
                        pthread_mutex_unlock(&d->lock);
                        return;
                }
        }
        int code = (int) json_get_int(json_object_get(j->c->doc, "State"), "ExitCode", 0);
        const char *error = json_get_str(json_object_get(j->c->doc, "State"), "Error", "");
        json_t *msg = *error ? json_pack("{s:o}", "Message", json_string_utf8(error)) : json_null();
        json_t *resp = json_pack("{s:o,s:i}", "Error", msg, "StatusCode", code);
        pthread_mutex_unlock(&d->lock);
        _cleanup_free_ char *s = json_dumps(resp, JSON_COMPACT);
        json_decref(resp);
        if (s) {
                size_t n = strlen(s);
                s[n] = '\n';
                write_all(fd, s, n + 1);
        }
}

static void wait_free(void *p)
{
        struct wait_job *j = p;
        container_put(j->d, j->c);
        free(j);
}

enum MHD_Result api_container_wait(struct http_req *r)
{
        const char *cond = http_query(r, "condition");
        enum wait_cond wc = WAIT_NOT_RUNNING;
        if (cond && strcmp(cond, "next-exit") == 0)
                wc = WAIT_NEXT_EXIT;
        else if (cond && strcmp(cond, "removed") == 0)
                wc = WAIT_REMOVED;
        else if (cond && *cond && strcmp(cond, "not-running") != 0)
                return http_errorf(r, 400, "invalid condition: \"%s\"", cond);
        WITH_CONTAINER(r, c);
        struct wait_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->c = c;
        j->cond = wc;
        pthread_mutex_lock(&r->d->lock);
        j->gen = c->exit_generation;
        pthread_mutex_unlock(&r->d->lock);
        return http_stream(r, 200, "application/json", wait_worker, j, wait_free);
}

/* ---- resize / top ------------------------------------------------------------------------ */

int api_shim_request(struct pouchd *d, const char *id, const char *sock_name, const char *line, char *reply,
                     size_t reply_len)
{
        _cleanup_free_ char *path = container_run_dir(d, id, sock_name);
        if (!path)
                return -ENOMEM;
        _cleanup_close_ int fd = unix_connect(path);
        if (fd < 0)
                return fd;
        int r = write_all(fd, line, strlen(line));
        if (r < 0)
                return r;
        ssize_t n = read(fd, reply, reply_len - 1);
        if (n < 0)
                return -errno;
        reply[n] = '\0';
        return strncmp(reply, "OK", 2) == 0 ? 0 : -EIO;
}

/* h or w of a resize: absent is 0; else a number a winsize holds. */
static int query_dim(struct http_req *r, const char *key, unsigned *ret, struct pouch_err *err)
{
        const char *v = http_query(r, key);
        if (!v || !*v) {
                *ret = 0;
                return 0;
        }
        char *end;
        errno = 0;
        long x = strtol(v, &end, 10);
        if (errno || *end || x < 0 || x > 65535)
                return err_set(err, -EINVAL, "invalid %s for resize: \"%s\" (0 to 65535 expected)", key, v);
        *ret = (unsigned) x;
        return 0;
}

int api_resize(struct http_req *r, const char *id, const char *sock_name, struct pouch_err *err)
{
        unsigned h, w;
        int rc = query_dim(r, "h", &h, err);
        if (rc < 0 || (rc = query_dim(r, "w", &w, err)) < 0)
                return rc;
        char line[64], reply[128];
        snprintf(line, sizeof(line), "RESIZE %u %u\n", h, w);
        rc = api_shim_request(r->d, id, sock_name, line, reply, sizeof(reply));
        /* the shim's side failing is ours (500), whatever its errno */
        if (rc < 0)
                return err_set(err, -EIO, "cannot resize: %s", rc == -EIO ? reply : strerror(-rc));
        return 0;
}

enum MHD_Result api_container_resize(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        pthread_mutex_lock(&r->d->lock);
        bool running = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
        bool tty = json_get_bool(json_object_get(c->doc, "Config"), "Tty", false);
        pthread_mutex_unlock(&r->d->lock);
        struct pouch_err err = { 0 };
        int rc = !running ? err_set(&err, -EBUSY, "Container %.12s is not running", r->params[0])
                 : !tty   ? err_set(&err, -ENOTTY, "Container %.12s has no tty to resize", c->id)
                          : api_resize(r, c->id, "attach.sock", &err);
        container_put(r->d, c);
        if (rc < 0)
                return http_error(r, &err);
        return http_empty(r, 200);
}

static const char *strip_space(char *s)
{
        while (isspace((unsigned char) *s))
                s++;
        size_t n = strlen(s);
        while (n > 0 && isspace((unsigned char) s[n - 1]))
                s[--n] = '\0';
        return s;
}

enum MHD_Result api_container_top(struct http_req *r)
{
        WITH_CONTAINER(r, c);
        pthread_mutex_lock(&r->d->lock);
        bool running = c->status == CONTAINER_RUNNING || c->status == CONTAINER_PAUSED;
        pthread_mutex_unlock(&r->d->lock);
        if (!running) {
                container_put(r->d, c);
                return http_errorf(r, 409, "Container %.12s is not running", r->params[0]);
        }
        struct pouch_err err = { 0 };
        pid_t *pids = NULL;
        size_t npids = 0;
        int rc = runtime_pids(&r->d->runtime, c->id, &pids, &npids, &err);
        container_put(r->d, c);
        if (rc < 0)
                return http_error(r, &err);
        const char *ps_args = http_query(r, "ps_args");
        char *argv[32];
        int n = 0;
        argv[n++] = "ps";
        _cleanup_free_ char *args_copy = strdup(ps_args && *ps_args ? ps_args : "-ef");
        for (char *save = NULL, *tok = strtok_r(args_copy, " ", &save); tok && n < 30; tok = strtok_r(NULL, " ", &save))
                argv[n++] = tok;
        argv[n] = NULL;
        struct spawn_result res = { 0 };
        rc = spawn_capture(argv, NULL, NULL, 0, &res);
        if (rc < 0 || res.status != 0) {
                free(pids);
                /* ps refusing its arguments is the client's mistake: docker's 400 with ps's message */
                if (rc < 0)
                        err_set(&err, -EIO, "cannot run ps: %s", strerror(-rc));
                else
                        err_set(&err, -EINVAL, "ps: %s", strip_space(res.err ? res.err : ""));
                spawn_result_done(&res);
                return http_error(r, &err);
        }
        json_t *titles = json_array(), *procs = json_array();
        int pid_col = -1, ncols = 0;
        char *save_line = NULL;
        for (char *line = strtok_r(res.out, "\n", &save_line); line; line = strtok_r(NULL, "\n", &save_line)) {
                if (ncols == 0) {
                        char *save = NULL;
                        for (char *tok = strtok_r(line, " \t", &save); tok; tok = strtok_r(NULL, " \t", &save)) {
                                if (strcmp(tok, "PID") == 0)
                                        pid_col = ncols;
                                json_array_append_new(titles, json_string_utf8(tok));
                                ncols++;
                        }
                        if (pid_col < 0)
                                break;
                        continue;
                }
                /* split into ncols fields; the last takes the rest of the line (the command) */
                json_t *row = json_array();
                char *p = line;
                for (int col = 0; col < ncols; col++) {
                        while (*p == ' ' || *p == '\t')
                                p++;
                        if (col == ncols - 1) {
                                /* a process can name itself with any bytes */
                                json_array_append_new(row, json_string_utf8(p));
                                break;
                        }
                        char *end = p + strcspn(p, " \t");
                        json_array_append_new(row, json_stringn_utf8(p, (size_t) (end - p)));
                        p = *end ? end + 1 : end;
                }
                pid_t pid = (pid_t) atoi(json_string_value(json_array_get(row, (size_t) pid_col)) ?: "0");
                bool mine = false;
                for (size_t i = 0; i < npids; i++)
                        mine |= pids[i] == pid;
                if (mine)
                        json_array_append_new(procs, row);
                else
                        json_decref(row);
        }
        free(pids);
        spawn_result_done(&res);
        if (pid_col < 0) {
                json_decref(titles);
                json_decref(procs);
                return http_errorf(r, 500, "Couldn't find PID field in ps output");
        }
        return http_json(r, 200, json_pack("{s:o,s:o}", "Titles", titles, "Processes", procs));
}
