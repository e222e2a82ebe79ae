/* POST /containers/{id}/attach (hijacked) and GET /containers/{id}/logs. */
#include "api.h"

#include "daemon/logs/logs-reader.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct attach_job {
        struct pouchd *d;
        struct container *c;
        bool in, out, err;
};

static void attach_free(void *p)
{
        struct attach_job *j = p;
        container_put(j->d, j->c);
        free(j);
}

/* Hand the client's connection to the shim, which streams to it until the container exits;
 * keep our copy open until the shim says it is done (EOF on the control connection). */
static bool shim_ready_or_gone(struct container *c, void *ud)
{
        (void) ud;
        return c->shim_ready || c->removed || c->status == CONTAINER_EXITED || c->status == CONTAINER_DEAD;
}

static void attach_handler(void *p, int sock, const char *extra, size_t extra_len)
{
        struct attach_job *j = p;
        struct pouchd *d = j->d;
        (void) extra;
        (void) extra_len;
        /* Attach comes before start in docker's run flow: wait for the shim, and let start
         * wait for us (attach_waiting) so no early output is missed. */
        pthread_mutex_lock(&d->lock);
        j->c->attach_waiting++;
        for (;;) {
                struct timespec now = now_realtime();
                if (container_wait_locked(d, shim_ready_or_gone, j->c, NULL, timespec_to_ns(&now) + 1000000000LL))
                        break;
                struct pollfd pf = { .fd = sock, .events = POLLRDHUP };
                if (poll(&pf, 1, 0) > 0 && (pf.revents & (POLLHUP | POLLERR)))
                        break;
        }
        bool ready = j->c->shim_ready;
        pthread_mutex_unlock(&d->lock);
        _cleanup_free_ char *path = container_run_dir(j->d, j->c->id, "attach.sock");
        int ctl = ready && path ? unix_connect(path) : -ENOENT;
        if (ctl >= 0) {
                char line[128];
                snprintf(line, sizeof(line), "ATTACH stdin=%d stdout=%d stderr=%d\n", j->in, j->out, j->err);
                char ok[64];
                if (unix_send_fd(ctl, sock, line, strlen(line)) < 0 || read(ctl, ok, sizeof(ok)) <= 0) {
                        close(ctl);
                        ctl = -EIO;
                }
        }
        pthread_mutex_lock(&d->lock);
        j->c->attach_waiting--;
        pthread_cond_broadcast(&d->changed);
        pthread_mutex_unlock(&d->lock);
        if (ctl < 0) {
                log_debug("attach %.12s: shim not reachable: %s", j->c->id, strerror(-ctl));
                return;
        }
        char buf[256];
        for (;;) {
                ssize_t n = read(ctl, buf, sizeof(buf));
                if (n <= 0 && !(n < 0 && errno == EINTR))
                        break;
        }
        close(ctl);
}

enum MHD_Result api_container_attach(struct http_req *r)
{
        struct container *c = NULL;
        struct pouch_err err = { 0 };
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        pthread_mutex_lock(&r->d->lock);
        enum container_status s = c->status;
        pthread_mutex_unlock(&r->d->lock);
        if (s != CONTAINER_RUNNING && s != CONTAINER_PAUSED && s != CONTAINER_CREATED && s != CONTAINER_RESTARTING) {
                container_put(r->d, c);
                return http_errorf(r, 409, "You cannot attach to a stopped container, start it first");
        }
        struct attach_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->c = c;
        j->in = http_query_bool(r, "stdin", false);
        j->out = http_query_bool(r, "stdout", false);
        j->err = http_query_bool(r, "stderr", false);
        return http_hijack(r, "application/vnd.docker.raw-stream", attach_handler, j, attach_free);
}

/* ---- logs ---------------------------------------------------------------------------------- */

struct logs_job {
        struct pouchd *d;
        struct container *c;
        char *path;
        struct logs_options o;
};

static bool logs_running(void *ud)
{
        struct logs_job *j = ud;
        pthread_mutex_lock(&j->d->lock);
        bool running = !j->c->removed && (j->c->status == CONTAINER_RUNNING || j->c->status == CONTAINER_PAUSED ||
                                          j->c->status == CONTAINER_RESTARTING || j->c->restart_pending);
        pthread_mutex_unlock(&j->d->lock);
        return running;
}

static void logs_worker(void *p, int fd)
{
        struct logs_job *j = p;
        int r = logs_stream(j->path, &j->o, fd, logs_running, j);
        if (r < 0 && r != -EPIPE && r != -ENOENT)
                log_debug_errno(r, "logs of %.12s", j->c->id);
}

static void logs_free(void *p)
{
        struct logs_job *j = p;
        container_put(j->d, j->c);
        free(j->path);
        free(j);
}

enum MHD_Result api_container_logs(struct http_req *r)
{
        struct container *c = NULL;
        struct pouch_err err = { 0 };
        /* 0 (docker's default for since) and absent mean unbounded */
        int64_t since = 0, until = 0;
        if (http_query_time(r, "since", &since, &err) < 0 || http_query_time(r, "until", &until, &err) < 0)
                return http_error(r, &err);
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        struct logs_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        j->c = c;
        pthread_mutex_lock(&r->d->lock);
        j->path = strdup(json_get_str(c->doc, "LogPath", ""));
        j->o.tty = json_get_bool(json_object_get(c->doc, "Config"), "Tty", false);
        pthread_mutex_unlock(&r->d->lock);
        j->o.stdout_ = http_query_bool(r, "stdout", false);
        j->o.stderr_ = http_query_bool(r, "stderr", false);
        if (!j->o.stdout_ && !j->o.stderr_) {
                logs_free(j);
                return http_errorf(r, 400, "Bad parameters: you must choose at least one stream");
        }
        j->o.follow = http_query_bool(r, "follow", false);
        j->o.timestamps = http_query_bool(r, "timestamps", false);
        const char *tail = http_query(r, "tail");
        j->o.tail = (!tail || !*tail || strcmp(tail, "all") == 0) ? -1 : atoll(tail);
        j->o.since_ns = since;
        j->o.until_ns = until;
        return http_stream(r, 200, NULL, logs_worker, j, logs_free);
}
