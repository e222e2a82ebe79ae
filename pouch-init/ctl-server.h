/* The control socket STATE_DIR/ctl.sock (ctl-proto.h), served from pouch-init's poll loop without
 * ever blocking it: non-blocking sockets, at most CTL_CLIENTS_MAX connections at a time (others
 * wait in the listen backlog), a request must arrive within CTL_READ_MS, a request that waits
 * for a service (start, stop, ...) is answered after at most CTL_WAIT_MS. */
#pragma once

#include "buf.h"
#include "ctl-proto.h"

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>

#define CTL_CLIENTS_MAX 8
#define CTL_READ_MS 2000
#define CTL_WAIT_MS 120000

/* Answer rq (see service_ctl_handle): 1 answered (code, fd, text), 0 ask again later. */
typedef int (*ctl_handler_fn)(void *ud, const struct ctl_request *rq, bool first, bool timed_out, struct buf *text,
                              int *code, int *fd);

struct ctl_client {
        int fd;
        char buf[CTL_REQUEST_MAX];
        size_t len;
        int64_t deadline;
        bool waiting; /* the request was read, its answer is not ready */
        bool root;    /* the peer is uid 0: it may change things */
        struct ctl_request rq;
};

struct ctl_server {
        int fd; /* -1: not listening */
        char *path;
        struct ctl_client clients[CTL_CLIENTS_MAX];
        size_t n;
};

void ctl_server_init(struct ctl_server *srv);
/* Listen at STATE_DIR/ctl.sock (mode 0666: anyone may ask for a status; only uid 0, told by
 * SO_PEERCRED, may start, stop, enable, ...): 0 or -errno. */
int ctl_server_open(struct ctl_server *srv, const char *state_dir);
void ctl_server_close(struct ctl_server *srv);
/* Add what to poll to fds (room for 1 + CTL_CLIENTS_MAX): how many were added. */
size_t ctl_server_pollfds(const struct ctl_server *srv, struct pollfd *fds);
/* Handle what poll() reported in the fds ctl_server_pollfds added. */
void ctl_server_dispatch(struct ctl_server *srv, const struct pollfd *fds, size_t n, ctl_handler_fn fn, void *ud,
                         int64_t now);
/* Answer the waiting requests that are ready, drop the clients past their deadline; lower *next
 * to the next deadline. */
void ctl_server_tick(struct ctl_server *srv, ctl_handler_fn fn, void *ud, int64_t now, int64_t *next);
