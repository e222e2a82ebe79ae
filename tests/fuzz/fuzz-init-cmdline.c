/* pouch-init's command-line splitting (pouch-init/cmdline-split.c): the words it returns, quoted
 * back with escapes, split into the same words. */
#include "tests/fuzz/fuzz-common.h"

#include "pouch-init/buf.h"
#include "pouch-init/cmdline-split.h"

/* One word as "..." with every byte outside printable ASCII (and \ " ') as an escape. */
static void quote_word(struct buf *b, const char *w)
{
        FUZZ_CHECK(buf_putc(b, '"') == 0);
        for (const unsigned char *p = (const unsigned char *) w; *p; p++) {
                if (*p == '\\' || *p == '"' || *p == '\'')
                        FUZZ_CHECK(buf_printf(b, "\\%c", *p) == 0);
                else if (*p < 0x20 || *p >= 0x7f)
                        FUZZ_CHECK(buf_printf(b, "\\x%02x", *p) == 0);
                else
                        FUZZ_CHECK(buf_putc(b, (char) *p) == 0);
        }
        FUZZ_CHECK(buf_puts(b, "\" ") == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
        char *s = fuzz_str(data, size);
        struct strv words = { 0 };
        const char *err = NULL;
        int r = cmdline_split(s, &words, &err);
        FUZZ_CHECK(r == 0 || (r == -EINVAL && err && *err));
        if (r == 0) {
                struct buf line = { 0 };
                for (size_t i = 0; i < words.n; i++) {
                        FUZZ_CHECK(words.v[i]);
                        quote_word(&line, words.v[i]);
                }
                struct strv again = { 0 };
                FUZZ_CHECK(cmdline_split(buf_str(&line), &again, &err) == 0);
                FUZZ_CHECK(again.n == words.n);
                for (size_t i = 0; i < words.n; i++)
                        FUZZ_STREQ(again.v[i], words.v[i]);
                strv_free(&again);
                buf_free(&line);
        }
        strv_free(&words);
        free(s);
        return 0;
}
