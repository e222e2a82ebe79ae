/* Connection capacity of the API server: fd limit, connection limit, connections per peer uid. */
#include "http-limits.h"

#include "lib/cleanup.h"
#include "lib/fsutil.h"
#include "lib/log.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#define NOFILE_FALLBACK_MAX ((rlim_t) 1 << 20) /* the kernel's default fs.nr_open */

static rlim_t nr_open(void)
{
        _cleanup_free_ char *s = NULL;
        if (read_file("/proc/sys/fs/nr_open", 64, &s, NULL) < 0)
                return NOFILE_FALLBACK_MAX;
        unsigned long long v = strtoull(s, NULL, 10);
        return v > 0 ? (rlim_t) v : NOFILE_FALLBACK_MAX;
}

rlim_t nofile_raise(struct rlimit *ret_initial)
{
        struct rlimit rl;
        if (getrlimit(RLIMIT_NOFILE, &rl) < 0) {
                log_warn_errno(-errno, "Failed to read RLIMIT_NOFILE");
                rl = (struct rlimit){ 1024, 1024 };
                *ret_initial = rl;
                return rl.rlim_cur;
        }
        *ret_initial = rl;
        rlim_t want = rl.rlim_max;
        if (want == RLIM_INFINITY || want > nr_open())
                want = nr_open();
        if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur >= want)
                return rl.rlim_cur;
        struct rlimit raised = { .rlim_cur = want, .rlim_max = rl.rlim_max };
        if (setrlimit(RLIMIT_NOFILE, &raised) < 0) {
                log_warn_errno(-errno, "Failed to raise the soft fd limit from %llu to %llu",
                               (unsigned long long) rl.rlim_cur, (unsigned long long) want);
                return rl.rlim_cur;
        }
        log_debug("soft fd limit raised from %llu to %llu (containers keep %llu)", (unsigned long long) rl.rlim_cur,
                  (unsigned long long) want, (unsigned long long) rl.rlim_cur);
        return want;
}

unsigned http_connection_limit(rlim_t soft, size_t nlisteners)
{
        if (soft == RLIM_INFINITY || soft > NOFILE_FALLBACK_MAX)
                soft = NOFILE_FALLBACK_MAX;
        rlim_t per = (soft - soft / 4) / 4 / (nlisteners ? nlisteners : 1);
        if (per < 16)
                return 16;
        return per > 8192 ? 8192 : (unsigned) per;
}

struct peer_count {
        uid_t uid;
        unsigned n;
        bool warned;
};

struct peer_caps {
        pthread_mutex_t lock;
        unsigned cap;
        struct peer_count *ent;
        size_t n_ent, n_alloc;
};

struct peer_caps *peer_caps_new(unsigned cap)
{
        struct peer_caps *p = calloc(1, sizeof(*p));
        if (!p)
                return NULL;
        pthread_mutex_init(&p->lock, NULL);
        p->cap = cap;
        return p;
}

void peer_caps_free(struct peer_caps *p)
{
        if (!p)
                return;
        pthread_mutex_destroy(&p->lock);
        free(p->ent);
        free(p);
}

/* Entries of uids with open connections only: a handful of users, a linear search is enough. */
static struct peer_count *find_locked(struct peer_caps *p, uid_t uid)
{
        for (size_t i = 0; i < p->n_ent; i++)
                if (p->ent[i].uid == uid)
                        return &p->ent[i];
        return NULL;
}

bool peer_caps_acquire(struct peer_caps *p, uid_t uid)
{
        if (uid == 0 || p->cap == 0)
                return true;
        bool ok = true;
        pthread_mutex_lock(&p->lock);
        struct peer_count *e = find_locked(p, uid);
        if (!e) {
                if (p->n_ent == p->n_alloc) {
                        size_t n = p->n_alloc ? p->n_alloc * 2 : 8;
                        struct peer_count *ne = realloc(p->ent, n * sizeof(*ne));
                        if (!ne) {
                                pthread_mutex_unlock(&p->lock);
                                return false;
                        }
                        p->ent = ne;
                        p->n_alloc = n;
                }
                e = &p->ent[p->n_ent++];
                *e = (struct peer_count){ .uid = uid };
        }
        if (e->n >= p->cap) {
                if (!e->warned)
                        log_warn("uid %u holds %u API connections, the --max-connections-per-peer limit; refusing more",
                                 (unsigned) uid, e->n);
                e->warned = true;
                ok = false;
        } else
                e->n++;
        pthread_mutex_unlock(&p->lock);
        return ok;
}

void peer_caps_release(struct peer_caps *p, uid_t uid)
{
        if (uid == 0 || p->cap == 0)
                return;
        pthread_mutex_lock(&p->lock);
        struct peer_count *e = find_locked(p, uid);
        if (e && e->n > 0 && --e->n == 0)
                *e = p->ent[--p->n_ent];
        else if (e && e->n < p->cap / 2)
                e->warned = false;
        pthread_mutex_unlock(&p->lock);
}

/* socket_context of a refused connection; a counted one holds uid + 1, others NULL */
#define REFUSED ((void *) UINTPTR_MAX)

/* Answer 503 at once and stop writing: the client may still send its request and then reads the
 * answer and EOF; the request handler closes the connection (peer_caps_refused), and a client
 * that sends nothing is dropped after a second. */
static void refuse(struct MHD_Connection *conn, int fd, uid_t uid, unsigned cap)
{
        char body[160], msg[384];
        int bl = snprintf(body, sizeof(body), "{\"message\":\"too many connections from uid %u (limit %u)\"}\n",
                          (unsigned) uid, cap);
        int ml = snprintf(msg, sizeof(msg),
                          "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\n"
                          "Connection: close\r\nContent-Length: %d\r\n\r\n%s",
                          bl, body);
        /* a fresh socket: the short answer fits its buffer */
        if (send(fd, msg, (size_t) ml, MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
                log_debug_errno(-errno, "Failed to answer a refused connection");
        shutdown(fd, SHUT_WR);
        MHD_set_connection_option(conn, MHD_CONNECTION_OPTION_TIMEOUT, 1u);
}

bool peer_caps_refused(struct MHD_Connection *conn)
{
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
        return ci && ci->socket_context == REFUSED;
}

void peer_caps_notify(void *cls, struct MHD_Connection *conn, void **socket_context,
                      enum MHD_ConnectionNotificationCode code)
{
        struct peer_caps *p = cls;
        if (code == MHD_CONNECTION_NOTIFY_CLOSED) {
                if (*socket_context && *socket_context != REFUSED)
                        peer_caps_release(p, (uid_t) ((uintptr_t) *socket_context - 1));
                *socket_context = NULL;
                return;
        }
        const union MHD_ConnectionInfo *ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        int domain = 0;
        struct ucred cred;
        socklen_t dlen = sizeof(domain), len = sizeof(cred);
        /* only unix sockets carry the peer's credentials (a socket-activated TCP one would say "nobody") */
        if (!ci || getsockopt(ci->connect_fd, SOL_SOCKET, SO_DOMAIN, &domain, &dlen) < 0 || domain != AF_UNIX ||
            getsockopt(ci->connect_fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0 || cred.uid == 0)
                return;
        if (!peer_caps_acquire(p, cred.uid)) {
                *socket_context = REFUSED;
                refuse(conn, ci->connect_fd, cred.uid, p->cap);
                return;
        }
        *socket_context = (void *) ((uintptr_t) cred.uid + 1);
}
