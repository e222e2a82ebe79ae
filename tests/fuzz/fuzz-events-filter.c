/* The "filters" of GET /events (daemon/events.c event_matches): input is the filters JSON, a NUL,
 * then an event (a fixed container event when it does not parse). Matching never crashes on any
 * shape; no filter matches everything; an empty filter object matches everything. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/events.h"

#include <jansson.h>

static const char fallback[] = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"0123abcd\","
                               "\"Attributes\":{\"name\":\"web\",\"image\":\"busybox\",\"a\":\"b\"}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *ftext, *etext;
        fuzz_split2(data, size, &ftext, &etext);
        json_t *filters = json_loads(ftext, JSON_DECODE_ANY, NULL);
        json_t *ev = json_loads(etext, JSON_DECODE_ANY, NULL);
        if (!ev)
                ev = json_loads(fallback, 0, NULL);
        FUZZ_CHECK(ev);
        if (filters) {
                bool m = event_matches(ev, filters);
                if (!json_is_object(filters) || json_object_size(filters) == 0)
                        FUZZ_CHECK(m);
        }
        json_t *empty = json_object();
        FUZZ_CHECK(event_matches(ev, empty));
        json_decref(empty);
        json_decref(filters);
        json_decref(ev);
        free(ftext);
        return 0;
}
