#include "utf8.h"

#include "cleanup.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static bool is_cont(unsigned char c)
{
        return (c & 0xC0) == 0x80;
}

/* The ranges of Unicode's table of well-formed byte sequences (3.9, table 3-7): the second byte's
 * bounds depend on the first, which excludes overlong forms, surrogates and values past U+10FFFF. */
size_t utf8_sequence_len(const unsigned char *s, size_t n)
{
        if (n == 0 || s[0] == 0)
                return 0;
        unsigned char c = s[0];
        if (c < 0x80)
                return 1;
        size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
                len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
                len = 3;
                if (c == 0xE0)
                        lo = 0xA0;
                else if (c == 0xED)
                        hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
                len = 4;
                if (c == 0xF0)
                        lo = 0x90;
                else if (c == 0xF4)
                        hi = 0x8F;
        } else {
                return 0;
        }
        if (n < len || s[1] < lo || s[1] > hi)
                return 0;
        for (size_t i = 2; i < len; i++)
                if (!is_cont(s[i]))
                        return 0;
        return len;
}

bool utf8_is_valid(const char *s)
{
        const unsigned char *p = (const unsigned char *) s;
        size_t n = strlen(s);
        while (n > 0) {
                size_t k = utf8_sequence_len(p, n);
                if (k == 0)
                        return false;
                p += k;
                n -= k;
        }
        return true;
}

char *utf8_escape_invalidn(const char *s, size_t n)
{
        const unsigned char *p = (const unsigned char *) s;
        /* at worst every byte becomes four characters */
        if (n > (SIZE_MAX - 1) / 4)
                return NULL;
        char *out = malloc(n * 4 + 1), *o = out;
        if (!out)
                return NULL;
        static const char hex[] = "0123456789abcdef";
        size_t i = 0;
        while (i < n) {
                size_t k = utf8_sequence_len(p + i, n - i);
                if (k > 0) {
                        memcpy(o, p + i, k);
                        o += k;
                        i += k;
                        continue;
                }
                *o++ = '\\';
                *o++ = 'x';
                *o++ = hex[p[i] >> 4];
                *o++ = hex[p[i] & 0xF];
                i++;
        }
        *o = '\0';
        return out;
}

char *utf8_escape_invalid(const char *s)
{
        return utf8_escape_invalidn(s, strlen(s));
}

json_t *json_stringn_utf8(const char *s, size_t n)
{
        if (!s)
                return NULL;
        _cleanup_free_ char *e = utf8_escape_invalidn(s, n);
        return e ? json_string(e) : NULL;
}

json_t *json_string_utf8(const char *s)
{
        if (!s)
                return NULL;
        if (utf8_is_valid(s))
                return json_string(s);
        return json_stringn_utf8(s, strlen(s));
}
