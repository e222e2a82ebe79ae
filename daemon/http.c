#include "http.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/utf8.h"
#include "lib/timearg.h"
#include "lib/util.h"

#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

void http_add_std_headers(struct MHD_Response *resp)
{
        MHD_add_response_header(resp, "Api-Version", API_VERSION);
        MHD_add_response_header(resp, "Docker-Experimental", "false");
        MHD_add_response_header(resp, "Ostype", "linux");
        MHD_add_response_header(resp, "Server", "pouch/" POUCH_VERSION " (linux)");
}

const char *http_query(struct http_req *r, const char *key)
{
        return MHD_lookup_connection_value(r->conn, MHD_GET_ARGUMENT_KIND, key);
}

bool http_query_bool(struct http_req *r, const char *key, bool def)
{
        const char *v = http_query(r, key);
        if (!v)
                return def;
        return strcmp(v, "1") == 0 || strcasecmp(v, "true") == 0 || (*v == '\0' && true);
}

int64_t http_query_int(struct http_req *r, const char *key, int64_t def)
{
        const char *v = http_query(r, key);
        if (!v || !*v)
                return def;
        char *end;
        long long x = strtoll(v, &end, 10);
        return *end ? def : x;
}

int http_query_time(struct http_req *r, const char *key, int64_t *ret_ns, struct pouch_err *err)
{
        const char *v = http_query(r, key);
        if (!v || !*v)
                return 0;
        struct timespec now = now_realtime();
        if (parse_time_arg(v, timespec_to_ns(&now), ret_ns) < 0)
                return err_set(err, -EINVAL,
                               "invalid value for %s: \"%s\" (want unix seconds, RFC 3339 or a duration like 10m)", key,
                               v);
        return 1;
}

static enum MHD_Result queue(struct http_req *r, unsigned status, struct MHD_Response *resp)
{
        http_add_std_headers(resp);
        enum MHD_Result ret = MHD_queue_response(r->conn, status, resp);
        MHD_destroy_response(resp);
        return ret;
}

/* What a client gets when its answer cannot be encoded (a handler's json_pack failed, or memory
 * ran out): a plain 500 rather than a dropped connection. */
static enum MHD_Result json_encode_failed(struct http_req *r)
{
        static const char body[] = "{\"message\":\"internal error: the response could not be encoded\"}\n";
        log_error("%s %s: the response could not be encoded", r->method, r->path);
        struct MHD_Response *resp = MHD_create_response_from_buffer(sizeof(body) - 1, (void *) body,
                                                                    MHD_RESPMEM_PERSISTENT);
        if (!resp)
                return MHD_NO;
        MHD_add_response_header(resp, "Content-Type", "application/json");
        return queue(r, 500, resp);
}

enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *j)
{
        char *s = j ? json_dumps(j, JSON_COMPACT) : NULL;
        json_decref(j);
        if (!s)
                return json_encode_failed(r);
        size_t n = strlen(s);
        char *t = realloc(s, n + 2);
        if (!t) {
                free(s);
                return json_encode_failed(r);
        }
        s = t;
        s[n] = '\n';
        s[n + 1] = '\0';
        struct MHD_Response *resp = MHD_create_response_from_buffer(n + 1, s, MHD_RESPMEM_MUST_FREE);
        if (!resp) {
                free(s);
                return MHD_NO;
        }
        MHD_add_response_header(resp, "Content-Type", "application/json");
        return queue(r, status, resp);
}

enum MHD_Result http_empty(struct http_req *r, unsigned status)
{
        struct MHD_Response *resp = MHD_create_response_from_buffer(0, (void *) "", MHD_RESPMEM_PERSISTENT);
        return queue(r, status, resp);
}

enum MHD_Result http_errorf(struct http_req *r, unsigned status, const char *fmt, ...)
{
        char msg[1024];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);
        /* the message often quotes what the client sent (names, paths, layer entries): whatever
         * the bytes, the client gets valid UTF-8 JSON */
        json_t *m = json_string_utf8(msg);
        const char *shown = json_string_value(m);
        if (status >= 500)
                log_error("%s %s: %s", r->method, r->path, shown ? shown : msg);
        else
                log_debug("%s %s: %u %s", r->method, r->path, status, shown ? shown : msg);
        return http_json(r, status, m ? json_pack("{s:o}", "message", m) : NULL);
}

enum MHD_Result http_error(struct http_req *r, const struct pouch_err *err)
{
        return http_errorf(r, (unsigned) err_http_status(err->code), "%s",
                           err->msg[0] ? err->msg : strerror(-err->code));
}

json_t *http_body_json(struct http_req *r, bool allow_empty, enum MHD_Result *ret_result)
{
        if (r->body_too_large) {
                *ret_result = http_errorf(r, 413, "request body too large (limit %u bytes)", MAX_JSON_BODY);
                return NULL;
        }
        if (!r->body || r->body_len == 0) {
                if (allow_empty)
                        return json_object();
                *ret_result = http_errorf(r, 400, "request body is empty; a JSON object was expected");
                return NULL;
        }
        json_error_t jerr;
        json_t *j = json_loadb(r->body, r->body_len, 0, &jerr);
        if (!j) {
                *ret_result = http_errorf(r, 400, "invalid JSON body: line %d column %d: %s", jerr.line, jerr.column,
                                          jerr.text);
                return NULL;
        }
        if (!json_is_object(j)) {
                json_decref(j);
                *ret_result = http_errorf(r, 400, "invalid JSON body: a JSON object was expected");
                return NULL;
        }
        return j;
}

int http_filters(struct http_req *r, const char *const *allowed, struct filters **ret, struct pouch_err *err)
{
        return filters_parse(http_query(r, "filters"), allowed, ret, err);
}

/* ---- streamed responses ------------------------------------------------------------------ */

struct stream {
        int rfd, wfd;
        stream_worker_fn worker;
        void *ud;
        void (*free_ud)(void *);
};

static void *stream_thread(void *p)
{
        struct stream *s = p;
        s->worker(s->ud, s->wfd);
        close(s->wfd);
        if (s->free_ud)
                s->free_ud(s->ud);
        free(s);
        return NULL;
}

struct stream_reader {
        int fd;     /* read end of the worker's pipe */
        int client; /* the HTTP connection's socket, watched for hang-up */
};

/* Block until the worker produced data; give up when the client hung up, so a worker waiting
 * for a far event (a container's exit) is not kept around for a client that left. */
static ssize_t stream_read(void *cls, uint64_t pos, char *buf, size_t max)
{
        (void) pos;
        struct stream_reader *sr = cls;
        for (;;) {
                struct pollfd p[2] = { { .fd = sr->fd, .events = POLLIN }, { .fd = sr->client, .events = POLLRDHUP } };
                if (poll(p, sr->client >= 0 ? 2 : 1, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return MHD_CONTENT_READER_END_WITH_ERROR;
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)) && (p[1].revents & (POLLRDHUP | POLLHUP | POLLERR)))
                        return MHD_CONTENT_READER_END_WITH_ERROR;
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                ssize_t n = read(sr->fd, buf, max);
                if (n > 0)
                        return n;
                if (n == 0)
                        return MHD_CONTENT_READER_END_OF_STREAM;
                if (errno != EINTR)
                        return MHD_CONTENT_READER_END_WITH_ERROR;
        }
}

static void stream_free(void *cls)
{
        struct stream_reader *sr = cls;
        close(sr->fd);
        free(sr);
}

bool http_stream_client_gone(int fd)
{
        struct pollfd p = { .fd = fd, .events = 0 };
        return poll(&p, 1, 0) > 0 && (p.revents & (POLLERR | POLLHUP));
}

enum MHD_Result http_stream(struct http_req *r, unsigned status, const char *content_type, stream_worker_fn worker,
                            void *ud, void (*free_ud)(void *))
{
        return api_stream_with_header(r, status, content_type, NULL, NULL, worker, ud, free_ud);
}

enum MHD_Result api_stream_with_header(struct http_req *r, unsigned status, const char *content_type, const char *hname,
                                       const char *hvalue, stream_worker_fn worker, void *ud, void (*free_ud)(void *))
{
        /* The reader blocks until the worker writes, maybe for hours (wait, events, logs -f). */
        r->long_lived = true;
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
                if (free_ud)
                        free_ud(ud);
                return http_errorf(r, 500, "pipe: %m");
        }
        struct stream *s = calloc(1, sizeof(*s));
        *s = (struct stream){ .rfd = p[0], .wfd = p[1], .worker = worker, .ud = ud, .free_ud = free_ud };
        struct stream_reader *sr = calloc(1, sizeof(*sr));
        sr->fd = p[0];
        sr->client = -1;
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(r->conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        if (ci)
                sr->client = ci->connect_fd;
        struct MHD_Response *resp = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 32 * 1024, stream_read, sr,
                                                                      stream_free);
        if (content_type)
                MHD_add_response_header(resp, "Content-Type", content_type);
        if (hname)
                MHD_add_response_header(resp, hname, hvalue);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, stream_thread, s) != 0) {
                close(p[1]);
                if (free_ud)
                        free_ud(ud);
                free(s);
        }
        pthread_attr_destroy(&attr);
        return queue(r, status, resp);
}

/* ---- hijacked connections ---------------------------------------------------------------- */

struct hijack {
        hijack_fn handler;
        void *ud;
        void (*free_ud)(void *);
        struct MHD_UpgradeResponseHandle *urh;
        int sock;
        char *extra;
        size_t extra_len;
};

static void *hijack_thread(void *p)
{
        struct hijack *h = p;
        h->handler(h->ud, h->sock, h->extra, h->extra_len);
        MHD_upgrade_action(h->urh, MHD_UPGRADE_ACTION_CLOSE);
        if (h->free_ud)
                h->free_ud(h->ud);
        free(h->extra);
        free(h);
        return NULL;
}

static void hijack_upgraded(void *cls, struct MHD_Connection *conn, void *req_cls, const char *extra_in,
                            size_t extra_in_size, MHD_socket sock, struct MHD_UpgradeResponseHandle *urh)
{
        (void) conn;
        (void) req_cls;
        struct hijack *h = cls;
        h->urh = urh;
        h->sock = sock;
        if (extra_in_size > 0) {
                h->extra = malloc(extra_in_size);
                if (h->extra) {
                        memcpy(h->extra, extra_in, extra_in_size);
                        h->extra_len = extra_in_size;
                }
        }
        /* The socket was non-blocking for MHD's loop; our handlers use blocking I/O + poll. */
        int fl = fcntl(sock, F_GETFL);
        if (fl >= 0)
                fcntl(sock, F_SETFL, fl & ~O_NONBLOCK);
        pthread_t t;
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create(&t, &attr, hijack_thread, h) != 0) {
                MHD_upgrade_action(urh, MHD_UPGRADE_ACTION_CLOSE);
                if (h->free_ud)
                        h->free_ud(h->ud);
                free(h->extra);
                free(h);
        }
        pthread_attr_destroy(&attr);
}

struct hijack_stream {
        hijack_fn handler;
        void *ud;
        void (*free_ud)(void *);
};

static void hijack_stream_worker(void *p, int fd)
{
        struct hijack_stream *hs = p;
        hs->handler(hs->ud, fd, NULL, 0);
}

static void hijack_stream_free(void *p)
{
        struct hijack_stream *hs = p;
        if (hs->free_ud)
                hs->free_ud(hs->ud);
        free(hs);
}

enum MHD_Result http_hijack(struct http_req *r, const char *content_type, hijack_fn handler, void *ud,
                            void (*free_ud)(void *))
{
        const char *up = MHD_lookup_connection_value(r->conn, MHD_HEADER_KIND, "Upgrade");
        if (!up) {
                /* A client that did not ask to upgrade gets the output as a plain streamed body. */
                struct hijack_stream *hs = calloc(1, sizeof(*hs));
                *hs = (struct hijack_stream){ .handler = handler, .ud = ud, .free_ud = free_ud };
                return http_stream(r, 200, content_type ? content_type : "application/vnd.docker.raw-stream",
                                   hijack_stream_worker, hs, hijack_stream_free);
        }
        r->long_lived = true;
        r->upgraded = true;
        struct hijack *h = calloc(1, sizeof(*h));
        h->handler = handler;
        h->ud = ud;
        h->free_ud = free_ud;
        h->sock = -1;
        struct MHD_Response *resp = MHD_create_response_for_upgrade(hijack_upgraded, h);
        MHD_add_response_header(resp, "Upgrade", "tcp");
        MHD_add_response_header(resp, "Content-Type",
                                content_type ? content_type : "application/vnd.docker.raw-stream");
        return queue(r, 101, resp);
}
