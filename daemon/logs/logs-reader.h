/* Reading docker json-file logs (with rotated files) for GET /containers/{id}/logs. */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct logs_options {
        bool stdout_, stderr_;      /* which streams */
        bool timestamps;            /* prefix each line with RFC3339Nano time and a space */
        int64_t tail;               /* -1 = all, else last N lines (over all rotated files) */
        int64_t since_ns, until_ns; /* 0 = unbounded; unix nanoseconds */
        bool follow;                /* keep reading new lines until is_running() is false */
        bool tty;                   /* raw bytes instead of 8-byte frames */
};

/* Stream the log at log_path (and log_path.1, .2 ... older files first) to out_fd: each log line
 * becomes one docker frame [stream][0 0 0][len BE32]payload (or raw payload when tty). With
 * follow, waits for more (inotify on the file, handles rotation) while is_running(ud) is true,
 * then drains what is left and returns. Returns 0, or -errno (e.g. -EPIPE when out_fd's reader
 * went away; that is normal and not logged as an error). */
int logs_stream(const char *log_path, const struct logs_options *o, int out_fd, bool (*is_running)(void *ud), void *ud);
