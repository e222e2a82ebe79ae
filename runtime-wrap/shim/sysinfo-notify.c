/* seccomp user notifications for sysinfo(2), served from the shim's event loop.
 *
 * Each answer: read the notification, compute the container's struct sysinfo, open
 * /proc/PID/mem, check the notification is still valid (so PID is still the caller, not a reused
 * pid), write the struct at the caller's pointer and answer 0. On any failure, or for a call that
 * is not the native sysinfo, the answer is SECCOMP_USER_NOTIF_FLAG_CONTINUE: the kernel runs the
 * real syscall, so a fault here can never make sysinfo hang or fail. */
#include "sysinfo-notify.h"
#include "io-loop.h"
#include "sysinfo-cgroup.h"

#include "lib/cleanup.h"
#include "lib/jsonutil.h"
#include "lib/log.h"
#include "lib/unixsock.h"

#include <errno.h>
#include <fcntl.h>
#include <seccomp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SECCOMP_USER_NOTIF_FLAG_CONTINUE
#define SECCOMP_USER_NOTIF_FLAG_CONTINUE (1UL << 0)
#endif

/* One notify fd per process the runtime started (init, each exec); each closes when its process
 * and children are gone. Past this, further ones are refused (their sysinfo fails with ENOSYS). */
#define MAX_NOTIFY_FDS 1024
#define MAX_PENDING 16

struct nwatch {
        struct watch w;
        struct sysinfo_notify *owner;
        struct nwatch *next;
        bool is_conn; /* a runtime's connection (waiting for its fd), else a notify fd */
};

struct sysinfo_notify {
        char *path;
        struct watch listen;
        struct nwatch *watches;
        unsigned nconn, nfds;
        struct seccomp_notif *req;
        struct seccomp_notif_resp *resp;
        size_t req_size, resp_size; /* as the kernel has them (at least our structs' sizes) */
        uint32_t native_arch;
        struct cg_dirs cg;
};

static void nwatch_drop(struct io_loop *l, struct nwatch *x)
{
        struct sysinfo_notify *n = x->owner;
        for (struct nwatch **p = &n->watches; *p; p = &(*p)->next)
                if (*p == x) {
                        *p = x->next;
                        break;
                }
        if (x->is_conn)
                n->nconn--;
        else
                n->nfds--;
        if (l)
                watch_close(l, &x->w);
        else
                close(x->w.fd);
        /* safe to free here: epoll reports a watch once per batch and only its own callback drops it */
        free(x);
}

/* Write the container's struct sysinfo at the caller's pointer. 0, or -errno (then CONTINUE). */
static int write_sysinfo(struct sysinfo_notify *n, int fd, const struct seccomp_notif *req)
{
        struct sysinfo host, si;
        struct cg_sysinfo cg;
        if (sysinfo(&host) < 0)
                return -errno;
        cg_sysinfo_read(&n->cg, &cg);
        sysinfo_for_container(&host, &cg, &si);
        char path[64];
        snprintf(path, sizeof(path), "/proc/%u/mem", req->pid);
        _cleanup_close_ int mem = open(path, O_WRONLY | O_CLOEXEC);
        if (mem < 0)
                return -errno;
        /* mem was opened for the caller only if the notification is still pending now (a pid
         * checked first could be reused before the open). Unlike the real syscall, a write here
         * also reaches a read-only private page of the caller: it could change that page itself. */
        if (seccomp_notify_id_valid(fd, req->id) < 0)
                return -ESRCH;
        ssize_t w = pwrite(mem, &si, sizeof(si), (off_t) req->data.args[0]);
        return w == (ssize_t) sizeof(si) ? 0 : -EFAULT;
}

static void on_notify(struct io_loop *l, struct watch *w, uint32_t revents)
{
        struct nwatch *x = (struct nwatch *) w;
        struct sysinfo_notify *n = x->owner;
        if (!(revents & EPOLLIN)) {
                nwatch_drop(l, x); /* EPOLLHUP: no process uses the filter any more */
                return;
        }
        /* the kernel wants a zeroed buffer, and libseccomp does not clear it */
        memset(n->req, 0, n->req_size);
        /* never blocks after EPOLLIN: a notification whose caller died meanwhile gives ENOENT */
        if (seccomp_notify_receive(w->fd, n->req) < 0) {
                if (errno != ENOENT && errno != EINTR) {
                        log_debug_errno(-errno, "seccomp notify receive failed, dropping the fd");
                        nwatch_drop(l, x);
                }
                return;
        }
        struct seccomp_notif *req = n->req;
        struct seccomp_notif_resp *resp = n->resp;
        int r = -ENOSYS;
        if (req->data.nr == __NR_sysinfo && req->data.arch == n->native_arch)
                r = write_sysinfo(n, w->fd, req);
        memset(resp, 0, n->resp_size);
        resp->id = req->id;
        resp->flags = r < 0 ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
        if (seccomp_notify_respond(w->fd, resp) < 0 && errno != ENOENT)
                log_debug_errno(-errno, "seccomp notify response failed");
}

static bool is_seccomp_notify_fd(int fd)
{
        char path[64], target[64];
        snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
        ssize_t k = readlink(path, target, sizeof(target) - 1);
        if (k < 0)
                return false;
        target[k] = '\0';
        return STREQ(target, "anon_inode:seccomp notify");
}

static int nwatch_add(struct sysinfo_notify *n, int fd, bool is_conn)
{
        struct nwatch *x = calloc(1, sizeof(*x));
        if (!x)
                return -ENOMEM;
        *x = (struct nwatch){ .w = { .fd = fd, .cb = NULL }, .owner = n, .next = n->watches, .is_conn = is_conn };
        n->watches = x;
        if (is_conn)
                n->nconn++;
        else
                n->nfds++;
        return 0;
}

/* Watch a notify fd the runtime passed (owned from here on). */
static void take_notify_fd(struct io_loop *l, struct sysinfo_notify *n, int fd)
{
        if (!is_seccomp_notify_fd(fd) || n->nfds >= MAX_NOTIFY_FDS) {
                log_error("seccomp listener: refusing a passed fd (%s)",
                          n->nfds >= MAX_NOTIFY_FDS ? "too many" : "not a seccomp notify fd");
                close(fd);
                return;
        }
        if (nwatch_add(n, fd, false) < 0) {
                close(fd);
                return;
        }
        n->watches->w.cb = on_notify;
        watch_update(l, &n->watches->w, EPOLLIN);
}

/* The runtime's message: its state JSON with the notify fd attached (the JSON is not needed). */
static void on_conn(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        struct nwatch *x = (struct nwatch *) w;
        char buf[4096];
        int fd = -1;
        ssize_t k = unix_recv_fd(w->fd, buf, sizeof(buf), &fd);
        if (k == -EAGAIN || (k > 0 && fd < 0))
                return; /* no fd yet: runc attaches it to the first byte, others might not */
        if (fd >= 0)
                take_notify_fd(l, x->owner, fd);
        nwatch_drop(l, x);
}

static void on_listen(struct io_loop *l, struct watch *w, uint32_t revents)
{
        (void) revents;
        struct sysinfo_notify *n = (struct sysinfo_notify *) ((char *) w - offsetof(struct sysinfo_notify, listen));
        int c = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (c < 0)
                return;
        if (n->nconn >= MAX_PENDING || nwatch_add(n, c, true) < 0) {
                close(c);
                return;
        }
        n->watches->w.cb = on_conn;
        watch_update(l, &n->watches->w, EPOLLIN);
        /* the runtime sent its message before we accepted: take the fd now, free the slot */
        on_conn(l, &n->watches->w, EPOLLIN);
}

/* Buffers of the kernel's sizes (larger than our headers' on a newer kernel). */
static int notify_buffers(struct sysinfo_notify *n)
{
        /* libseccomp's notify calls work only once it probed the kernel (API level 5: notify) */
        if (seccomp_api_get() < 5)
                return -EOPNOTSUPP;
        struct seccomp_notif_sizes sizes = { 0 };
        if (syscall(__NR_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &sizes) < 0)
                return -errno;
        n->req_size = sizes.seccomp_notif > sizeof(struct seccomp_notif) ? sizes.seccomp_notif
                                                                         : sizeof(struct seccomp_notif);
        n->resp_size = sizes.seccomp_notif_resp > sizeof(struct seccomp_notif_resp) ? sizes.seccomp_notif_resp
                                                                                    : sizeof(struct seccomp_notif_resp);
        n->req = calloc(1, n->req_size);
        n->resp = calloc(1, n->resp_size);
        return n->req && n->resp ? 0 : -ENOMEM;
}

static char *listener_path(const char *bundle)
{
        char path[4096];
        snprintf(path, sizeof(path), "%s/config.json", bundle);
        _cleanup_json_ json_t *spec = json_load_file(path, 0, NULL);
        const char *p = json_string_value(
                json_object_get(json_object_get(json_object_get(spec, "linux"), "seccomp"), "listenerPath"));
        return p && p[0] == '/' ? strdup(p) : NULL;
}

int sysinfo_notify_listen(const char *bundle, struct sysinfo_notify **ret)
{
        *ret = NULL;
        _cleanup_free_ char *path = listener_path(bundle);
        if (!path)
                return 0;
        struct sysinfo_notify *n = calloc(1, sizeof(*n));
        if (!n)
                return -ENOMEM;
        n->cg = (struct cg_dirs){ .mem_fd = -1, .pids_fd = -1, .start_s = -1 };
        n->native_arch = seccomp_arch_native();
        n->listen = (struct watch){ .fd = -1, .cb = on_listen };
        int r = notify_buffers(n);
        if (r >= 0)
                r = n->listen.fd = unix_listen(path, 0600);
        if (r < 0) {
                free(n->req);
                free(n->resp);
                free(n);
                return r;
        }
        n->path = TAKE_PTR(path);
        *ret = n;
        return 0;
}

int sysinfo_notify_start(struct sysinfo_notify *n, struct io_loop *l, pid_t init_pid)
{
        if (!n)
                return 0;
        cg_dirs_open(init_pid, &n->cg);
        watch_update(l, &n->listen, EPOLLIN);
        return 0;
}

void sysinfo_notify_free(struct sysinfo_notify *n, struct io_loop *l)
{
        if (!n)
                return;
        while (n->watches)
                nwatch_drop(l, n->watches);
        if (l)
                watch_close(l, &n->listen);
        else
                close(n->listen.fd);
        unlink(n->path);
        free(n->path);
        cg_dirs_close(&n->cg);
        free(n->req);
        free(n->resp);
        free(n);
}
