/* Internal state of the logs reader, shared by the line/frame code and the file walker. */
#pragma once

#include "daemon/logs/logs-reader.h"

#include <stddef.h>
#include <sys/types.h>

/* A json-file line is at most ~16 KiB of payload, escaped; anything far bigger is garbage. */
#define LOGS_MAX_LINE (4u << 20)

struct logs_ctx {
        const struct logs_options *o;
        int out_fd;
        char *pend; /* incomplete line carried between reads */
        size_t pend_len, pend_cap;
        bool skip_line; /* dropping an over-long line until its newline */
        char *out;      /* frame being written */
        size_t out_cap;
};

/* Parse one line (without '\n') and write its frame. 0 = written or skipped, 1 = past until
 * (stop reading), -errno on write failure (-EPIPE when the client went away). */
int logs_emit_line(struct logs_ctx *c, const char *line, size_t len);
/* Feed raw file bytes; complete lines are emitted. Same returns as logs_emit_line. */
int logs_feed(struct logs_ctx *c, const char *data, size_t len);
/* Forget a partial line (end of a rotated file, truncation). */
void logs_reset_partial(struct logs_ctx *c);
