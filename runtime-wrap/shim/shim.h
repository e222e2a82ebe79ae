/* pouch-shim internals: options, the I/O loop, the json-file log writer. */
#pragma once

#include "runtime-wrap/runtime.h"

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

struct shim_opts {
        bool exec_mode;
        const char *id, *exec_id, *bundle, *state_dir, *runtime_path, *runtime_root, *process;
        const char *log_path;
        int64_t log_max_size;
        int log_max_file;
        bool tty, open_stdin, stdin_once, systemd_cgroup;
        int sync_fd, stream_fd;
};

struct log_writer {
        char *path;
        int fd;
        int64_t size, max_size;
        int max_file;
};

int log_writer_open(struct log_writer *w, const char *path, int64_t max_size, int max_file);
void log_writer_close(struct log_writer *w);
/* Append one json-file record per line of data (a partial last line is its own record). */
int log_writer_write(struct log_writer *w, const char *stream, const char *data, size_t len);
/* Encode one record into buf (JSON-escaped); returns its length. buf needs 6*len+128 bytes. */
size_t log_format_record(char *buf, const char *stream, const char *data, size_t len, const char *ts);

int shim_run_container(const struct shim_opts *o);
int shim_run_exec(const struct shim_opts *o);
