/* HTTP to pouchd over its unix socket: libcurl for ordinary requests, a raw socket for hijacks. */
#include "cli.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/unixsock.h"

#include <arpa/inet.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define API_PREFIX "http://pouch/v1.41"

void http_resp_done(struct http_resp *r)
{
        free(r->body);
        free(r->headers);
        r->body = NULL;
        r->headers = NULL;
        r->len = 0;
}

static size_t collect_header(char *p, size_t size, size_t n, void *ud)
{
        char **h = ud;
        size_t add = size * n, old = *h ? strlen(*h) : 0;
        char *b = realloc(*h, old + add + 1);
        if (!b)
                return 0;
        memcpy(b + old, p, add);
        b[old + add] = '\0';
        *h = b;
        return add;
}

char *http_resp_header(const struct http_resp *r, const char *name)
{
        size_t nl = strlen(name);
        for (const char *l = r->headers; l && *l;) {
                const char *end = strchr(l, '\n');
                if (!end)
                        end = l + strlen(l);
                if (strncasecmp(l, name, nl) == 0 && l[nl] == ':') {
                        const char *v = l + nl + 1;
                        while (v < end && (*v == ' ' || *v == '\t'))
                                v++;
                        const char *e = end;
                        while (e > v && (e[-1] == '\r' || e[-1] == ' '))
                                e--;
                        return strndup(v, (size_t) (e - v));
                }
                l = *end ? end + 1 : end;
        }
        return NULL;
}

static size_t collect(char *p, size_t size, size_t n, void *ud)
{
        struct http_resp *r = ud;
        size_t add = size * n;
        char *b = realloc(r->body, r->len + add + 1);
        if (!b)
                return 0;
        memcpy(b + r->len, p, add);
        r->body = b;
        r->len += add;
        r->body[r->len] = '\0';
        return add;
}

char *url_escape(const char *s)
{
        char *e = curl_easy_escape(NULL, s, 0);
        char *r = e ? strdup(e) : NULL;
        curl_free(e);
        return r;
}

static CURL *setup(struct cli *c, const char *method, const char *path)
{
        CURL *h = curl_easy_init();
        if (!h)
                return NULL;
        char url[8192];
        snprintf(url, sizeof(url), API_PREFIX "%s", path);
        curl_easy_setopt(h, CURLOPT_UNIX_SOCKET_PATH, c->sock);
        curl_easy_setopt(h, CURLOPT_URL, url);
        if (strcmp(method, "GET") != 0)
                curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, method);
        if (strcmp(method, "HEAD") == 0)
                curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
        curl_easy_setopt(h, CURLOPT_USERAGENT, "pouch-cli/" POUCH_VERSION);
        return h;
}

int http_call(struct cli *c, const char *method, const char *path, const char *body, size_t len,
              const char *content_type, struct http_resp *ret)
{
        memset(ret, 0, sizeof(*ret));
        CURL *h = setup(c, method, path);
        if (!h)
                return -ENOMEM;
        struct curl_slist *hl = NULL;
        char ct[256];
        if (body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, body ? body : "");
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, (long) (body ? len : 0));
                snprintf(ct, sizeof(ct), "Content-Type: %s", content_type ? content_type : "application/json");
                hl = curl_slist_append(hl, ct);
        }
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, collect);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, ret);
        curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, collect_header);
        curl_easy_setopt(h, CURLOPT_HEADERDATA, &ret->headers);
        CURLcode cc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &ret->status);
        curl_slist_free_all(hl);
        curl_easy_cleanup(h);
        if (cc != CURLE_OK) {
                fprintf(stderr, "Cannot connect to the pouch daemon at %s. Is pouchd running? (%s)\n", c->host,
                        curl_easy_strerror(cc));
                return -ECONNREFUSED;
        }
        return 0;
}

struct stream_ctx {
        http_chunk_fn cb;
        void *ud;
        long status;
        CURL *h;
        struct http_resp err; /* body of an error response */
};

static size_t stream_write(char *p, size_t size, size_t n, void *ud)
{
        struct stream_ctx *s = ud;
        if (!s->status)
                curl_easy_getinfo(s->h, CURLINFO_RESPONSE_CODE, &s->status);
        if (s->status >= 400)
                return collect(p, size, n, &s->err);
        return s->cb(s->ud, p, size * n) < 0 ? 0 : size * n;
}

static size_t read_fd(char *buf, size_t size, size_t n, void *ud)
{
        int fd = *(int *) ud;
        ssize_t k = read(fd, buf, size * n);
        return k < 0 ? CURL_READFUNC_ABORT : (size_t) k;
}

int http_stream_call(struct cli *c, const char *method, const char *path, int upload_fd, const char *content_type,
                     const char *extra_header, http_chunk_fn cb, void *ud, long *ret_status)
{
        CURL *h = setup(c, method, path);
        if (!h)
                return -ENOMEM;
        struct stream_ctx s = { .cb = cb, .ud = ud, .h = h };
        struct curl_slist *hl = NULL;
        char ct[256];
        if (upload_fd >= 0) {
                curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
                curl_easy_setopt(h, CURLOPT_READFUNCTION, read_fd);
                curl_easy_setopt(h, CURLOPT_READDATA, &upload_fd);
                hl = curl_slist_append(hl, "Transfer-Encoding: chunked");
        } else if (strcmp(method, "POST") == 0) {
                curl_easy_setopt(h, CURLOPT_POSTFIELDS, "");
                curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
        }
        if (content_type) {
                snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
                hl = curl_slist_append(hl, ct);
        }
        if (extra_header)
                hl = curl_slist_append(hl, extra_header);
        curl_easy_setopt(h, CURLOPT_HTTPHEADER, hl);
        curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, stream_write);
        curl_easy_setopt(h, CURLOPT_WRITEDATA, &s);
        CURLcode cc = curl_easy_perform(h);
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &s.status);
        curl_slist_free_all(hl);
        curl_easy_cleanup(h);
        *ret_status = s.status;
        if (s.status >= 400) {
                cli_daemon_error(&s.err);
                http_resp_done(&s.err);
                return -EIO;
        }
        if (cc != CURLE_OK && cc != CURLE_WRITE_ERROR) {
                fprintf(stderr, "Cannot connect to the pouch daemon at %s (%s)\n", c->host, curl_easy_strerror(cc));
                return -ECONNREFUSED;
        }
        return 0;
}

int cli_daemon_error(const struct http_resp *r)
{
        json_t *j = r->body ? json_loadb(r->body, r->len, 0, NULL) : NULL;
        const char *m = json_string_value(json_object_get(j, "message"));
        fprintf(stderr, "Error response from daemon: %s\n", m ? m : (r->body ? r->body : "unknown error"));
        json_decref(j);
        return 1;
}

/* libcurl cannot switch a connection to a raw stream (Upgrade: tcp), so the hijacking requests
 * are written by hand; only the status line is interpreted. */
int http_hijack(struct cli *c, const char *path, const char *body, int *ret_status)
{
        int fd = unix_connect(c->sock);
        if (fd < 0) {
                fprintf(stderr, "Cannot connect to the pouch daemon at %s\n", c->host);
                return fd;
        }
        size_t blen = body ? strlen(body) : 0;
        char head[8192];
        int n = snprintf(head, sizeof(head),
                         "POST /v1.41%s HTTP/1.1\r\nHost: pouch\r\nUser-Agent: pouch-cli\r\nConnection: Upgrade\r\n"
                         "Upgrade: tcp\r\nContent-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                         path, blen);
        if (write_all(fd, head, (size_t) n) < 0 || (blen && write_all(fd, body, blen) < 0)) {
                close(fd);
                return -EIO;
        }
        /* read the response head byte by byte so no stream bytes are consumed */
        char resp[8192];
        size_t got = 0;
        while (got < sizeof(resp) - 1) {
                ssize_t k = read(fd, resp + got, 1);
                if (k <= 0)
                        break;
                got++;
                if (got >= 4 && memcmp(resp + got - 4, "\r\n\r\n", 4) == 0)
                        break;
        }
        resp[got] = '\0';
        int status = 0;
        sscanf(resp, "HTTP/1.%*d %d", &status);
        *ret_status = status;
        if (status != 101 && status != 200) {
                /* an error: read the JSON body that follows */
                char body_buf[4096] = "";
                ssize_t k = read(fd, body_buf, sizeof(body_buf) - 1);
                if (k > 0) {
                        body_buf[k] = '\0';
                        char *j = strchr(body_buf, '{');
                        struct http_resp r = { .status = status,
                                               .body = j ? j : body_buf,
                                               .len = strlen(j ? j : body_buf) };
                        cli_daemon_error(&r);
                }
                close(fd);
                return -EIO;
        }
        return fd;
}

static struct termios saved_tio;
static bool tio_saved;

void tty_raw(bool on)
{
        if (!isatty(0))
                return;
        if (on) {
                if (tcgetattr(0, &saved_tio) < 0)
                        return;
                tio_saved = true;
                struct termios t = saved_tio;
                cfmakeraw(&t);
                tcsetattr(0, TCSANOW, &t);
        } else if (tio_saved) {
                tcsetattr(0, TCSANOW, &saved_tio);
        }
}

void tty_size(int *rows, int *cols)
{
        struct winsize ws = { 0 };
        if (ioctl(1, TIOCGWINSZ, &ws) == 0 && ws.ws_row) {
                *rows = ws.ws_row;
                *cols = ws.ws_col;
        } else {
                *rows = 24;
                *cols = 80;
        }
}

int stream_pump(int sock, bool send_stdin, bool tty)
{
        if (!send_stdin)
                shutdown(sock, SHUT_WR);
        unsigned char hdr[8];
        size_t hdr_got = 0, frame_left = 0;
        int frame_stream = 1;
        bool in_open = send_stdin;
        for (;;) {
                struct pollfd p[2] = { { .fd = sock, .events = POLLIN }, { .fd = in_open ? 0 : -1, .events = POLLIN } };
                if (poll(p, 2, -1) < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                if (p[1].revents & (POLLIN | POLLHUP)) {
                        char buf[8192];
                        ssize_t k = read(0, buf, sizeof(buf));
                        if (k <= 0) {
                                in_open = false;
                                shutdown(sock, SHUT_WR);
                        } else if (write_all(sock, buf, (size_t) k) < 0) {
                                in_open = false;
                        }
                }
                if (!(p[0].revents & (POLLIN | POLLHUP | POLLERR)))
                        continue;
                char buf[32768];
                ssize_t k = read(sock, buf, sizeof(buf));
                if (k <= 0)
                        return 0;
                if (tty) {
                        write_all(1, buf, (size_t) k);
                        continue;
                }
                /* demultiplex docker frames, which may be split anywhere */
                for (ssize_t i = 0; i < k;) {
                        if (frame_left == 0) {
                                hdr[hdr_got++] = (unsigned char) buf[i++];
                                if (hdr_got == 8) {
                                        uint32_t be;
                                        memcpy(&be, hdr + 4, 4);
                                        frame_left = ntohl(be);
                                        frame_stream = hdr[0];
                                        hdr_got = 0;
                                }
                                continue;
                        }
                        size_t take = (size_t) (k - i) < frame_left ? (size_t) (k - i) : frame_left;
                        write_all(frame_stream == 2 ? 2 : 1, buf + i, take);
                        i += (ssize_t) take;
                        frame_left -= take;
                }
        }
}
