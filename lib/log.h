/* Logging: levels, one output (stderr), messages carry context; *_errno variants return -errno. */
#pragma once

#include <errno.h>

enum log_level {
        LOG_LEVEL_ERROR,
        LOG_LEVEL_WARN,
        LOG_LEVEL_INFO,
        LOG_LEVEL_DEBUG,
        _LOG_LEVEL_MAX,
        _LOG_LEVEL_INVALID = -EINVAL,
};

void log_set_level(enum log_level level);
enum log_level log_get_level(void);
enum log_level log_level_from_string(const char *s);
void log_set_ident(const char *ident);

/* Returns -abs(err) so callers can `return log_errno(r, ...)`; err 0 means no errno text. */
int log_internal(enum log_level level, int err, const char *file, int line, const char *fmt, ...)
        __attribute__((format(printf, 5, 6)));

#define log_error(...) log_internal(LOG_LEVEL_ERROR, 0, __FILE__, __LINE__, __VA_ARGS__)
#define log_warn(...) log_internal(LOG_LEVEL_WARN, 0, __FILE__, __LINE__, __VA_ARGS__)
#define log_info(...) log_internal(LOG_LEVEL_INFO, 0, __FILE__, __LINE__, __VA_ARGS__)
#define log_debug(...) log_internal(LOG_LEVEL_DEBUG, 0, __FILE__, __LINE__, __VA_ARGS__)
#define log_error_errno(err, ...) log_internal(LOG_LEVEL_ERROR, (err), __FILE__, __LINE__, __VA_ARGS__)
#define log_warn_errno(err, ...) log_internal(LOG_LEVEL_WARN, (err), __FILE__, __LINE__, __VA_ARGS__)
#define log_debug_errno(err, ...) log_internal(LOG_LEVEL_DEBUG, (err), __FILE__, __LINE__, __VA_ARGS__)
