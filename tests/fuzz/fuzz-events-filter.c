/* The "filters" of GET /events: input is the filters query text (daemon/filters.c filters_parse,
 * the map or the list form), a NUL, then an event (a fixed container event when it does not
 * parse), matched with daemon/events.c event_matches. Parsing and matching never crash on any
 * shape; a refused filter says why; an empty filter set matches every event. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/events.h"
#include "daemon/filters.h"

#include <jansson.h>

static const char fallback[] = "{\"Type\":\"container\",\"Action\":\"start\",\"Actor\":{\"ID\":\"0123abcd\","
                               "\"Attributes\":{\"name\":\"web\",\"image\":\"busybox\",\"a\":\"b\"}}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *ftext, *etext;
        fuzz_split2(data, size, &ftext, &etext);
        json_t *ev = json_loads(etext, JSON_DECODE_ANY, NULL);
        if (!ev)
                ev = json_loads(fallback, 0, NULL);
        FUZZ_CHECK(ev);
        struct filters *f = NULL;
        struct pouch_err err = { 0 };
        if (filters_parse(ftext, NULL, &f, &err) < 0) {
                FUZZ_CHECK(!f);
                FUZZ_CHECK(err.code < 0 && err.msg[0]);
        } else {
                FUZZ_CHECK(f);
                bool m = event_matches(ev, f);
                if (filters_empty(f))
                        FUZZ_CHECK(m);
        }
        filters_free(f);
        FUZZ_CHECK(event_matches(ev, NULL));
        json_decref(ev);
        free(ftext);
        return 0;
}
