/* Restart back-off: RestartSec, doubled at each consecutive quick failure, capped.
 *
 * A run shorter than BACKOFF_QUICK_RUN_MS is a quick failure. The delay before the next start is
 * base_ms after the first quick failure (or after any long run), then doubles with each further
 * consecutive quick failure, up to BACKOFF_MAX_MS (a RestartSec above the cap is used as is). A
 * run of at least BACKOFF_QUICK_RUN_MS resets the count. Below 50 ms the doubling starts from
 * 100 ms, so that RestartSec=0 restarts at once only the first time. */
#pragma once

#include <stdint.h>

#define BACKOFF_QUICK_RUN_MS 10000
#define BACKOFF_MAX_MS 30000

struct backoff {
        int64_t base_ms;
        unsigned quick_failures; /* consecutive runs shorter than BACKOFF_QUICK_RUN_MS */
};

void backoff_init(struct backoff *b, int64_t base_ms);
/* A run of run_ms just ended: the delay in ms before the next start. */
int64_t backoff_next(struct backoff *b, int64_t run_ms);
