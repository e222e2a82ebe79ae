/* Small helpers: random IDs, time formatting, string vectors, byte sizes. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* 64 lowercase hex characters + NUL. */
int random_hex_id(char ret[65]);
/* RFC 3339 with nanoseconds in UTC, e.g. 2026-11-22T23:50:49.802493716Z. buf >= 40. */
void format_rfc3339nano(const struct timespec *ts, char *buf, size_t len);
/* Parse RFC 3339 (with or without fraction) or unix seconds with optional fraction. */
int parse_timestamp(const char *s, struct timespec *ret);
/* Nanoseconds since the epoch, saturated to INT64_MIN/INT64_MAX outside years 1678-2262. */
int64_t timespec_to_ns(const struct timespec *ts);
struct timespec now_realtime(void);
/* "1k", "10m", "2g", "512" (bytes) -> bytes; -EINVAL on junk or overflow. */
int parse_size(const char *s, int64_t *ret);
/* Docker's human duration, "5 seconds", "About a minute", "2 hours". */
void format_human_duration(int64_t seconds, char *buf, size_t len);
/* Human size with SI units as docker prints: "1.23MB". */
void format_human_size(double bytes, char *buf, size_t len);

/* NULL-terminated string vectors. */
char **strv_new(void);
int strv_push(char ***strv, const char *s); /* copies s */
int strv_consume(char ***strv, char *s);    /* takes s */
size_t strv_length(char *const *strv);
char **strv_free(char **strv);
bool strv_contains(char *const *strv, const char *s);
static inline void strv_freep(char ***p)
{
        strv_free(*p);
}
#define _cleanup_strv_free_ __attribute__((cleanup(strv_freep)))
