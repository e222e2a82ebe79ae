/* Lexical cleaning of tar entry names (daemon/image/layer-safe-path.c): a cleaned name is relative,
 * has no "..", "." or empty component, cleans to itself, and a name with a ".." component is
 * refused. */
#include "tests/fuzz/fuzz-common.h"

#include "daemon/image/layer-internal.h"

#include <limits.h>

static bool has_component(const char *s, const char *c)
{
        size_t n = strlen(c);
        for (const char *p = s; (p = strstr(p, c)); p++)
                if ((p == s || p[-1] == '/') && (p[n] == '\0' || p[n] == '/'))
                        return true;
        return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        char rel[PATH_MAX], again[PATH_MAX];
        struct pouch_err err = { 0 };
        int r = safe_clean_path(s, rel, sizeof(rel), &err);
        if (r == 0) {
                FUZZ_CHECK(!has_component(s, ".."));
                FUZZ_CHECK(rel[0] != '/');
                FUZZ_CHECK(!has_component(rel, "..") && !has_component(rel, "."));
                FUZZ_CHECK(!strstr(rel, "//"));
                FUZZ_CHECK(!*rel || rel[strlen(rel) - 1] != '/');
                FUZZ_CHECK(strlen(rel) <= strlen(s));
                FUZZ_CHECK(safe_clean_path(rel, again, sizeof(again), &err) == 0);
                FUZZ_STREQ(again, rel);
        } else {
                FUZZ_CHECK(r == -EINVAL || r == -ENAMETOOLONG);
                FUZZ_CHECK(err.code == r && err.msg[0]);
                FUZZ_CHECK(r == -ENAMETOOLONG || has_component(s, ".."));
        }
        free(s);
        return 0;
}
