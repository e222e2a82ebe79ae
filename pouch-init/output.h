/* Output of services: read from their pipe, written to pouch-init's stdout one line at a time
 * with a "[NAME] " prefix. A partial line is held until its newline, until 4 KiB have piled up,
 * or until it is flushed (the service's exit, pouch-init's). */
#pragma once

#include "log-ring.h"

#include <stddef.h>

#define OUTPUT_LINE_MAX 4096

struct line_prefixer {
        char *prefix; /* "[NAME] " */
        size_t prefix_len;
        char line[OUTPUT_LINE_MAX];
        size_t len;
        struct log_ring *ring; /* also keeps the last lines there, when set */
        /* StandardOutput=syslog with a syslog daemon in the image: each line is sent to it as a
         * message tagged with the name (to our stdout when it cannot be sent) */
        const char *syslog_path;
        int syslog_fd; /* -1 until the first line */
        char *tag;
};

/* Every field set (no ring, no syslog): 0 or -ENOMEM. */
int line_prefixer_init(struct line_prefixer *lp, const char *name);
void line_prefixer_free(struct line_prefixer *lp);
/* StandardOutput=syslog: "[syslog] NAME: " lines on our stdout (path NULL: pouch-init is the
 * syslog), or messages to the syslog daemon at path. 0 or -ENOMEM. */
int line_prefixer_to_syslog(struct line_prefixer *lp, const char *name, const char *path);
/* Take n bytes of output; write the complete lines to out_fd. */
void line_prefixer_feed(struct line_prefixer *lp, int out_fd, const char *data, size_t n);
/* Write a held partial line (with a newline added). */
void line_prefixer_flush(struct line_prefixer *lp, int out_fd);

/* Read what fd (non-blocking) has now, at most max_reads reads, passing each chunk to fn:
 * 1 when the writers are gone (EOF), 0 when nothing more is available, -errno. */
int drain_fd(int fd, int max_reads, void (*fn)(void *ud, const char *data, size_t n), void *ud);
