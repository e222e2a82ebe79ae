/* since/until arguments as docker takes them: absolute times and durations before now. */
#pragma once

#include <stdint.h>

/* Go's time.ParseDuration syntax ("10m", "1h30m", "1.5s", "-2h", "300ms") -> nanoseconds;
 * -EINVAL on junk or when it does not fit in 64 bits. */
int parse_go_duration(const char *s, int64_t *ret_ns);
/* Unix seconds with an optional fraction, RFC 3339, or a duration meaning that long before now_ns
 * (as the docker CLI sends "--since 10m"). Saturated at the int64 range; -EINVAL on anything else. */
int parse_time_arg(const char *s, int64_t now_ns, int64_t *ret_ns);
