#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Process-wide logging configuration: set once in main(), read everywhere. */
static enum log_level max_level = LOG_LEVEL_INFO;
static const char *log_ident = "pouch";

void log_set_level(enum log_level level)
{
        max_level = level;
}

enum log_level log_get_level(void)
{
        return max_level;
}

void log_set_ident(const char *ident)
{
        log_ident = ident;
}

static const char *const level_names[_LOG_LEVEL_MAX] = {
        [LOG_LEVEL_ERROR] = "error",
        [LOG_LEVEL_WARN] = "warn",
        [LOG_LEVEL_INFO] = "info",
        [LOG_LEVEL_DEBUG] = "debug",
};

enum log_level log_level_from_string(const char *s)
{
        if (!s)
                return _LOG_LEVEL_INVALID;
        for (int i = 0; i < _LOG_LEVEL_MAX; i++)
                if (strcasecmp(s, level_names[i]) == 0)
                        return i;
        if (strcasecmp(s, "warning") == 0)
                return LOG_LEVEL_WARN;
        return _LOG_LEVEL_INVALID;
}

int log_internal(enum log_level level, int err, const char *file, int line, const char *fmt, ...)
{
        int ret = err < 0 ? err : -err;

        if (level > max_level)
                return ret;

        char msg[2048];
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(msg, sizeof(msg), fmt, ap);
        va_end(ap);

        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        struct tm tm;
        gmtime_r(&ts.tv_sec, &tm);
        char when[32];
        strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);

        char errbuf[128] = "";
        if (err != 0) {
                char tmp[96];
                const char *s = strerror_r(ret < 0 ? -ret : ret, tmp, sizeof(tmp));
                snprintf(errbuf, sizeof(errbuf), ": %s", s);
        }
        const char *base = strrchr(file, '/');
        if (level == LOG_LEVEL_DEBUG)
                fprintf(stderr, "%s.%06ldZ %s[%s] %s:%d %s%s\n", when, ts.tv_nsec / 1000, log_ident, level_names[level],
                        base ? base + 1 : file, line, msg, errbuf);
        else
                fprintf(stderr, "%s.%06ldZ %s[%s] %s%s\n", when, ts.tv_nsec / 1000, log_ident, level_names[level], msg,
                        errbuf);
        return ret;
}
