/* The HTTP layer of the Docker-compatible API on libmicrohttpd: requests, routing, responses,
 * streamed bodies (worker thread -> pipe -> chunked response) and hijacked connections. */
#pragma once

#include "daemon/filters.h"
#include "lib/err.h"
#include "pouchd.h"

#include <jansson.h>
#include <microhttpd.h>
#include <stdbool.h>

#define API_VERSION "1.41"
#define API_MIN_VERSION "1.12"
#define MAX_JSON_BODY (16u << 20)

enum body_mode {
        BODY_NONE,  /* ignore any body */
        BODY_JSON,  /* buffer up to MAX_JSON_BODY */
        BODY_SPOOL, /* spool to an unlinked temp file (tar uploads) */
};

struct http_req {
        struct pouchd *d;
        struct MHD_Connection *conn;
        const char *method;
        char *path;      /* without the /vX.Y prefix */
        char *params[2]; /* captured path parts ({} and {*}) */
        char *body;
        size_t body_len;
        bool body_too_large;
        int body_fd; /* BODY_SPOOL: readable fd positioned at 0 */
        const struct route *route;
        bool long_lived; /* streamed or hijacked response: no idle timeout while it runs */
        bool upgraded;   /* hijacked: the connection is not reused for requests */
};

typedef enum MHD_Result (*route_fn)(struct http_req *r);

struct route {
        const char *method;
        const char *pattern; /* "/containers/{}/start", "/images/{*}/json" */
        route_fn fn;
        enum body_mode body;
};

int http_server_start(struct pouchd *d, struct MHD_Daemon ***ret_daemons, size_t *ret_n, struct pouch_err *err);
void http_server_stop(struct MHD_Daemon **daemons, size_t n);

/* Query helpers */
const char *http_query(struct http_req *r, const char *key);
bool http_query_bool(struct http_req *r, const char *key, bool def);
int64_t http_query_int(struct http_req *r, const char *key, int64_t def);
/* A since/until query parameter (parse_time_arg) in unix ns: 1 when given, 0 when absent
 * (*ret_ns untouched), -EINVAL with err set when it is not a time. */
int http_query_time(struct http_req *r, const char *key, int64_t *ret_ns, struct pouch_err *err);
/* Parse the JSON body; on failure queues a 400 and returns NULL (*ret_result set). */
json_t *http_body_json(struct http_req *r, bool allow_empty, enum MHD_Result *ret_result);
/* Parse the "filters" query parameter (either JSON form; see filters.h) accepting the keys in allowed
 * (NULL-terminated; NULL = any). *ret is set, empty when absent; -EINVAL (400) when bad. */
int http_filters(struct http_req *r, const char *const *allowed, struct filters **ret, struct pouch_err *err);

/* Responses (all add the Docker headers: Api-Version, Ostype, Server, Docker-Experimental). */
enum MHD_Result http_json(struct http_req *r, unsigned status, json_t *j); /* steals j */
enum MHD_Result http_empty(struct http_req *r, unsigned status);
enum MHD_Result http_error(struct http_req *r, const struct pouch_err *err);
enum MHD_Result http_errorf(struct http_req *r, unsigned status, const char *fmt, ...)
        __attribute__((format(printf, 3, 4)));

/* Streamed body: worker(ud, fd) runs in its own thread and writes the body to fd; the response
 * is chunked and each write is flushed. When the client goes away, writes fail with EPIPE and
 * the worker should return. free_ud(ud) runs after the worker returns. */
typedef void (*stream_worker_fn)(void *ud, int fd);
enum MHD_Result http_stream(struct http_req *r, unsigned status, const char *content_type, stream_worker_fn worker,
                            void *ud, void (*free_ud)(void *));

/* http_stream with one extra response header. */
enum MHD_Result api_stream_with_header(struct http_req *r, unsigned status, const char *content_type, const char *hname,
                                       const char *hvalue, stream_worker_fn worker, void *ud, void (*free_ud)(void *));

/* For stream workers that wait long without writing: has the reader side gone away? */
bool http_stream_client_gone(int fd);

/* Hijack: answer 101 (Upgrade: tcp) and run handler(ud, sock) in its own thread with the raw
 * socket; extra bytes the server already read are passed along. The connection is closed after
 * the handler returns. */
typedef void (*hijack_fn)(void *ud, int sock, const char *extra, size_t extra_len);
enum MHD_Result http_hijack(struct http_req *r, const char *content_type, hijack_fn handler, void *ud,
                            void (*free_ud)(void *));

/* Add the standard headers to a response (for handlers that build their own). */
void http_add_std_headers(struct MHD_Response *resp);

/* Routing internals, exposed for unit tests. */
const struct route *http_route_find(const char *method, const char *path, char *ret_params[2], bool *ret_path_known);
int http_strip_version(const char *url, char **ret_path, char *ret_version, size_t vlen);
int http_version_cmp(const char *a, const char *b);

/* Routes implemented in the api folder */
extern const struct route api_routes[];
