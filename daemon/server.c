/* libmicrohttpd setup: listening sockets (unix, systemd socket activation), request bodies,
 * API version prefixes and routing. */
#include "http.h"
#include "http-limits.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <fcntl.h>
#include <gnutls/gnutls.h>
#include <netdb.h>
#include <sys/socket.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <systemd/sd-daemon.h>
#include <unistd.h>

static bool segment_match(const char *pat, const char *path, char *ret_params[2])
{
        /* "{}" matches one segment, "{*}" one or more up to the literal suffix after it. */
        int np = 0;
        while (*pat && *path) {
                if (strncmp(pat, "{*}", 3) == 0) {
                        const char *suffix = pat + 3;
                        size_t sl = strlen(suffix), pl = strlen(path);
                        if (pl <= sl || strcmp(path + pl - sl, suffix) != 0)
                                return false;
                        ret_params[np++] = strndup(path, pl - sl);
                        return true;
                }
                if (strncmp(pat, "{}", 2) == 0) {
                        const char *slash = strchr(path, '/');
                        size_t n = slash ? (size_t) (slash - path) : strlen(path);
                        if (n == 0 || np >= 2)
                                return false;
                        ret_params[np++] = strndup(path, n);
                        path += n;
                        pat += 2;
                        continue;
                }
                if (*pat != *path)
                        return false;
                pat++;
                path++;
        }
        return *pat == '\0' && *path == '\0';
}

const struct route *http_route_find(const char *method, const char *path, char *ret_params[2], bool *ret_path_known)
{
        *ret_path_known = false;
        for (const struct route *rt = api_routes; rt->pattern; rt++) {
                char *params[2] = { NULL, NULL };
                if (!segment_match(rt->pattern, path, params)) {
                        free(params[0]);
                        free(params[1]);
                        continue;
                }
                *ret_path_known = true;
                if (strcmp(rt->method, method) == 0 || (strcmp(method, "HEAD") == 0 && strcmp(rt->method, "GET") == 0 &&
                                                        strcmp(rt->pattern, "/_ping") == 0)) {
                        ret_params[0] = params[0];
                        ret_params[1] = params[1];
                        return rt;
                }
                free(params[0]);
                free(params[1]);
        }
        return NULL;
}

static void req_free(struct http_req *r)
{
        if (!r)
                return;
        free(r->path);
        free(r->params[0]);
        free(r->params[1]);
        free(r->body);
        if (r->body_fd >= 0)
                close(r->body_fd);
        free(r);
}

/* The idle timeout (--http-timeout) is for clients slow to send a request or to read a reply,
 * never for the daemon's own work: a handler runs without it, and it starts afresh (libmicrohttpd
 * resets the activity clock when a timeout is set again) for the reply. Streamed and hijacked
 * replies run without it to their end: their reader blocks until the worker writes, and
 * libmicrohttpd would close a connection whose last send is older than the timeout as soon as
 * the reader returns. */
static void conn_timeout_set(struct http_req *r, bool on)
{
        unsigned secs = (unsigned) r->d->cfg.http_timeout;
        if (secs > 0)
                MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT, on ? secs : 0u);
}

static void request_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
        (void) cls;
        (void) conn;
        struct http_req *r = *con_cls;
        /* a kept-alive connection waits for its next request under the timeout again */
        if (r && r->long_lived && !r->upgraded && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK)
                conn_timeout_set(r, true);
        req_free(*con_cls);
        *con_cls = NULL;
}

/* Strip "/v1.41" (any "/vN.N") and check the version is not newer than ours. */
int http_strip_version(const char *url, char **ret_path, char *ret_version, size_t vlen)
{
        ret_version[0] = '\0';
        if (url[0] == '/' && url[1] == 'v' && url[2] >= '0' && url[2] <= '9') {
                const char *slash = strchr(url + 1, '/');
                size_t n = slash ? (size_t) (slash - url - 2) : strlen(url + 2);
                snprintf(ret_version, vlen, "%.*s", (int) n, url + 2);
                url = slash ? slash : "/";
        }
        *ret_path = strdup(url);
        return *ret_path ? 0 : -ENOMEM;
}

/* "MAJOR[.MINOR]"; a number too large for unsigned long saturates (sscanf's %d has undefined
 * behaviour there, and in practice made a huge version older than ours). */
static void version_parse(const char *s, unsigned long *ret_major, unsigned long *ret_minor)
{
        char *end;
        *ret_major = strtoul(s, &end, 10);
        *ret_minor = *end == '.' ? strtoul(end + 1, NULL, 10) : 0;
}

int http_version_cmp(const char *a, const char *b)
{
        unsigned long amaj, amin, bmaj, bmin;
        version_parse(a, &amaj, &amin);
        version_parse(b, &bmaj, &bmin);
        if (amaj != bmaj)
                return amaj < bmaj ? -1 : 1;
        return amin < bmin ? -1 : amin > bmin;
}

/* On TLS listeners every request must come with a client certificate the CA signed. */
static bool client_cert_ok(struct MHD_Connection *conn)
{
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_GNUTLS_SESSION);
        if (!ci || !ci->tls_session)
                return true; /* plain unix socket */
        gnutls_session_t s = (gnutls_session_t) ci->tls_session;
        unsigned status = 0;
        unsigned n = 0;
        if (!gnutls_certificate_get_peers(s, &n) || n == 0)
                return false;
        return gnutls_certificate_verify_peers2(s, &status) == 0 && status == 0;
}

static enum MHD_Result access_handler(void *cls, struct MHD_Connection *conn, const char *url, const char *method,
                                      const char *version, const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
        (void) version;
        struct pouchd *d = cls;
        struct http_req *r = *con_cls;
        if (!r) {
                if (peer_caps_refused(conn))
                        return MHD_NO; /* answered 503 already */
                r = calloc(1, sizeof(*r));
                if (!r)
                        return MHD_NO;
                r->d = d;
                r->conn = conn;
                r->method = method;
                r->body_fd = -1;
                char apiver[16];
                if (http_strip_version(url, &r->path, apiver, sizeof(apiver)) < 0) {
                        free(r);
                        return MHD_NO;
                }
                *con_cls = r;
                if (!client_cert_ok(conn))
                        return http_errorf(r, 403, "a client certificate signed by the daemon's CA is required");
                if (apiver[0] && http_version_cmp(apiver, API_VERSION) > 0)
                        return http_errorf(r, 400, "client version %s is too new. Maximum supported API version is %s",
                                           apiver, API_VERSION);
                if (apiver[0] && http_version_cmp(apiver, API_MIN_VERSION) < 0)
                        return http_errorf(r, 400,
                                           "client version %s is too old. Minimum supported API version is %s, "
                                           "please upgrade your client to a newer version",
                                           apiver, API_MIN_VERSION);
                bool known;
                r->route = http_route_find(method, r->path, r->params, &known);
                if (!r->route) {
                        if (known)
                                return http_errorf(r, 405, "method %s not allowed for %s", method, r->path);
                        return http_errorf(r, 404, "page not found");
                }
                if (r->route->body == BODY_SPOOL) {
                        _cleanup_free_ char *tmpdir = NULL;
                        if (asprintf(&tmpdir, "%s/tmp", d->home) < 0)
                                return MHD_NO;
                        r->body_fd = open(tmpdir, O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
                        if (r->body_fd < 0)
                                return http_errorf(r, 500, "cannot spool request body in %s: %m", tmpdir);
                }
                log_debug("%s %s", method, url);
                return MHD_YES;
        }
        if (*upload_data_size > 0) {
                size_t n = *upload_data_size;
                *upload_data_size = 0;
                if (r->route->body == BODY_SPOOL) {
                        if (write_all(r->body_fd, upload_data, n) < 0)
                                r->body_too_large = true;
                } else if (r->route->body == BODY_JSON && !r->body_too_large) {
                        if (r->body_len + n > MAX_JSON_BODY) {
                                r->body_too_large = true;
                                free(r->body);
                                r->body = NULL;
                                r->body_len = 0;
                        } else {
                                char *b = realloc(r->body, r->body_len + n + 1);
                                if (!b)
                                        return MHD_NO;
                                memcpy(b + r->body_len, upload_data, n);
                                r->body = b;
                                r->body_len += n;
                                r->body[r->body_len] = '\0';
                        }
                }
                return MHD_YES;
        }
        if (r->body_fd >= 0) {
                if (r->body_too_large)
                        return http_errorf(r, 500, "cannot spool request body: %m");
                lseek(r->body_fd, 0, SEEK_SET);
        }
        conn_timeout_set(r, false);
        enum MHD_Result ret = r->route->fn(r);
        if (!r->long_lived)
                conn_timeout_set(r, true);
        return ret;
}

/* tcp://HOST:PORT, only with mutual TLS (clients must present a certificate signed by the CA). */
static int listen_tcp(struct pouchd *d, const char *hostport, struct pouch_err *err)
{
        if (!d->cfg.tls_ca || !d->cfg.tls_cert || !d->cfg.tls_key)
                return err_set(err, -EINVAL, "tcp://%s requires --tlscacert, --tlscert and --tlskey (mutual TLS)",
                               hostport);
        char host[256];
        snprintf(host, sizeof(host), "%s", hostport);
        char *colon = strrchr(host, ':');
        if (!colon)
                return err_set(err, -EINVAL, "invalid listen address tcp://%s: a port is required", hostport);
        *colon = '\0';
        const char *port = colon + 1;
        char *h = host;
        if (*h == '[') {
                h++;
                h[strcspn(h, "]")] = '\0';
        }
        struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE };
        struct addrinfo *res = NULL;
        int gr = getaddrinfo(*h ? h : NULL, port, &hints, &res);
        if (gr != 0)
                return err_set(err, -EINVAL, "invalid listen address tcp://%s: %s", hostport, gai_strerror(gr));
        int fd = socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
        int one = 1;
        if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
            bind(fd, res->ai_addr, res->ai_addrlen) < 0 || listen(fd, 128) < 0) {
                int e = errno;
                if (fd >= 0)
                        close(fd);
                freeaddrinfo(res);
                return err_set(err, -e, "cannot listen on tcp://%s: %s", hostport, strerror(e));
        }
        freeaddrinfo(res);
        return fd;
}

static int listen_one(struct pouchd *d, const char *addr, bool *ret_tls, struct pouch_err *err)
{
        *ret_tls = false;
        if (strncmp(addr, "tcp://", 6) == 0) {
                *ret_tls = true;
                return listen_tcp(d, addr + 6, err);
        }
        if (strncmp(addr, "unix://", 7) != 0)
                return err_set(err, -EINVAL, "unsupported listen address %s (unix:// or tcp:// with TLS)", addr);
        const char *path = addr + 7;
        int fd = unix_listen(path, 0660);
        if (fd < 0)
                return err_set(err, fd, "cannot listen on %s: %s", path, strerror(-fd));
        struct group *g = getgrnam("pouch");
        if (g && chown(path, 0, g->gr_gid) < 0)
                log_warn_errno(-errno, "Failed to give %s to group pouch", path);
        (void) d;
        return fd;
}

struct tls_material {
        char *key, *cert, *ca;
};

static void tls_material_done(struct tls_material *t)
{
        free(t->key);
        free(t->cert);
        free(t->ca);
}

static int tls_load(struct pouchd *d, struct tls_material *t, struct pouch_err *err)
{
        const char *files[3] = { d->cfg.tls_key, d->cfg.tls_cert, d->cfg.tls_ca };
        char **dst[3] = { &t->key, &t->cert, &t->ca };
        for (int i = 0; i < 3; i++) {
                int r = read_file(files[i], 1 << 20, dst[i], NULL);
                if (r < 0)
                        return err_set(err, r, "cannot read TLS file %s: %s", files[i], strerror(-r));
        }
        return 0;
}

/* One libmicrohttpd server on a listening socket; tm is NULL for plain unix sockets. */
static struct MHD_Daemon *start_one(struct pouchd *d, int fd, const struct tls_material *tm, unsigned limit)
{
        unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL |
                         MHD_ALLOW_UPGRADE | MHD_USE_ERROR_LOG;
        struct MHD_OptionItem o[12];
        size_t n = 0;
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_LISTEN_SOCKET, fd, NULL };
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_COMPLETED, (intptr_t) request_completed, d };
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_TIMEOUT, d->cfg.http_timeout, NULL };
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_CONNECTION_LIMIT, limit, NULL };
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_THREAD_STACK_SIZE, 512 * 1024, NULL };
        if (tm) {
                flags |= MHD_USE_TLS;
                o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_KEY, 0, tm->key };
                o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_CERT, 0, tm->cert };
                o[n++] = (struct MHD_OptionItem){ MHD_OPTION_HTTPS_MEM_TRUST, 0, tm->ca };
                /* TCP peers are told apart by address */
                o[n++] = (struct MHD_OptionItem){ MHD_OPTION_PER_IP_CONNECTION_LIMIT, d->cfg.max_conns_per_peer, NULL };
        } else if (d->peer_caps)
                /* unix peers by uid (SO_PEERCRED) */
                o[n++] = (struct MHD_OptionItem){ MHD_OPTION_NOTIFY_CONNECTION, (intptr_t) peer_caps_notify,
                                                  d->peer_caps };
        o[n++] = (struct MHD_OptionItem){ MHD_OPTION_END, 0, NULL };
        return MHD_start_daemon(flags, 0, NULL, NULL, access_handler, d, MHD_OPTION_ARRAY, o, MHD_OPTION_END);
}

int http_server_start(struct pouchd *d, struct MHD_Daemon ***ret_daemons, size_t *ret_n, struct pouch_err *err)
{
        int fds[16];
        bool tls[16] = { false };
        size_t nfds = 0;
        int n = sd_listen_fds(1);
        for (int i = 0; i < n && nfds < 16; i++)
                fds[nfds++] = SD_LISTEN_FDS_START + i;
        if (nfds == 0)
                for (char **l = d->cfg.listen; l && *l && nfds < 16; l++) {
                        int fd = listen_one(d, *l, &tls[nfds], err);
                        if (fd < 0)
                                return fd;
                        fds[nfds++] = fd;
                }
        struct tls_material tm = { 0 };
        for (size_t i = 0; i < nfds; i++)
                if (tls[i] && !tm.key && tls_load(d, &tm, err) < 0) {
                        tls_material_done(&tm);
                        return err->code;
                }
        struct MHD_Daemon **daemons = calloc(nfds, sizeof(*daemons));
        if (!daemons) {
                tls_material_done(&tm);
                return err_set(err, -ENOMEM, "out of memory");
        }
        struct rlimit nofile = { 1024, 1024 };
        getrlimit(RLIMIT_NOFILE, &nofile);
        unsigned limit = http_connection_limit(nofile.rlim_cur, nfds);
        log_debug("API connections: at most %u per listener, %d per peer, idle timeout %d s", limit,
                  d->cfg.max_conns_per_peer, d->cfg.http_timeout);
        if (d->cfg.max_conns_per_peer > 0 && !d->peer_caps)
                d->peer_caps = peer_caps_new((unsigned) d->cfg.max_conns_per_peer);
        if (d->cfg.max_conns_per_peer > 0 && !d->peer_caps) {
                free(daemons);
                tls_material_done(&tm);
                return err_set(err, -ENOMEM, "out of memory");
        }
        for (size_t i = 0; i < nfds; i++) {
                daemons[i] = start_one(d, fds[i], tls[i] ? &tm : NULL, limit);
                if (!daemons[i]) {
                        http_server_stop(daemons, i);
                        tls_material_done(&tm);
                        return err_set(err, -EIO, "cannot start the HTTP server on listen fd %d", fds[i]);
                }
        }
        tls_material_done(&tm);
        *ret_daemons = daemons;
        *ret_n = nfds;
        return 0;
}

void http_server_stop(struct MHD_Daemon **daemons, size_t n)
{
        for (size_t i = 0; i < n; i++)
                if (daemons[i])
                        MHD_stop_daemon(daemons[i]);
        free(daemons);
}
