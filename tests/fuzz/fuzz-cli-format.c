/* The CLI's Go-template subset (cli/format.c): input is a template, a NUL, then a JSON document
 * (a fixed one when it does not parse). Output is valid UTF-8 whenever the template is (it goes
 * to the terminal), and a template without actions renders to its own text. */
#include "tests/fuzz/fuzz-common.h"

#include "cli/cli.h"

#include <jansson.h>

static const char fallback[] =
        "{\"Id\":\"abc\",\"Names\":[\"/x\"],\"Config\":{\"Labels\":{\"a\":\"b\"},\"Env\":[]},"
        "\"Size\":12,\"Ratio\":1.5,\"On\":true,\"Nil\":null,\"Arr\":[[1,2],{\"k\":\"\\u00e9\"}]}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *tmpl, *doc_text;
        fuzz_split2(data, size, &tmpl, &doc_text);
        json_t *doc = json_loads(doc_text, JSON_DECODE_ANY, NULL);
        if (!doc)
                doc = json_loads(fallback, 0, NULL);
        FUZZ_CHECK(doc);
        char *out = template_render(tmpl, doc);
        FUZZ_CHECK(out);
        if (fuzz_utf8_valid(tmpl, strlen(tmpl)))
                FUZZ_CHECK(fuzz_utf8_valid(out, strlen(out)));
        if (!strstr(tmpl, "{{") && !strchr(tmpl, '\\'))
                FUZZ_STREQ(out, tmpl);
        free(out);
        json_decref(doc);
        free(tmpl);
        return 0;
}
