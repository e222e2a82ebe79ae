#include "util.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>

int random_hex_id(char ret[65])
{
        unsigned char raw[32];
        size_t got = 0;
        while (got < sizeof(raw)) {
                ssize_t n = getrandom(raw + got, sizeof(raw) - got, 0);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        return -errno;
                }
                got += (size_t) n;
        }
        for (size_t i = 0; i < sizeof(raw); i++)
                sprintf(ret + 2 * i, "%02x", raw[i]);
        ret[64] = '\0';
        return 0;
}

void format_rfc3339nano(const struct timespec *ts, char *buf, size_t len)
{
        struct tm tm;
        /* a time gmtime cannot represent, or outside years 1-9999, shows as Go's zero time */
        if (!gmtime_r(&ts->tv_sec, &tm) || tm.tm_year < 1 - 1900 || tm.tm_year > 9999 - 1900)
                tm = (struct tm){ .tm_year = 1 - 1900, .tm_mday = 1 };
        snprintf(buf, len, "%04d-%02d-%02dT%02d:%02d:%02d.%09ldZ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
                 tm.tm_hour, tm.tm_min, tm.tm_sec, ts->tv_nsec);
}

struct timespec now_realtime(void)
{
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return ts;
}

int64_t timespec_to_ns(const struct timespec *ts)
{
        /* times come from clients too ("since=9223372036854775807"): saturate, never overflow */
        int64_t ns;
        if (__builtin_mul_overflow((int64_t) ts->tv_sec, (int64_t) 1000000000, &ns) ||
            __builtin_add_overflow(ns, (int64_t) ts->tv_nsec, &ns))
                return ts->tv_sec < 0 ? INT64_MIN : INT64_MAX;
        return ns;
}

static int parse_fraction(const char *p, long *ret_ns, const char **ret_end)
{
        long ns = 0;
        int digits = 0;
        while (isdigit((unsigned char) *p)) {
                if (digits < 9) {
                        ns = ns * 10 + (*p - '0');
                        digits++;
                }
                p++;
        }
        if (digits == 0)
                return -EINVAL;
        while (digits++ < 9)
                ns *= 10;
        *ret_ns = ns;
        *ret_end = p;
        return 0;
}

/* Years 1 to 9999, what RFC 3339 (and format_rfc3339nano) can write. */
#define TIMESTAMP_MIN (-62135596800LL)
#define TIMESTAMP_MAX 253402300799LL

int parse_timestamp(const char *s, struct timespec *ret)
{
        if (!s || !*s)
                return -EINVAL;
        struct timespec ts = { 0, 0 };
        const char *p;
        /* Unix seconds, optionally with a fraction. */
        char *end;
        errno = 0;
        long long secs = strtoll(s, &end, 10);
        if (errno == 0 && end != s && (*end == '\0' || *end == '.')) {
                if (*end == '.') {
                        if (parse_fraction(end + 1, &ts.tv_nsec, &p) < 0 || *p)
                                return -EINVAL;
                }
                /* a client's "since=9223372036854775807" means "the far future": clamped to
                 * years 1-9999, which every consumer (nanoseconds, RFC 3339) can represent */
                if (secs < TIMESTAMP_MIN || secs > TIMESTAMP_MAX) {
                        secs = secs < TIMESTAMP_MIN ? TIMESTAMP_MIN : TIMESTAMP_MAX;
                        ts.tv_nsec = 0;
                }
                ts.tv_sec = secs;
                *ret = ts;
                return 0;
        }
        struct tm tm = { 0 };
        p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
        if (!p)
                return -EINVAL;
        if (*p == '.' && parse_fraction(p + 1, &ts.tv_nsec, &p) < 0)
                return -EINVAL;
        long offset = 0;
        if (*p == 'Z') {
                p++;
        } else if (*p == '+' || *p == '-') {
                /* exactly +HH:MM: a shorter offset must not move p past the string's end */
                for (int i = 1; i <= 5; i++)
                        if (i == 3 ? p[i] != ':' : !isdigit((unsigned char) p[i]))
                                return -EINVAL;
                int hh = (p[1] - '0') * 10 + (p[2] - '0'), mm = (p[4] - '0') * 10 + (p[5] - '0');
                if (hh > 23 || mm > 59)
                        return -EINVAL;
                offset = (hh * 3600 + mm * 60) * (*p == '+' ? 1 : -1);
                p += 6;
        }
        if (*p)
                return -EINVAL;
        ts.tv_sec = timegm(&tm) - offset;
        if (ts.tv_sec < TIMESTAMP_MIN || ts.tv_sec > TIMESTAMP_MAX)
                return -EINVAL;
        *ret = ts;
        return 0;
}

int parse_size(const char *s, int64_t *ret)
{
        if (!s || !*s)
                return -EINVAL;
        char *end;
        errno = 0;
        double v = strtod(s, &end);
        if (errno || end == s || v < 0)
                return -EINVAL;
        double mult = 1;
        switch (tolower((unsigned char) *end)) {
        case '\0':
                break;
        case 'b':
                break;
        case 'k':
                mult = 1024.0;
                break;
        case 'm':
                mult = 1024.0 * 1024;
                break;
        case 'g':
                mult = 1024.0 * 1024 * 1024;
                break;
        case 't':
                mult = 1024.0 * 1024 * 1024 * 1024;
                break;
        default:
                return -EINVAL;
        }
        if (*end) {
                end++;
                if (*end == 'b' || *end == 'B' || ((*end == 'i' || *end == 'I') && mult > 1)) {
                        if (*end == 'i' || *end == 'I')
                                end++;
                        if (*end == 'b' || *end == 'B')
                                end++;
                }
        }
        if (*end)
                return -EINVAL;
        double bytes = v * mult;
        if (bytes > 9.2e18)
                return -EINVAL;
        *ret = (int64_t) bytes;
        return 0;
}

void format_human_duration(int64_t seconds, char *buf, size_t len)
{
        if (seconds < 1)
                snprintf(buf, len, "Less than a second");
        else if (seconds == 1)
                snprintf(buf, len, "1 second");
        else if (seconds < 60)
                snprintf(buf, len, "%lld seconds", (long long) seconds);
        else if (seconds / 60 == 1)
                snprintf(buf, len, "About a minute");
        else if (seconds < 3600)
                snprintf(buf, len, "%lld minutes", (long long) seconds / 60);
        else if (seconds / 3600 == 1)
                snprintf(buf, len, "About an hour");
        else if (seconds < 48 * 3600)
                snprintf(buf, len, "%lld hours", (long long) seconds / 3600);
        else if (seconds < 7 * 24 * 3600 * 2)
                snprintf(buf, len, "%lld days", (long long) seconds / 86400);
        else if (seconds < 30 * 24 * 3600 * 3LL)
                snprintf(buf, len, "%lld weeks", (long long) seconds / (7 * 86400));
        else if (seconds < 365 * 24 * 3600 * 2LL)
                snprintf(buf, len, "%lld months", (long long) seconds / (30 * 86400));
        else
                snprintf(buf, len, "%lld years", (long long) seconds / (365 * 86400));
}

void format_human_size(double bytes, char *buf, size_t len)
{
        static const char *const units[] = { "B", "kB", "MB", "GB", "TB", "PB" };
        size_t i = 0;
        while (bytes >= 1000.0 && i + 1 < sizeof(units) / sizeof(units[0])) {
                bytes /= 1000.0;
                i++;
        }
        /* docker uses 4 significant digits ("%.4g") */
        snprintf(buf, len, "%.4g%s", bytes, units[i]);
}

char **strv_new(void)
{
        return calloc(1, sizeof(char *));
}

size_t strv_length(char *const *strv)
{
        size_t n = 0;
        if (strv)
                while (strv[n])
                        n++;
        return n;
}

int strv_consume(char ***strv, char *s)
{
        if (!s)
                return -ENOMEM;
        size_t n = strv_length(*strv);
        char **v = realloc(*strv, (n + 2) * sizeof(char *));
        if (!v) {
                free(s);
                return -ENOMEM;
        }
        v[n] = s;
        v[n + 1] = NULL;
        *strv = v;
        return 0;
}

int strv_push(char ***strv, const char *s)
{
        return strv_consume(strv, strdup(s));
}

char **strv_free(char **strv)
{
        if (strv) {
                for (char **p = strv; *p; p++)
                        free(*p);
                free(strv);
        }
        return NULL;
}

bool strv_contains(char *const *strv, const char *s)
{
        if (strv)
                for (; *strv; strv++)
                        if (strcmp(*strv, s) == 0)
                                return true;
        return false;
}
