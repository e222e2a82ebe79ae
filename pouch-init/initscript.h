/* The initscript: run before any service, its output echoed to our stdout (so it lands in the
 * container's log) and its last INITSCRIPT_TAIL bytes kept for status.json. A path or a command
 * line (initscript-argv.h): an executable file runs directly, another file with /bin/sh. It runs in its own session,
 * stdin /dev/null, with our environment. Its exit decides: 0 goes on, anything else fails the container's start. */
#pragma once

#include "spawn.h"

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define INITSCRIPT_TAIL 4096

struct tail_buf {
        char data[INITSCRIPT_TAIL];
        size_t len;
};

/* Keep the last INITSCRIPT_TAIL bytes of everything appended. */
void tail_append(struct tail_buf *t, const char *data, size_t n);

struct initscript {
        const char *path;
        pid_t pid; /* 0 when not running */
        bool done;
        int exit_code; /* once done: the exit code, or 128 + the signal */
        int out_r;     /* our end of its output pipe, -1 once its writers are all gone */
        struct tail_buf tail;
};

/* Start it: 0, or -errno (printed). */
int initscript_start(struct initscript *is, const char *path, const struct child_ctx *ctx);
/* Echo what the pipe holds and keep it in the tail (the tail stops growing once the script
 * exited; the pipe is followed until background processes it left close it too). */
void initscript_read_output(struct initscript *is, int out_fd);
/* A child exited: true when it was the script (done, exit_code set, its output drained). */
bool initscript_handle_exit(struct initscript *is, pid_t pid, int wstatus, int out_fd);
/* Close the pipe. */
void initscript_close(struct initscript *is);
