/* lib/util.c parsers for client-given values (`since`/`until` timestamps, sizes): a parsed
 * timestamp formats as RFC 3339 and parses back to the same instant; sizes are positive or zero. */
#include "tests/fuzz/fuzz-common.h"

#include "lib/util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        struct timespec ts, again;
        if (parse_timestamp(s, &ts) == 0) {
                FUZZ_CHECK(ts.tv_nsec >= 0 && ts.tv_nsec < 1000000000);
                char buf[64];
                format_rfc3339nano(&ts, buf, sizeof(buf));
                if (ts.tv_sec >= 0 && ts.tv_sec < 253402300800LL) { /* years 1970..9999 */
                        FUZZ_CHECK(parse_timestamp(buf, &again) == 0);
                        FUZZ_CHECK(again.tv_sec == ts.tv_sec && again.tv_nsec == ts.tv_nsec);
                }
        }
        int64_t v;
        if (parse_size(s, &v) == 0)
                FUZZ_CHECK(v >= 0);
        free(s);
        return 0;
}
