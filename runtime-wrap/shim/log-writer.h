/* docker json-file log records with size-based rotation. */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* Longest payload of one record; longer lines are split like docker does at 16 KiB. */
#define LOG_CHUNK 16384

struct log_writer {
        char *path;
        int fd;
        int64_t size, max_size;
        int max_file;
};

/* max_size 0: never rotate. max_file < 1 counts as 1 (truncate in place). */
int log_writer_open(struct log_writer *w, const char *path, int64_t max_size, int max_file);
void log_writer_close(struct log_writer *w);
/* Append one record per line of data (a partial last line is its own record), all stamped
 * with the current time. */
int log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len);
/* Bytes log_format_record() writes for this payload. */
size_t log_record_size(const char *stream, const char *data, size_t len, const char *ts);
/* Encode one record (with its trailing newline) into buf of log_record_size() bytes or more;
 * returns its length. Invalid UTF-8 becomes U+FFFD so the line stays valid JSON. */
size_t log_format_record(char *buf, const char *stream, const char *data, size_t len, const char *ts);
