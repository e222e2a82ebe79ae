/* Restart back-off: RestartSec, doubled at each consecutive quick failure, capped. */
#include "backoff.h"

void backoff_init(struct backoff *b, int64_t base_ms)
{
        b->base_ms = base_ms < 0 ? 0 : base_ms;
        b->quick_failures = 0;
}

int64_t backoff_next(struct backoff *b, int64_t run_ms)
{
        if (run_ms >= BACKOFF_QUICK_RUN_MS) {
                b->quick_failures = 0;
                return b->base_ms;
        }
        if (b->quick_failures < 64)
                b->quick_failures++;
        if (b->base_ms >= BACKOFF_MAX_MS)
                return b->base_ms;
        int64_t d = b->base_ms;
        for (unsigned i = 1; i < b->quick_failures && d < BACKOFF_MAX_MS; i++)
                d = d < 50 ? 100 : d * 2; /* RestartSec=0 still backs off */
        return d > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : d;
}
