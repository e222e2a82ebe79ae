/* The answers to control requests (ctl-proto.h) about the supervised services: start, stop,
 * restart, reload, status, is-active, enable, ... A request that changes a service is answered
 * once the change is over (started, stopped, failed), as systemctl waits for its job. */
#pragma once

#include "buf.h"
#include "ctl-proto.h"
#include "service.h"

#include <stdbool.h>
#include <stdint.h>

struct ctl_target {
        struct service *svc;
        size_t n;
        const struct child_ctx *ctx;
        const char *root;   /* "" in the container: where enable/disable write */
        bool starting;      /* the services are still being started */
        bool shutting_down; /* the container is stopping: no more starts */
};

/* Answer rq: 1 with the answer in *code, *fd (1 stdout, 2 stderr) and text, or 0 when it is not
 * over yet: call again (first false) until it is; timed_out: give up and answer. */
int service_ctl_handle(struct ctl_target *t, const struct ctl_request *rq, bool first, bool timed_out, int64_t now,
                       struct buf *text, int *code, int *fd);
/* Start the services a restart request stopped, once they are down. */
void service_ctl_tick(struct ctl_target *t, int64_t now);
