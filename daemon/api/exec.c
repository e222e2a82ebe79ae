/* Exec: create, start (hijacked or detached), inspect, resize. */
#include "api.h"

#include "runtime-wrap/spec.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/spawn.h"
#include "lib/util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

/* Finished execs are kept for inspection; prune the oldest beyond this many. */
#define EXEC_KEEP 256

static struct exec_rec *exec_find_locked(struct pouchd *d, const char *id)
{
        size_t n = strlen(id);
        struct exec_rec *found = NULL;
        for (struct exec_rec *e = d->execs; e; e = e->next) {
                if (strcmp(e->id, id) == 0)
                        return e;
                if (n >= 4 && strncmp(e->id, id, n) == 0)
                        found = e;
        }
        return found;
}

static void exec_prune_locked(struct pouchd *d)
{
        size_t n = 0;
        for (struct exec_rec **p = &d->execs; *p;) {
                if (++n > EXEC_KEEP && (*p)->exited) {
                        struct exec_rec *e = *p;
                        *p = e->next;
                        json_decref(e->config);
                        free(e->error);
                        free(e);
                        continue;
                }
                p = &(*p)->next;
        }
}

enum MHD_Result api_exec_create(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, false, &res);
        if (!body)
                return res;
        json_t *cmd = json_object_get(body, "Cmd");
        if (!json_is_array(cmd) || json_array_size(cmd) == 0)
                return http_errorf(r, 400, "No exec command specified");
        struct container *c = NULL;
        struct pouch_err err = { 0 };
        if (container_get(r->d, r->params[0], &c, &err) < 0)
                return http_error(r, &err);
        pthread_mutex_lock(&r->d->lock);
        enum container_status s = c->status;
        pthread_mutex_unlock(&r->d->lock);
        if (s == CONTAINER_PAUSED) {
                container_put(r->d, c);
                return http_errorf(r, 409, "Container %s is paused, unpause the container before exec", c->id);
        }
        if (s != CONTAINER_RUNNING) {
                container_put(r->d, c);
                return http_errorf(r, 409, "Container %s is not running", c->id);
        }
        struct exec_rec *e = calloc(1, sizeof(*e));
        random_hex_id(e->id);
        snprintf(e->container_id, sizeof(e->container_id), "%s", c->id);
        e->config = json_incref(body);
        struct timespec now = now_realtime();
        e->created_ns = timespec_to_ns(&now);
        pthread_mutex_lock(&r->d->lock);
        e->next = r->d->execs;
        r->d->execs = e;
        json_t *ids = json_object_get(c->doc, "ExecIDs");
        if (!json_is_array(ids)) {
                ids = json_array();
                json_object_set_new(c->doc, "ExecIDs", ids);
        }
        json_array_append_new(ids, json_string(e->id));
        exec_prune_locked(r->d);
        pthread_mutex_unlock(&r->d->lock);
        container_put(r->d, c);
        return http_json(r, 201, json_pack("{s:s}", "Id", e->id));
}

struct exec_job {
        struct pouchd *d;
        char exec_id[65];
        char container_id[65];
        json_t *config;
        bool tty;
};

static void exec_job_free(void *p)
{
        struct exec_job *j = p;
        json_decref(j->config);
        free(j);
}

/* The exec's end: its exit code, and for one that could not start, why (err, else NULL). */
static void exec_finish(struct pouchd *d, const char *exec_id, int code, const struct pouch_err *err)
{
        pthread_mutex_lock(&d->lock);
        struct exec_rec *e = exec_find_locked(d, exec_id);
        if (e && !e->exited) { /* the first report wins */
                e->running = false;
                e->exited = true;
                e->exit_code = code;
                if (err && err->code) {
                        e->error = strdup(err->msg);
                        e->error_code = err->code;
                }
        }
        pthread_cond_broadcast(&d->changed);
        pthread_mutex_unlock(&d->lock);
}

/* Runs the exec through `pouch-shim exec`; stream_fd is the client connection or -1. */
static int exec_run(struct exec_job *j, int stream_fd, struct pouch_err *err)
{
        struct pouchd *d = j->d;
        _cleanup_free_ char *spec_path = container_dir(d, j->container_id, "config.json");
        _cleanup_free_ char *rootfs = container_dir(d, j->container_id, "rootfs");
        _cleanup_free_ char *run = container_run_dir(d, j->container_id, NULL);
        _cleanup_free_ char *proc_path = NULL;
        char short_id[13];
        snprintf(short_id, sizeof(short_id), "%.12s", j->exec_id);
        if (!spec_path || !rootfs || !run || asprintf(&proc_path, "%s/exec-%s.json", run, short_id) < 0)
                return err_set(err, -ENOMEM, "out of memory");
        _cleanup_json_ json_t *spec = NULL;
        int r = json_read_file(spec_path, &spec, NULL, 0);
        if (r < 0)
                return err_set(err, r, "cannot read the container's spec: %s", strerror(-r));
        _cleanup_json_ json_t *process = NULL;
        r = spec_build_exec_process(spec, j->config, rootfs, &process, err);
        if (r < 0)
                return r;
        r = json_write_file_atomic(proc_path, process);
        if (r < 0)
                return err_set(err, r, "cannot write %s: %s", proc_path, strerror(-r));
        bool open_stdin = json_get_bool(j->config, "AttachStdin", false) && stream_fd >= 0;
        char *argv[32];
        int n = 0;
        argv[n++] = d->shim_path;
        argv[n++] = "exec";
        argv[n++] = "--id";
        argv[n++] = j->container_id;
        argv[n++] = "--exec-id";
        argv[n++] = short_id;
        argv[n++] = "--runtime";
        argv[n++] = d->runtime.path;
        argv[n++] = "--runtime-root";
        argv[n++] = d->runtime.root;
        argv[n++] = "--state-dir";
        argv[n++] = run;
        argv[n++] = "--process";
        argv[n++] = proc_path;
        if (j->tty)
                argv[n++] = "--tty";
        if (open_stdin)
                argv[n++] = "--stdin";
        if (stream_fd >= 0) {
                argv[n++] = "--stream-fd";
                argv[n++] = "4";
        }
        argv[n++] = "--sync-fd";
        argv[n++] = "3";
        argv[n] = NULL;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0)
                return err_set(err, -errno, "pipe: %m");
        int child_fds[2] = { p[1], stream_fd };
        pid_t pid = spawn_with_fds(argv, child_fds, stream_fd >= 0 ? 2 : 1);
        if (pid < 0) {
                close(p[0]);
                close(p[1]);
                return err_set(err, pid, "cannot start pouch-shim: %s", strerror(-pid));
        }
        close(p[1]);
        char line[4096];
        ssize_t got = read_full(p[0], line, sizeof(line) - 1);
        close(p[0]);
        line[got > 0 ? got : 0] = '\0';
        _cleanup_json_ json_t *rep = json_loads(line, JSON_DISABLE_EOF_CHECK, NULL);
        if (rep && json_get_int(rep, "pid", 0) > 0) {
                pthread_mutex_lock(&d->lock);
                struct exec_rec *e = exec_find_locked(d, j->exec_id);
                if (e) {
                        e->pid = (pid_t) json_get_int(rep, "pid", 0);
                        e->running = true;
                }
                pthread_cond_broadcast(&d->changed);
                pthread_mutex_unlock(&d->lock);
        }
        int status;
        while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
                ;
        int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        unlink(proc_path);
        if (!rep || json_get_str(rep, "error", NULL)) {
                const char *msg = rep ? json_get_str(rep, "error", "") : "exec shim did not report";
                /* as docker: a missing (127) or non-executable (126) program is the request's fault */
                bool missing = strstr(msg, "not found") || strstr(msg, "no such file");
                bool denied = strstr(msg, "permission denied");
                int rc = err_set(err, missing || denied ? -EINVAL : -EIO, "OCI runtime exec failed: %s", msg);
                exec_finish(d, j->exec_id, missing ? 127 : 126, err);
                return rc;
        }
        exec_finish(d, j->exec_id, code, NULL);
        return 0;
}

/* After an error written to a client that may still be sending (docker exec -it forwards the
 * terminal's input): closing with unread input would reset the connection and the client would
 * lose the message and the exit code. Say EOF, then read what comes until the client closes. */
static void close_gracefully(int sock)
{
        if (shutdown(sock, SHUT_WR) < 0)
                return;
        char buf[4096];
        for (int i = 0; i < 50; i++) { /* at most ~5 s */
                struct pollfd pfd = { .fd = sock, .events = POLLIN };
                int n = poll(&pfd, 1, 100);
                if (n < 0 && errno != EINTR)
                        return;
                if (n > 0 && read(sock, buf, sizeof(buf)) <= 0)
                        return;
        }
}

static void exec_hijacked(void *p, int sock, const char *extra, size_t extra_len)
{
        (void) extra;
        (void) extra_len;
        struct exec_job *j = p;
        struct pouch_err err = { 0 };
        if (exec_run(j, sock, &err) < 0) {
                log_warn("exec %.12s in container %.12s: %s", j->exec_id, j->container_id, err.msg);
                exec_finish(j->d, j->exec_id, 126, &err);
                /* the hijacked stream is already open: report on it like docker, on stderr */
                char buf[sizeof(err.msg) + 8];
                int len = snprintf(buf, sizeof(buf), "%s\r\n", err.msg);
                if (j->tty)
                        write_all(sock, buf, (size_t) len);
                else
                        write_frame(sock, 2, buf, (size_t) len);
                close_gracefully(sock);
        }
}

static void *exec_detached_thread(void *p)
{
        struct exec_job *j = p;
        struct pouch_err err = { 0 };
        if (exec_run(j, -1, &err) < 0) {
                log_warn("detached exec %.12s in container %.12s: %s", j->exec_id, j->container_id, err.msg);
                exec_finish(j->d, j->exec_id, 126, &err);
        }
        exec_job_free(j);
        return NULL;
}

/* A detached exec: wait until its process runs or it failed to start, so the client hears of a
 * program that is missing (docker answers the start request with the runtime's message). */
static int exec_wait_started(struct pouchd *d, const char *exec_id, struct pouch_err *err)
{
        struct timespec now = now_realtime();
        struct timespec until = { .tv_sec = now.tv_sec + 60, .tv_nsec = now.tv_nsec };
        int r = 0;
        pthread_mutex_lock(&d->lock);
        for (;;) {
                struct exec_rec *e = exec_find_locked(d, exec_id);
                if (!e || e->running || (e->exited && !e->error))
                        break;
                if (e->exited) {
                        r = err_set(err, e->error_code, "%s", e->error);
                        break;
                }
                if (pthread_cond_timedwait(&d->changed, &d->lock, &until) == ETIMEDOUT)
                        break; /* still starting: answer, it goes on in the background */
        }
        pthread_mutex_unlock(&d->lock);
        return r;
}

enum MHD_Result api_exec_start(struct http_req *r)
{
        enum MHD_Result res;
        _cleanup_json_ json_t *body = http_body_json(r, true, &res);
        if (!body)
                return res;
        struct exec_job *j = calloc(1, sizeof(*j));
        j->d = r->d;
        pthread_mutex_lock(&r->d->lock);
        struct exec_rec *e = exec_find_locked(r->d, r->params[0]);
        bool already = e && e->started;
        if (e && !already) {
                e->started = true;
                snprintf(j->exec_id, sizeof(j->exec_id), "%s", e->id);
                snprintf(j->container_id, sizeof(j->container_id), "%s", e->container_id);
                j->config = json_incref(e->config);
                j->tty = json_get_bool(e->config, "Tty", false) || json_get_bool(body, "Tty", false);
                e->tty = j->tty;
        }
        pthread_mutex_unlock(&r->d->lock);
        if (!e) {
                free(j);
                return http_errorf(r, 404, "No such exec instance: %s", r->params[0]);
        }
        if (already) {
                free(j);
                return http_errorf(r, 409, "Exec %s is already running", r->params[0]);
        }
        if (json_get_bool(body, "Detach", false)) {
                pthread_t t;
                pthread_attr_t attr;
                pthread_attr_init(&attr);
                pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
                char exec_id[65];
                snprintf(exec_id, sizeof(exec_id), "%s", j->exec_id);
                struct pouch_err err = { 0 };
                int rc = pthread_create(&t, &attr, exec_detached_thread, j);
                pthread_attr_destroy(&attr);
                if (rc != 0) {
                        exec_job_free(j);
                        err_set(&err, -rc, "cannot start a thread for the exec: %s", strerror(rc));
                        exec_finish(r->d, exec_id, 126, &err);
                        return http_error(r, &err);
                }
                if (exec_wait_started(r->d, exec_id, &err) < 0)
                        return http_error(r, &err);
                return http_empty(r, 200);
        }
        return http_hijack(r, "application/vnd.docker.raw-stream", exec_hijacked, j, exec_job_free);
}

enum MHD_Result api_exec_inspect(struct http_req *r)
{
        pthread_mutex_lock(&r->d->lock);
        struct exec_rec *e = exec_find_locked(r->d, r->params[0]);
        json_t *j = NULL;
        if (e) {
                json_t *cmd = json_object_get(e->config, "Cmd");
                json_t *args = json_array();
                for (size_t i = 1; i < json_array_size(cmd); i++)
                        json_array_append(args, json_array_get(cmd, i));
                j = json_pack("{s:s,s:b,s:o,s:{s:b,s:O,s:o,s:b,s:s},s:b,s:b,s:b,s:b,s:s,s:s,s:i}", "ID", e->id,
                              "Running", e->running, "ExitCode", e->exited ? json_integer(e->exit_code) : json_null(),
                              "ProcessConfig", "tty", json_get_bool(e->config, "Tty", false), "entrypoint",
                              json_array_get(cmd, 0), "arguments", args, "privileged",
                              json_get_bool(e->config, "Privileged", false), "user",
                              json_get_str(e->config, "User", ""), "OpenStdin",
                              json_get_bool(e->config, "AttachStdin", false), "OpenStderr",
                              json_get_bool(e->config, "AttachStderr", false), "OpenStdout",
                              json_get_bool(e->config, "AttachStdout", false), "CanRemove", 0, "ContainerID",
                              e->container_id, "DetachKeys", "", "Pid", (int) e->pid);
        }
        pthread_mutex_unlock(&r->d->lock);
        if (!j)
                return http_errorf(r, 404, "No such exec instance: %s", r->params[0]);
        return http_json(r, 200, j);
}

enum MHD_Result api_exec_resize(struct http_req *r)
{
        pthread_mutex_lock(&r->d->lock);
        struct exec_rec *e = exec_find_locked(r->d, r->params[0]);
        char cid[65] = "", sock[64] = "";
        bool running = e && e->running, tty = e && e->tty;
        if (e) {
                snprintf(cid, sizeof(cid), "%s", e->container_id);
                snprintf(sock, sizeof(sock), "exec-%.12s.sock", e->id);
        }
        pthread_mutex_unlock(&r->d->lock);
        struct pouch_err err = { 0 };
        if (!e)
                err_set(&err, -ENOENT, "No such exec instance: %s", r->params[0]);
        else if (!running)
                err_set(&err, -EBUSY, "Exec %.12s is not running", r->params[0]);
        else if (!tty)
                err_set(&err, -ENOTTY, "Exec %.12s has no tty to resize", r->params[0]);
        if (err.code)
                return http_error(r, &err);
        if (api_resize(r, cid, sock, &err) < 0)
                return http_error(r, &err);
        return http_empty(r, 200);
}
