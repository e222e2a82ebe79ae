/* The last lines a service wrote, for `systemctl status NAME` (a VM's journal of that unit). */
#pragma once

#include <stddef.h>
#include <time.h>

#define LOG_RING_LINES 10
#define LOG_RING_LINE_MAX 512 /* longer lines are cut */

struct log_ring {
        char *line[LOG_RING_LINES];
        time_t at[LOG_RING_LINES];
        size_t next; /* where the next line goes */
        size_t n;    /* how many are held */
};

/* Keep a copy of data[0..n) (cut to LOG_RING_LINE_MAX), dropping the oldest line when full. */
void log_ring_push(struct log_ring *r, const char *data, size_t n, time_t at);
/* The i-th held line, oldest first (i < r->n); *ret_at its time. */
const char *log_ring_get(const struct log_ring *r, size_t i, time_t *ret_at);
void log_ring_free(struct log_ring *r);
