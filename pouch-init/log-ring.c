/* The last lines a service wrote. */
#include "log-ring.h"

#include <stdlib.h>
#include <string.h>

void log_ring_push(struct log_ring *r, const char *data, size_t n, time_t at)
{
        if (n > LOG_RING_LINE_MAX)
                n = LOG_RING_LINE_MAX;
        char *copy = malloc(n + 1);
        if (!copy)
                return; /* a line less in the status: not worth failing for */
        memcpy(copy, data, n);
        copy[n] = '\0';
        free(r->line[r->next]);
        r->line[r->next] = copy;
        r->at[r->next] = at;
        r->next = (r->next + 1) % LOG_RING_LINES;
        if (r->n < LOG_RING_LINES)
                r->n++;
}

const char *log_ring_get(const struct log_ring *r, size_t i, time_t *ret_at)
{
        if (i >= r->n)
                return NULL;
        size_t k = (r->next + LOG_RING_LINES - r->n + i) % LOG_RING_LINES;
        if (ret_at)
                *ret_at = r->at[k];
        return r->line[k];
}

void log_ring_free(struct log_ring *r)
{
        for (size_t i = 0; i < LOG_RING_LINES; i++)
                free(r->line[i]);
        memset(r, 0, sizeof(*r));
}
