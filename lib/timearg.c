#include "timearg.h"

#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

static const struct {
        const char *name;
        int64_t ns;
} units[] = {
        { "ns", 1 },           { "us", 1000 },        { "\xc2\xb5s", 1000 }, /* U+00B5 micro sign */
        { "\xce\xbcs", 1000 },                                               /* U+03BC Greek mu */
        { "ms", 1000000 },     { "s", 1000000000LL }, { "m", 60 * 1000000000LL }, { "h", 3600 * 1000000000LL },
};

/* One "1.5h" part: its nanoseconds added to *sum; *p moves past it. */
static int duration_part(const char **p, int64_t *sum)
{
        const char *s = *p;
        int64_t whole = 0, frac = 0, scale = 1;
        bool digits = false;
        for (; isdigit((unsigned char) *s); s++, digits = true)
                if (__builtin_mul_overflow(whole, 10, &whole) || __builtin_add_overflow(whole, *s - '0', &whole))
                        return -EINVAL;
        if (*s == '.') {
                for (s++; isdigit((unsigned char) *s); s++, digits = true)
                        if (scale < 1000000000000000000LL) { /* digits past 1e-18 cannot matter */
                                frac = frac * 10 + (*s - '0');
                                scale *= 10;
                        }
        }
        if (!digits)
                return -EINVAL;
        size_t best = 0;
        int64_t unit = 0;
        for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
                size_t n = strlen(units[i].name);
                if (n > best && strncmp(s, units[i].name, n) == 0)
                        best = n, unit = units[i].ns;
        }
        if (!best)
                return -EINVAL;
        int64_t v;
        /* frac < scale <= 1e18 and unit <= 3.6e12: the fraction's part is computed in floating point */
        int64_t fpart = (int64_t) ((long double) frac * (long double) unit / (long double) scale);
        if (__builtin_mul_overflow(whole, unit, &v) || __builtin_add_overflow(v, fpart, &v) ||
            __builtin_add_overflow(*sum, v, sum))
                return -EINVAL;
        *p = s + best;
        return 0;
}

int parse_go_duration(const char *s, int64_t *ret_ns)
{
        if (!s || !*s)
                return -EINVAL;
        bool neg = *s == '-';
        if (*s == '-' || *s == '+')
                s++;
        if (strcmp(s, "0") == 0) {
                *ret_ns = 0;
                return 0;
        }
        if (!*s)
                return -EINVAL;
        int64_t sum = 0;
        while (*s) {
                int r = duration_part(&s, &sum);
                if (r < 0)
                        return r;
        }
        *ret_ns = neg ? -sum : sum;
        return 0;
}

int parse_time_arg(const char *s, int64_t now_ns, int64_t *ret_ns)
{
        struct timespec ts;
        if (parse_timestamp(s, &ts) == 0) {
                *ret_ns = timespec_to_ns(&ts);
                return 0;
        }
        int64_t d;
        int r = parse_go_duration(s, &d);
        if (r < 0)
                return r;
        int64_t v;
        if (__builtin_sub_overflow(now_ns, d, &v))
                v = d > 0 ? INT64_MIN : INT64_MAX;
        *ret_ns = v;
        return 0;
}
