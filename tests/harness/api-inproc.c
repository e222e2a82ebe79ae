/* An in-process pouchd with the real HTTP server on a unix socket in a temporary home. */
#include "api-inproc.h"

#include "daemon/config.h"
#include "daemon/events.h"
#include "daemon/http.h"
#include "daemon/pouchd-state.h"
#include "daemon/image/image.h"
#include "daemon/network/network.h"
#include "daemon/volume/volume.h"
#include "daemon/container-quota.h"
#include "quota/quota.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/jsonutil.h"
#include "lib/unixsock.h"
#include "lib/util.h"

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <unistd.h>

#define REQUEST_TIMEOUT_MS 60000

struct api_inproc {
        struct pouchd d;
        char *home;
        char *sock;
        unsigned flags;
        struct MHD_Daemon **servers;
        size_t nservers;
        struct pouch_err start_err;
        int start_r;
};

/* Everything but the home becomes read-only for this thread and the threads it starts. */
static int enter_readonly_host(const char *home, struct pouch_err *err)
{
        if (unshare(CLONE_FS | CLONE_NEWNS) < 0)
                return err_set(err, -errno, "unshare(CLONE_NEWNS): %m");
        if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
                return err_set(err, -errno, "making / private: %m");
        if (mount(home, home, NULL, MS_BIND | MS_REC, NULL) < 0)
                return err_set(err, -errno, "bind-mounting %s: %m", home);
        struct mount_attr ro = { .attr_set = MOUNT_ATTR_RDONLY };
        if (mount_setattr(AT_FDCWD, "/", AT_RECURSIVE, &ro, sizeof(ro)) < 0)
                return err_set(err, -errno, "making / read-only: %m");
        struct mount_attr rw = { .attr_clr = MOUNT_ATTR_RDONLY };
        if (mount_setattr(AT_FDCWD, home, AT_RECURSIVE, &rw, sizeof(rw)) < 0)
                return err_set(err, -errno, "making %s writable: %m", home);
        return 0;
}

static char *home_path(struct api_inproc *h, const char *sub)
{
        char *p = NULL;
        return asprintf(&p, "%s/%s", h->home, sub) < 0 ? NULL : p;
}

/* The part of pouchd's start-up (daemon/main.c setup()) that needs no runtime. */
static int open_stores(struct api_inproc *h, struct pouch_err *err)
{
        struct pouchd *d = &h->d;
        const char *subdirs[] = { "containers", "run", "image", "tmp", "runtime/runc", "no-runtime" };
        for (size_t i = 0; i < ARRAY_SIZE(subdirs); i++) {
                _cleanup_free_ char *p = home_path(h, subdirs[i]);
                int r = p ? mkdir_p(p, 0711) : -ENOMEM;
                if (r < 0)
                        return err_set(err, r, "cannot create %s/%s", h->home, subdirs[i]);
        }
        d->home = strdup(h->home);
        d->shim_path = home_path(h, "no-runtime/pouch-shim");
        d->runtime.name = strdup("runc");
        d->runtime.path = home_path(h, "no-runtime/runc");
        d->runtime.root = home_path(h, "runtime/runc");
        _cleanup_free_ char *img = home_path(h, "image");
        _cleanup_free_ char *vol = home_path(h, "volumes");
        _cleanup_free_ char *net = home_path(h, "network");
        _cleanup_free_ char *cni = home_path(h, "no-runtime/cni");
        _cleanup_free_ char *sysctl = home_path(h, "no-runtime/sysctl");
        if (!d->home || !d->shim_path || !d->runtime.name || !d->runtime.path || !d->runtime.root || !img || !vol ||
            !net || !cni || !sysctl)
                return err_set(err, -ENOMEM, "out of memory");
        int r = image_store_open(img, &d->images, err);
        if (r >= 0)
                r = volume_store_open(vol, &d->volumes, err);
        if (r < 0)
                return r;
        /* no iptables ("" turns host rules off) and no plugins: nothing reaches the host */
        struct network_store_opts nopts = { .state_dir = net, .plugin_dir = cni, .iptables = "" };
        r = network_store_open(&nopts, &d->networks, err);
        if (r >= 0)
                r = network_store_set_sysctl_dir(d->networks, sysctl);
        if (r >= 0)
                r = pouchd_quota_open(d, err);
        if (r < 0)
                return err->code ? err->code : err_set(err, r, "cannot open the stores");
        d->events = event_bus_new();
        if (!d->events)
                return err_set(err, -ENOMEM, "out of memory");
        r = containers_load(d);
        if (r < 0)
                return err_set(err, r, "cannot load containers: %s", strerror(-r));
        return 0;
}

static void *start_thread(void *p)
{
        struct api_inproc *h = p;
        h->start_r = 0;
        if (h->flags & API_INPROC_READONLY_HOST)
                h->start_r = enter_readonly_host(h->home, &h->start_err);
        if (h->start_r >= 0)
                h->start_r = open_stores(h, &h->start_err);
        if (h->start_r >= 0)
                h->start_r = http_server_start(&h->d, &h->servers, &h->nservers, &h->start_err);
        return NULL;
}

static int config_init(struct api_inproc *h)
{
        struct pouchd_config *c = &h->d.cfg;
        _cleanup_free_ char *listen = NULL;
        if (asprintf(&listen, "unix://%s", h->sock) < 0)
                return -ENOMEM;
        c->home = strdup(h->home);
        c->runtime = strdup("runc");
        c->quota_backend = strdup("none");
        c->default_stop_timeout = 10;
        if (!c->home || !c->runtime || !c->quota_backend || strv_push(&c->listen, listen) < 0)
                return -ENOMEM;
        return 0;
}

int api_inproc_new(unsigned flags, struct api_inproc **ret, struct pouch_err *err)
{
        struct api_inproc *h = calloc(1, sizeof(*h));
        if (!h)
                return err_set(err, -ENOMEM, "out of memory");
        h->flags = flags;
        h->d.lock_fd = -1;
        pthread_mutex_init(&h->d.lock, NULL);
        pthread_cond_init(&h->d.changed, NULL);
        clock_gettime(CLOCK_REALTIME, &h->d.started);
        const char *tmp = getenv("TMPDIR");
        if (asprintf(&h->home, "%s/pouch-api-XXXXXX", tmp && *tmp ? tmp : "/tmp") < 0) {
                free(h);
                return err_set(err, -ENOMEM, "out of memory");
        }
        int r;
        if (!mkdtemp(h->home)) {
                r = err_set(err, -errno, "mkdtemp %s: %m", h->home);
                free(h->home);
                h->home = NULL;
                goto fail;
        }
        h->sock = home_path(h, "pouchd.sock");
        if (!h->sock || config_init(h) < 0) {
                r = err_set(err, -ENOMEM, "out of memory");
                goto fail;
        }
        /* Started from a thread of its own: the server's threads inherit its mount namespace. */
        pthread_t t;
        if ((r = -pthread_create(&t, NULL, start_thread, h)) < 0) {
                r = err_set(err, r, "pthread_create: %s", strerror(-r));
                goto fail;
        }
        pthread_join(t, NULL);
        if ((r = h->start_r) < 0) {
                *err = h->start_err;
                if (!err->code)
                        err_set(err, r, "cannot start: %s", strerror(-r));
                goto fail;
        }
        *ret = h;
        return 0;
fail:
        api_inproc_free(h);
        return r;
}

struct api_inproc *api_inproc_free(struct api_inproc *h)
{
        if (!h)
                return NULL;
        struct pouchd *d = &h->d;
        pthread_mutex_lock(&d->lock);
        d->shutting_down = true;
        pthread_cond_broadcast(&d->changed);
        pthread_mutex_unlock(&d->lock);
        if (d->events)
                event_bus_close(d->events);
        http_server_stop(h->servers, h->nservers);
        pouchd_state_done(d);
        pthread_cond_destroy(&d->changed);
        pthread_mutex_destroy(&d->lock);
        if (h->home)
                (void) rm_rf(h->home);
        free(h->home);
        free(h->sock);
        free(h);
        return NULL;
}

struct pouchd *api_inproc_daemon(struct api_inproc *h)
{
        return &h->d;
}

const char *api_inproc_home(struct api_inproc *h)
{
        return h->home;
}

/* ---- the client side: one request per connection ----------------------------------------- */

struct buf {
        char *data;
        size_t len, cap;
};

static int buf_add(struct buf *b, const void *p, size_t n)
{
        if (b->len + n + 1 > b->cap) {
                size_t cap = b->cap ? b->cap : 4096;
                while (cap < b->len + n + 1)
                        cap *= 2;
                char *d = realloc(b->data, cap);
                if (!d)
                        return -ENOMEM;
                b->data = d;
                b->cap = cap;
        }
        memcpy(b->data + b->len, p, n);
        b->len += n;
        b->data[b->len] = '\0';
        return 0;
}

/* Send req then body while reading the answer (a server may answer before it read the body),
 * until the server closes the connection. */
static int exchange(int fd, const struct buf *req, const void *body, size_t body_len, struct buf *resp)
{
        size_t sent = 0, total = req->len + body_len;
        bool wr_open = true;
        for (;;) {
                struct pollfd p = { .fd = fd, .events = POLLIN | (wr_open && sent < total ? POLLOUT : 0) };
                int n = poll(&p, 1, REQUEST_TIMEOUT_MS);
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        return -errno;
                if (n == 0)
                        return -ETIMEDOUT;
                if ((p.revents & POLLOUT) && wr_open && sent < total) {
                        const char *src = sent < req->len ? req->data + sent : (const char *) body + (sent - req->len);
                        size_t len = sent < req->len ? req->len - sent : total - sent;
                        ssize_t w = send(fd, src, len, MSG_NOSIGNAL | MSG_DONTWAIT);
                        if (w > 0)
                                sent += (size_t) w;
                        else if (w < 0 && errno != EAGAIN && errno != EINTR)
                                wr_open = false; /* the server stopped reading: its answer follows */
                }
                if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
                        char chunk[65536];
                        ssize_t r = recv(fd, chunk, sizeof(chunk), MSG_DONTWAIT);
                        if (r == 0 || (r < 0 && errno == ECONNRESET))
                                return 0;
                        if (r < 0 && errno != EAGAIN && errno != EINTR)
                                return -errno;
                        if (r > 0 && buf_add(resp, chunk, (size_t) r) < 0)
                                return -ENOMEM;
                }
        }
}

static int dechunk(const char *p, size_t len, struct buf *out)
{
        const char *end = p + len;
        for (;;) {
                char *e;
                unsigned long n = strtoul(p, &e, 16);
                const char *crlf = memmem(p, (size_t) (end - p), "\r\n", 2);
                if (e == p || !crlf)
                        return -EPROTO;
                p = crlf + 2;
                if (n == 0)
                        return 0;
                if ((size_t) (end - p) < n + 2)
                        return -EPROTO;
                if (buf_add(out, p, n) < 0)
                        return -ENOMEM;
                p += n + 2;
        }
}

static int parse_response(const struct buf *resp, unsigned *ret_status, struct buf *body)
{
        unsigned status;
        if (resp->len < 12 || sscanf(resp->data, "HTTP/1.%*1[01] %3u", &status) != 1)
                return -EPROTO;
        const char *hend = memmem(resp->data, resp->len, "\r\n\r\n", 4);
        if (!hend)
                return -EPROTO;
        const char *b = hend + 4;
        size_t blen = resp->len - (size_t) (b - resp->data);
        _cleanup_free_ char *headers = strndup(resp->data, (size_t) (hend - resp->data));
        if (!headers)
                return -ENOMEM;
        int r = strcasestr(headers, "\r\ntransfer-encoding: chunked") ? dechunk(b, blen, body) : buf_add(body, b, blen);
        if (r < 0)
                return r;
        *ret_status = status;
        return 0;
}

int api_inproc_request_len(struct api_inproc *h, const char *method, const char *path_and_query, const void *body,
                           size_t body_len, unsigned *ret_status, char **ret_body, size_t *ret_body_len)
{
        _cleanup_close_ int fd = unix_connect(h->sock);
        if (fd < 0)
                return fd;
        struct buf req = { 0 }, resp = { 0 }, out = { 0 };
        char head[512];
        int n = snprintf(head, sizeof(head),
                         " HTTP/1.1\r\nHost: pouch\r\nConnection: close\r\nContent-Type: application/json\r\n"
                         "Content-Length: %zu\r\n\r\n",
                         body ? body_len : 0);
        int r = buf_add(&req, method, strlen(method));
        if (r >= 0)
                r = buf_add(&req, " ", 1);
        if (r >= 0)
                r = buf_add(&req, path_and_query, strlen(path_and_query));
        if (r >= 0)
                r = buf_add(&req, head, (size_t) n);
        if (r >= 0)
                r = exchange(fd, &req, body, body ? body_len : 0, &resp);
        if (r >= 0)
                r = parse_response(&resp, ret_status, &out);
        free(req.data);
        free(resp.data);
        if (r < 0) {
                free(out.data);
                return r;
        }
        if (!out.data && buf_add(&out, "", 0) < 0)
                return -ENOMEM;
        if (ret_body_len)
                *ret_body_len = out.len;
        if (ret_body)
                *ret_body = out.data;
        else
                free(out.data);
        return 0;
}

int api_inproc_request(struct api_inproc *h, const char *method, const char *path_and_query, const void *body,
                       size_t body_len, unsigned *ret_status, char **ret_body)
{
        return api_inproc_request_len(h, method, path_and_query, body, body_len, ret_status, ret_body, NULL);
}

/* ---- a tiny image -------------------------------------------------------------------------- */

static int write_rootfs_tar(int fd)
{
        struct archive *a = archive_write_new();
        if (!a)
                return -ENOMEM;
        int r = -EIO;
        struct archive_entry *e = archive_entry_new();
        static const char content[] = "hello\n";
        if (e && archive_write_set_format_pax_restricted(a) == ARCHIVE_OK &&
            archive_write_open_fd(a, fd) == ARCHIVE_OK) {
                archive_entry_set_pathname(e, "hello");
                archive_entry_set_filetype(e, AE_IFREG);
                archive_entry_set_perm(e, 0755);
                archive_entry_set_size(e, sizeof(content) - 1);
                if (archive_write_header(a, e) == ARCHIVE_OK &&
                    archive_write_data(a, content, sizeof(content) - 1) == (la_ssize_t) (sizeof(content) - 1) &&
                    archive_write_close(a) == ARCHIVE_OK)
                        r = 0;
        }
        archive_entry_free(e);
        archive_write_free(a);
        return r;
}

int api_inproc_add_image(struct api_inproc *h, const char *ref, const char *cmd, char ret_id[80])
{
        _cleanup_close_ int fd = memfd_create("rootfs.tar", MFD_CLOEXEC);
        if (fd < 0)
                return -errno;
        int r = write_rootfs_tar(fd);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return -errno;
        _cleanup_json_ json_t *changes = json_pack("{s:[s]}", "Cmd", cmd);
        if (!changes)
                return -ENOMEM;
        char id[80];
        struct pouch_err err = { 0 };
        r = image_import(h->d.images, fd, ref, changes, id, &err);
        if (r < 0)
                return r;
        if (ret_id)
                memcpy(ret_id, id, sizeof(id));
        return 0;
}
